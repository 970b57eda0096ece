"""What issue 7's protections cost per request, measured in-process (printed, never asserted).

- the edge's input check (bwq_lab/edge/inputs.py) on a typical API query and on a 100 kB JSON body,
  beside the floor of the same request without the check;
- one shared rate-limit counter hit (bwq_lab/edge/throttle.py) on SQLite;
- (the session lookup of a signed-in request is one indexed join, users x user_sessions by digest).

    .venv/bin/python bench/bench_security.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _timed(fn, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1e6  # microseconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    from bwq_lab.edge import inputs, throttle
    from bwq_lab.extensions import db
    from bwq_lab.factory import create_app

    folder = Path(tempfile.mkdtemp())
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/b.db"})
    with app.app_context():
        db.create_all()
    query = "/api/v1/instruments?q=显微镜&city=杭州&page=3&per_page=20&provider=12"
    body = json.dumps(
        {"items": [{"start": "2026-12-01T09:00:00+08:00", "purpose": "x" * 40, "n": i} for i in range(1500)]}
    )
    with app.test_request_context(query):
        floor = _timed(lambda: None, args.rounds)
        check = _timed(inputs.check_request, args.rounds)
    with app.test_request_context("/api/v1/bookings", method="POST", data=body, content_type="application/json"):
        big = _timed(inputs.check_request, max(20, args.rounds // 50))
        plain = _timed(lambda: json.loads(body), max(20, args.rounds // 50))
    limit = throttle.Limit.parse("1000000 per hour")
    with app.app_context():
        hit = _timed(lambda: throttle.hit("bench:key", limit), max(50, args.rounds // 10))
    print(f"edge input check, typical API query: {check:8.1f} µs (empty call floor {floor:.1f} µs)")
    print(f"edge input check, {len(body) // 1024} kB JSON body:   {big:8.1f} µs (json.loads alone {plain:.1f} µs)")
    print(f"rate-limit counter hit (SQLite upsert, own transaction): {hit:8.1f} µs")
    print("the session lookup adds one indexed join (users x user_sessions by digest) to the user load")


if __name__ == "__main__":
    main()
