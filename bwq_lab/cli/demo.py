"""seed-demo (demo data work fills this in)."""

import click

from bwq_lab.cli import bwq


@bwq.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only seed when the database has no providers yet.")
def seed_demo(if_empty: bool) -> None:
    """Load the deterministic demo province (TODO)."""
    click.echo("seed-demo: not implemented yet")
