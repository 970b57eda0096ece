"""Operator commands: ``flask --app app bwq ...``."""

import click
from flask.cli import AppGroup

bwq = AppGroup("bwq", help="BWQ Lab operator commands.")


@bwq.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    from flask_migrate import upgrade

    upgrade()
    click.echo("database is at the newest migration")


@bwq.command("rebuild-rollup")
def rebuild_rollup() -> None:
    """Rebuild the figures' rollup from every session, batch and service record (after a bulk load
    or a change of TIMEZONE; the write paths keep it exact otherwise)."""
    from zoneinfo import ZoneInfo

    from flask import current_app

    from bwq_lab.extensions import db
    from bwq_lab.operations import rollup
    from bwq_lab.operations.transactions import begin_write

    begin_write()
    keys = rollup.rebuild(db.session, tz=ZoneInfo(current_app.config["TIMEZONE"]))
    db.session.commit()
    click.echo(f"figures' rollup rebuilt: {keys} (enterprise, provider, day) keys")


@bwq.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the app for a local trial (threaded dev server, no reloader).

    Production runs gunicorn instead: see docs/operations.md."""
    from flask import current_app

    from bwq_lab.jobs import build_scheduler

    app = current_app._get_current_object()
    # the jobs run here once (no reloader, so never twice); production runs `bwq scheduler`
    scheduler = build_scheduler(app, background=True)
    scheduler.start()
    click.echo(f"BWQ Lab on http://{host}:{port}  (Ctrl+C to stop)")
    from werkzeug.serving import run_simple

    try:  # app.run() refuses to serve from inside a `flask` command, so serve with werkzeug directly
        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
    finally:
        scheduler.shutdown(wait=False)


# command modules register themselves on the group
from bwq_lab.cli import accounts, demo, jobs  # noqa: E402, F401
