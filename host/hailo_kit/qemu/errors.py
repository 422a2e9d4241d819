"""The one error type of the QEMU target tool: a message a person can act on."""


class TargetError(Exception):
    """Building, booting or stopping the target failed; str() says what to do."""
