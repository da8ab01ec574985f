"""Run every benchmark in turn (`make bench`); each prints its own figures and targets."""
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = ["bench_timing.py", "bench_import_list.py", "bench_dispatch.py", "bench_dkim.py", "bench_webhooks.py",
           "bench_drafts.py", "bench_campaign.py", "bench_relay.py"]


def main() -> int:
    failed = []
    for name in BENCHES:
        print(f"\n######## {name} ########", flush=True)
        if subprocess.run([sys.executable, str(HERE / name), ]).returncode != 0:
            failed.append(name)
    if failed:
        print(f"\nbenchmarks that crashed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
