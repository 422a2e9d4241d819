"""Device errors the libhailort way: log the cause as ``[HailoRT] [error] ...``, then fail.

The exception carries ``logged = True`` so that the CLI, which prints the cause of
exceptions nobody logged, does not print it twice.
"""
from typing import NoReturn

from hailort_sim.status import exception_for


def fail(status: int, detail: str) -> NoReturn:
    from hailort_sim import log
    log.error(detail)
    error = exception_for(status, detail)
    error.logged = True
    raise error
