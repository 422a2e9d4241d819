"""``hailortcli`` (``hailortcli.py`` dispatches, one module per command) and ``hailo``."""
