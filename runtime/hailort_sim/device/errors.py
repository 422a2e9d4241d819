"""Device errors the libhailort way: log the cause as ``[HailoRT] [error] ...``, then fail.

The exception carries ``logged = True`` so that the CLI, which prints the cause of
exceptions nobody logged, does not print it twice.
"""


def fail(status, detail):
    from hailort_sim import log
    from hailort_sim.status import exception_for
    log.error(detail)
    error = exception_for(status, detail)
    error.logged = True
    raise error
