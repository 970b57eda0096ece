"""What every benchmark in bench/ shares: scratch databases, gunicorn servers that are ready only
when every worker has answered, the wrk client, best-of-rounds, and printing a figure beside its
floor (bench/floor_app.py, measured in the same run) with the ratio and the target.

    from harness import Bench, add_common_args, scratch_app, serve, wrk, report

Options every benchmark takes (``add_common_args``): ``--db sqlite|postgresql|both``, ``--port``
(the first of the pinned ports: the app on PORT, the floors on PORT+1 and PORT+2; default: $BWQ_BENCH_PORT,
else two free ports), ``--seconds`` (length of one round), ``--rounds`` (best of N).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
PG_ADMIN = os.environ.get("BWQ_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
WORKERS = int(os.environ.get("BWQ_BENCH_WORKERS", "2"))
WRK_THREADS = int(os.environ.get("BWQ_BENCH_WRK_THREADS", "2"))
WRK_CONNECTIONS = int(os.environ.get("BWQ_BENCH_WRK_CONNECTIONS", "8"))
USER_AGENT = "bwq-bench"


# ------------------------------------------------------------------------------------- options


def add_common_args(parser: argparse.ArgumentParser, *, seconds: float = 3, rounds: int = 3) -> None:
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("BWQ_BENCH_PORT", "0")) or None,
        help="pin the ports: the app on PORT, the floors on PORT+1, PORT+2 (default: $BWQ_BENCH_PORT, else free ports)",
    )
    parser.add_argument("--seconds", type=float, default=seconds, help="length of one measured round")
    parser.add_argument("--rounds", type=int, default=rounds, help="rounds per figure; the best one counts")


def kinds(args) -> tuple[str, ...]:
    return ("sqlite", "postgresql") if args.db == "both" else (args.db,)


def ports(args, count: int = 2) -> tuple[int, ...]:
    """The app's port, then the floor's (and the raw floor's): PORT, PORT+1, ... when pinned."""
    if args.port:
        return tuple(args.port + i for i in range(count))
    return tuple(free_port() for _ in range(count))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_available() -> str | None:
    """None when PostgreSQL answers, else the reason (printed by benchmarks that skip it)."""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return None
    except Exception as exc:  # noqa: BLE001 - any failure means "skip, and say why"
        return f"PostgreSQL at {PG_ADMIN} is not reachable ({exc.__class__.__name__}: {str(exc).strip()[:120]})"


def wrk_missing() -> str | None:
    if shutil.which("wrk"):
        return None
    return "wrk is not installed (Debian: apt-get install -y wrk)"


# ------------------------------------------------------------------------------------ databases


@contextlib.contextmanager
def scratch_database(kind: str) -> Iterator[str]:
    """A fresh SQLite file or PostgreSQL database for one benchmark; removed afterwards."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="bwq-bench-")
        try:
            yield f"sqlite:///{folder}/bench.sqlite3"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    import psycopg

    name = f"bwq_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def scratch_app(kind: str) -> Iterator[tuple]:
    """(app, env): the BWQ Lab app on a migrated scratch database with its own instance folder;
    ``env`` is what a gunicorn serving the same app needs. Use it in a fresh process (the app
    reads BWQ_* from the environment once)."""
    with scratch_database(kind) as url:
        instance = tempfile.mkdtemp(prefix="bwq-bench-instance-")
        try:
            os.environ["BWQ_DATABASE_URL"] = url
            os.environ["BWQ_INSTANCE_PATH"] = instance
            from flask_migrate import upgrade

            from bwq_lab.factory import create_app

            app = create_app()
            with app.app_context():
                upgrade(directory=str(ROOT / "migrations"))
            env = dict(os.environ, BWQ_DATABASE_URL=url, BWQ_INSTANCE_PATH=instance)
            yield app, env
        finally:
            with contextlib.suppress(Exception):
                from bwq_lab.extensions import db

                with app.app_context():
                    db.engine.dispose()
            shutil.rmtree(instance, ignore_errors=True)


# -------------------------------------------------------------------------------------- servers


class ServerFailed(RuntimeError):
    pass


class ServerURL(str):
    """The base URL of a running server; ``.pid`` is its gunicorn master (for py-spy)."""

    pid: int


@contextlib.contextmanager
def serve(
    target: str,
    port: int,
    env: dict,
    *,
    ready_path: str = "/",
    workers: int = WORKERS,
    pythonpath: str | None = None,
    timeout: float = 120,
) -> Iterator[ServerURL]:
    """Run ``gunicorn -c bench/gunicorn_bench.conf.py TARGET`` (the repository's settings) on
    127.0.0.1:PORT and yield its base URL once EVERY worker has answered a request to
    ``ready_path`` (any status counts as an answer)."""
    ready_dir = tempfile.mkdtemp(prefix="bwq-bench-ready-")
    with socket.socket() as probe:
        # as gunicorn binds (SO_REUSEADDR): connections of the previous server in TIME_WAIT do not
        # keep the port, a process listening on it does
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise ServerFailed(f"port {port} is taken ({exc}); pick others with --port") from None
    log = tempfile.TemporaryFile(mode="w+")
    cmd = [sys.executable, "-m", "gunicorn", "-c", str(BENCH / "gunicorn_bench.conf.py"), "--log-level", "warning"]
    if pythonpath:
        cmd += ["--pythonpath", pythonpath]
    server_env = dict(env, BWQ_BIND=f"127.0.0.1:{port}", BWQ_WORKERS=str(workers), BWQ_BENCH_READY_DIR=ready_dir)
    server = subprocess.Popen([*cmd, target], cwd=ROOT, env=server_env, stdout=log, stderr=log, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(server, base + ready_path, ready_dir, workers, timeout, log)
        url = ServerURL(base)
        url.pid = server.pid
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        shutil.rmtree(ready_dir, ignore_errors=True)
        log.close()


def _wait_ready(server, url, ready_dir, workers, timeout, log) -> None:
    def poke():
        req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        with contextlib.suppress(OSError, urllib.error.HTTPError):
            urllib.request.urlopen(req, timeout=10).read()

    deadline = time.monotonic() + timeout
    while len(os.listdir(ready_dir)) < workers:
        if server.poll() is not None:
            log.seek(0)
            raise ServerFailed(f"gunicorn exited with {server.returncode}:\n{log.read()[-3000:]}")
        if time.monotonic() > deadline:
            raise ServerFailed(
                f"only {len(os.listdir(ready_dir))} of {workers} workers answered {url} within {timeout:.0f} s"
            )
        # several requests at once, so that a busy worker leaves the next one to another worker
        batch = [threading.Thread(target=poke) for _ in range(2 * workers)]
        for t in batch:
            t.start()
        for t in batch:
            t.join()
        time.sleep(0.05)


# ---------------------------------------------------------------------------------------- wrk

LATENCY_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("BWQ latency p50=%.3f p99=%.3f mean=%.3f\\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.mean / 1000))
end
"""


@dataclass
class WrkResult:
    rps: float
    requests: int
    non2xx: int
    errors: int
    p50: float  # milliseconds
    p99: float
    mean: float

    @property
    def ms_per_request(self) -> float:
        """CPU-bound servers: the time one request costs the machine (1 / throughput)."""
        return 1000.0 / self.rps if self.rps else float("inf")


def wrk(
    url: str,
    seconds: float,
    *,
    script: str | None = None,
    script_args: tuple = (),
    headers: dict | None = None,
    connections: int = WRK_CONNECTIONS,
    threads: int = WRK_THREADS,
) -> WrkResult:
    """Run wrk once. ``script`` is Lua source (a ``done`` that prints the latency line is added
    unless it has its own that prints ``BWQ latency ...``)."""
    lua = (script or "") + ("" if script and "BWQ latency" in script else LATENCY_LUA)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(lua)
    try:
        cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "-s", fh.name]
        for name, value in {"User-Agent": USER_AGENT, **(headers or {})}.items():
            cmd += ["-H", f"{name}: {value}"]
        cmd.append(url)
        if script_args:
            cmd += ["--", *map(str, script_args)]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
    finally:
        os.unlink(fh.name)
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    lat = re.search(r"BWQ latency p50=([\d.]+) p99=([\d.]+) mean=([\d.]+)", out)
    if not m or not lat:
        raise RuntimeError(f"wrk printed no figures:\n{out}")
    total = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return WrkResult(
        rps=float(m.group(1)),
        requests=int(total.group(1)) if total else 0,
        non2xx=int(non2xx.group(1)) if non2xx else 0,
        errors=sum(map(int, errors.groups())) if errors else 0,
        p50=float(lat.group(1)),
        p99=float(lat.group(2)),
        mean=float(lat.group(3)),
    )


def best(results: list[WrkResult]) -> WrkResult:
    """Best of the rounds: the highest rate and, separately, the lowest p50/p99 (on a shared
    machine the best round is the one least disturbed by others)."""
    top = max(results, key=lambda r: r.rps)
    return WrkResult(
        rps=top.rps,
        requests=top.requests,
        non2xx=top.non2xx,
        errors=max(r.errors for r in results),
        p50=min(r.p50 for r in results),
        p99=min(r.p99 for r in results),
        mean=min(r.mean for r in results),
    )


def best_time(fn, rounds: int) -> tuple[float, object]:
    """(the fastest of ``rounds`` calls of ``fn`` in seconds, the last call's result)."""
    times, result = [], None
    for _ in range(rounds):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def one_database(args, script: str, what: str, *argv: str) -> str | None:
    """The database this process measures (``args.db``), or None: when both were asked for, the
    script runs once per database in its own process (the app reads BWQ_* once) with ``argv``;
    an unreachable PostgreSQL is reported as skipped."""
    chosen = kinds(args)
    if len(chosen) > 1:
        for kind in chosen:
            subprocess.run([sys.executable, script, "--db", kind, *argv], check=False)
        return None
    if chosen[0] == "postgresql" and (reason := postgres_available()):
        skip(chosen[0], what, reason)
        return None
    return chosen[0]


# -------------------------------------------------------------------------------------- printing


def report(kind: str, what: str, figure: str, floor: str, ratio: float, target: str | None = None) -> None:
    """One line: the figure, the floor measured in the same run, the ratio, the target and
    whether it is met. ``target`` is like ">= 0.8" or "<= 3" (compared with ``ratio``)."""
    verdict = ""
    if target:
        op, limit = target.split()
        met = ratio >= float(limit) if op == ">=" else ratio <= float(limit)
        verdict = f"  [target {op} {limit}: {'met' if met else 'MISSED'}]"
    print(f"[{kind}] {what}: {figure} | floor {floor} | ratio {ratio:.2f}{verdict}", flush=True)


def skip(kind: str, what: str, reason: str) -> None:
    print(f"[{kind}] {what}: skipped, {reason}", flush=True)


# ------------------------------------------------------------------------------------ profiling


@contextlib.contextmanager
def profiled(
    server: ServerURL | int, out: str | None, seconds: float, *, root: str = "Flask.wsgi_app (app.py)"
) -> Iterator[None]:
    """With ``out`` set: py-spy samples every worker of ``server`` (or the process of that id,
    e.g. ``os.getpid()`` for work done in the benchmark's own process) for ``seconds`` (run the
    load inside the block) and a summary of the samples under ``root`` is printed; the collapsed
    stacks are kept in ``out``."""
    if not out:
        yield
        return
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        print("profile: skipped, py-spy is not installed (.venv/bin/pip install py-spy)")
        yield
        return
    pid = server if isinstance(server, int) else server.pid
    cmd = [spy, "record", "--pid", str(pid), "--nonblocking", "-r", "250"]
    cmd += [] if isinstance(server, int) else ["--subprocesses"]
    cmd += ["-d", str(max(1, round(seconds))), "-f", "raw", "-o", out]
    spy_proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    try:
        yield
    finally:
        spy_proc.wait(timeout=seconds + 60)
    summarize_profile(out, root=root)


def summarize_profile(path: str, top: int = 40, *, root: str = "Flask.wsgi_app (app.py)") -> None:
    """Where a request's time goes: for each function, the share of the samples taken inside a
    request (under ``root``, by default ``Flask.wsgi_app``) that have it on the stack, and the
    self time (collapsed stacks from ``py-spy -f raw``)."""
    from collections import Counter

    inclusive, own, total, outside = Counter(), Counter(), 0, 0

    def name(frame: str) -> str:  # "function (path/file.py:line)" -> "function (file.py)"
        func, _, where = frame.partition(" (")
        return f"{func} ({where.split(':')[0].rsplit('/', 1)[-1]})" if where else func

    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [name(f) for f in stack.split(";")]
        if root not in frames:
            outside += int(count)
            continue
        frames = frames[frames.index(root) :]
        total += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
        own[frames[-1]] += int(count)
    if not total:
        print(f"profile: no samples under {root} in {path}")
        return
    print(f"profile: {total} samples under {root} ({outside} outside it: gunicorn, socket I/O, setup); {path}")
    for frame, n in inclusive.most_common(top):
        print(f"  {100 * n / total:5.1f}%  {frame}")
    print("  self time:")
    for frame, n in own.most_common(15):
        print(f"  {100 * n / total:5.1f}%  {frame}")
