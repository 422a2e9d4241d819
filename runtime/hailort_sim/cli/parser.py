"""The argparse parser hailortcli's commands use, with CLI11's error texts and exit codes."""
import argparse
import os
import sys

from .common import (EXIT_EXCLUDES_ERROR, EXIT_EXTRAS_ERROR, EXIT_REQUIRED_ERROR, EXIT_VALIDATION_ERROR,
                     UsageError)


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter without its ``shutil`` import (every add_argument makes one)."""

    def __init__(self, prog, indent_increment=2, max_help_position=24, width=None):
        if width is None:
            try:
                width = os.get_terminal_size(sys.stdout.fileno()).columns - 2
            except (OSError, ValueError, AttributeError):
                width = int(os.environ.get("COLUMNS", "80") or 80) - 2
        super().__init__(prog, indent_increment, max_help_position, width)


class Parser(argparse.ArgumentParser):
    """argparse with CLI11's error texts and exit codes."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message):
        code = EXIT_VALIDATION_ERROR
        if message.startswith("the following arguments are required: "):
            names = message.split(": ", 1)[1]
            message, code = ("A subcommand is required" if names.lower() in ("command", "subcommand")
                             else "{} is required".format(names.split(", ")[0])), EXIT_REQUIRED_ERROR
        elif message.startswith("unrecognized arguments: "):
            message = "The following arguments were not expected: " + message.split(": ", 1)[1]
            code = EXIT_EXTRAS_ERROR
        elif message.lower().startswith(("argument command: invalid choice: ", "argument subcommand: invalid choice: ")):
            message = "The following argument was not expected: " + message.split("'")[1]
            code = EXIT_EXTRAS_ERROR
        elif " not allowed with argument " in message:
            code = EXIT_EXCLUDES_ERROR
        raise UsageError(message, code)
