"""gunicorn's settings for the portal, read by `make run` and by the benchmark's server
(bench/servers.py) with `--config gisportal/gunicorn.conf.py`; workers, threads and the
address stay on their command lines."""

from pathlib import Path

# Each worker proves it is alive by changing its heartbeat file's mode on every turn of its
# loop: in memory, not on a disk-backed temporary directory where that call can block.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None
