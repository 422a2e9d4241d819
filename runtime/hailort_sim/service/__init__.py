"""``hailort_service``: the multi-process service and its client (guide §6.12).

* ``daemon``: the executable (``hailort_service [standalone]``), pidfile, signals.
* ``server``: connections, calls on the local backend, cleanup when a client dies.
* ``client`` / ``remote_backend``: what a VDevice with ``multi_process_service=True``
  uses instead of ``pipeline.backend.LocalBackend`` (``client.open_backend``).
* ``interface``: the methods a client may call (the pipeline's Backend interface).
* ``protocol``: the framed unix-socket protocol; ``shm``: shared memory for frames;
  ``address``: ``HAILORT_SERVICE_ADDRESS``.

See ``docs/service.md``.
"""
