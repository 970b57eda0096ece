"""Run every benchmark in bench/ (``make bench``): each ``bench/bench_*.py`` in name order, in its
own process, with a time limit; a benchmark that fails or runs out of time is reported and the
next one runs. Prints a summary at the end; exits non-zero if any benchmark failed.

    .venv/bin/python bench/run_all.py [--only PATTERN] [--timeout SECONDS] [--port PORT]
        [-- extra options passed to every benchmark]

``--port`` pins the ports (exported as BWQ_BENCH_PORT: the app on PORT, floors on PORT+1, +2;
benchmarks built on bench/harness.py read it). Benchmarks needing wrk or PostgreSQL print that
they skipped a part, and why, rather than failing.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="*", help="glob on the file name, e.g. 'bench_book*'")
    parser.add_argument("--timeout", type=float, default=float(os.environ.get("BWQ_BENCH_TIMEOUT", "1800")))
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("extra", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    extra = args.extra[1:] if args.extra[:1] == ["--"] else args.extra
    env = dict(os.environ)
    if args.port:
        env["BWQ_BENCH_PORT"] = str(args.port)
    if shutil.which("wrk") is None:
        print("note: wrk is not installed (Debian: apt-get install -y wrk); the HTTP parts will be skipped\n")
    scripts = sorted(p for p in BENCH.glob("bench_*.py") if fnmatch.fnmatch(p.name, args.only))
    summary = []
    for script in scripts:
        print(f"=== {script.name} (limit {args.timeout:.0f} s)", flush=True)
        t0 = time.monotonic()
        # its own process group, so a timeout also ends the servers it started
        proc = subprocess.Popen(
            [sys.executable, str(script), *extra], cwd=BENCH.parent, env=env, start_new_session=True
        )
        try:
            code = proc.wait(timeout=args.timeout)
            outcome = "ok" if code == 0 else f"FAILED (exit {code})"
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 15)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait()
            outcome = f"TIMED OUT after {args.timeout:.0f} s"
        summary.append((script.name, outcome, time.monotonic() - t0))
        print(flush=True)
    print("=== summary")
    for name, outcome, seconds in summary:
        print(f"{name:32} {outcome:28} {seconds:6.0f} s")
    return 0 if all(outcome == "ok" for _, outcome, _ in summary) else 1


if __name__ == "__main__":
    sys.exit(main())
