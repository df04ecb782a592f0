"""gunicorn settings for the main site and the content origin: `gunicorn -c deploy/gunicorn.conf.py deploy.wsgi`."""

import os
import shutil
import tempfile
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
# Uploads stream to disk and downloads stream from storage: long requests are normal.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "300"))
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# Ends with the response's X-Request-ID, the id the site's own JSON log lines carry.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# prometheus-client's multiprocess mode: each worker process counts its requests in files of
# its own in PROMETHEUS_MULTIPROC_DIR, and /metrics, answered by any one of them, sums them all.
# Set in the master before the workers are forked (and import prometheus_client).


def on_starting(server: Any) -> None:
    """Counts start from zero with each start of the server.

    An operator's folder is emptied; without one, a new private folder (mkdtemp: mode 0700, a
    name nobody can guess) rather than a fixed name in /tmp that another local user could plant.
    """
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)
    else:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="remixbank-metrics-")


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
