"""Device errors the libhailort way: log the cause as ``[HailoRT] [error] ...``, then fail.

The exception carries ``logged = True`` so that the CLI, which prints the cause of
exceptions nobody logged, does not print it twice.
"""


def fail(status, detail):
    """``status``: a HailoStatus, its number, or its name (modules on the start-up path pass
    names so that they need not import ``hailort_sim.status`` until something fails)."""
    from hailort_sim import log
    from hailort_sim.status import HailoStatus, exception_for
    if isinstance(status, str):
        status = HailoStatus[status]
    log.error(detail)
    error = exception_for(status, detail)
    error.logged = True
    raise error
