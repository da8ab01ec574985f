"""gunicorn hooks for the web: `gunicorn -c python:crossborder_crm.ops.gunicorn_conf -w 4 wsgi:app`.

Every worker logs as CRM_LOG_FORMAT says. With more than one worker, set PROMETHEUS_MULTIPROC_DIR
to a folder of its own (not shared with `crossborder-crm worker`, which serves its own port): each
worker keeps its counters there and /metrics adds them up. The folder is emptied when gunicorn
starts, so counts of an earlier run are not added in, and each exiting worker is accounted for.
"""
from __future__ import annotations

import os
from pathlib import Path

from prometheus_client import multiprocess

from config import load_config
from crossborder_crm.ops.logging_setup import configure_logging
from crossborder_crm.ops.metrics import multiprocess_dir


def on_starting(server) -> None:
    """Before any worker exists: remove the metric files an earlier run left behind."""
    folder = multiprocess_dir()
    if not folder:
        return
    mine = f"_{os.getpid()}.db"  # importing this module already gave the master its own files
    for stale in Path(folder).glob("*.db"):
        if not stale.name.endswith(mine):
            stale.unlink(missing_ok=True)


def post_fork(server, worker) -> None:
    """In each new worker: log in the configured format."""
    configure_logging(load_config()["LOG_FORMAT"])


def child_exit(server, worker) -> None:
    """A worker exited: tell prometheus_client, as its multi-process mode requires."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(worker.pid)
