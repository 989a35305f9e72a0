"""gunicorn's settings for the portal, read by `make run` and by the benchmark's server
(bench/servers.py) with `--config gisportal/gunicorn.conf.py`; workers, threads and the
address stay on their command lines.

No request holds a worker for more than 30 s: each database statement of a worker is bounded
by REQUEST_DB_TIMEOUT_SECONDS (25 s by default) and answered with 503 when it runs past it
(core/errors.py), and a worker whose main loop stops for `timeout` seconds is replaced. With
threaded workers that timeout does not reach a thread stuck in a request, which is why the
bound is set where the time is spent, in PostgreSQL.
"""

from pathlib import Path

# Each worker proves it is alive by changing its heartbeat file's mode on every turn of its
# loop: in memory, not on a disk-backed temporary directory where that call can block.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None

# A worker silent for this long is killed and replaced; on a restart, requests in flight get
# as long to finish.
timeout = 30
graceful_timeout = 30


def post_worker_init(worker) -> None:
    """The worker has loaded the portal: bound its database statements."""
    from core.errors import bound_request_statements

    bound_request_statements()
