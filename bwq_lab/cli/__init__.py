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


@bwq.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the app for a local trial (threaded dev server, no reloader).

    Production runs gunicorn instead: see docs/operations.md."""
    from flask import current_app

    click.echo(f"BWQ Lab on http://{host}:{port}  (Ctrl+C to stop)")
    current_app.run(host=host, port=port, threaded=True, use_reloader=False, debug=False)


# command modules register themselves on the group
from bwq_lab.cli import accounts, demo  # noqa: E402, F401
