"""bench_relay: one worker process, built from the environment exactly as `crossborder-crm dispatch --once`
builds it (create_app() with CRM_ENV=production, CRM_DATABASE_URL, CRM_SMTP_URL, CRM_DISPATCH_CONCURRENCY,
...), then driven by the bench over stdin so that its start-up is not timed:

    warm  -> one dispatch_job() pass over whatever is due (templates compiled, DKIM key parsed,
             connections made: a long-running worker is warm); answers {"sent": n}
    go    -> one timed dispatch_job() pass; answers {"sent", "claimed", "errors", "elapsed", "cpu"}
             (cpu: this process's CPU seconds during the pass, every thread included)
    bye   -> exit (EOF too)

dispatch_job is what `dispatch --once` runs and what the worker's scheduler ticks: every session of the
worker (make_sessions: DISPATCH_CONCURRENCY threads, each its own dispatcher, database connection and
SMTP connection) drains what is due.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crossborder_crm import create_app  # noqa: E402
from crossborder_crm.container import current_services  # noqa: E402
from crossborder_crm.worker import dispatch_job, worker_id  # noqa: E402


def main() -> None:
    """Serve warm/go/bye until told to stop."""
    app = create_app()
    with app.app_context():
        svc = current_services()
        worker = worker_id()
        print(json.dumps({"ready": worker, "concurrency": svc.settings["DISPATCH_CONCURRENCY"]}), flush=True)
        for line in sys.stdin:
            cmd = line.strip()
            if cmd == "warm":
                print(json.dumps({"sent": dispatch_job(svc, worker).sent}), flush=True)
            elif cmd == "go":
                c0, t0 = time.process_time(), time.perf_counter()
                r = dispatch_job(svc, worker)
                elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
                print(json.dumps({"sent": r.sent, "claimed": r.claimed, "errors": r.errors[:3],
                                  "retried": r.retried, "failed": r.failed, "lost": r.lost_lease,
                                  "elapsed": elapsed, "cpu": cpu}), flush=True)
            elif cmd == "bye":
                break
        svc.db.dispose()


if __name__ == "__main__":
    main()
