"""seed-demo: load the deterministic demo province (``make run`` calls it; it never seeds twice)."""

from __future__ import annotations

import time

import click

from bwq_lab.cli import bwq


@bwq.command("seed-demo")
def seed_demo() -> None:
    """Load the demo province: providers, instruments, lab services, enterprises and one login per role.

    The data are the same on every run (fixed seed). A database that already has providers is left
    alone. The demo logins share one password, printed below: for a local trial only."""
    from zoneinfo import ZoneInfo

    from flask import current_app

    from bwq_lab import clock, demo
    from bwq_lab.demo.history import seed_history
    from bwq_lab.demo.orders import seed_demo_orders
    from bwq_lab.extensions import db

    started = time.perf_counter()
    result = demo.seed_demo()
    db.session.commit()
    orders = 0
    history = None
    if result.seeded:
        config = current_app.config
        zone, now = ZoneInfo(config["TIMEZONE"]), clock.now()
        orders = seed_demo_orders(now, zone, config["RESULTS_FOLDER"])
        db.session.commit()
        history = seed_history(now, zone, config["RESULTS_FOLDER"])
        db.session.commit()
    elapsed = time.perf_counter() - started

    counts = (
        f"{result.providers} providers, {result.instruments} instruments, {result.services} lab services, "
        f"{result.enterprises} enterprises, {result.users} users"
    )
    if orders:
        counts += f", {orders} lab-service orders"
    if history is not None and history.staff:
        counts += (
            f"; the last twelve months: {history.staff} staff, {history.sessions} sessions"
            f" ({history.no_shows} no-shows, {history.cancelled} cancelled, {history.rejected} rejected),"
            f" {history.batches} delivered batches, {history.records} service records"
        )
    if result.seeded:
        click.echo(f"demo data seeded in {elapsed:.1f} s: {counts}")
    else:
        click.echo(f"already seeded: the database has providers, nothing added ({counts})")
    logins = demo.demo_logins_present()
    if not logins:
        return
    click.echo(f"\nDemo logins (password for all: {demo.DEMO_PASSWORD} -- demo only, never for real accounts):")
    width = max(len(login.email) for login, _user in logins)
    click.echo(f"  {'role':<15} {'e-mail':<{width}}  who")
    for login, user in logins:
        click.echo(f"  {login.role:<15} {login.email:<{width}}  {user.name}{_scope(user)}")


def _scope(user) -> str:
    if user.enterprise is not None:
        return f" @ {user.enterprise.name}"
    if user.provider is not None:
        managed = "all" if user.manages_all else f"{_n(user.instruments, 'instrument')}, {_n(user.services, 'service')}"
        return f" @ {user.provider.name} ({managed})"
    if user.county is not None:
        return f" @ {user.county.name}, {user.city.name}"
    if user.city is not None:
        return f" @ {user.city.name}"
    return " @ 浙江省" if user.role == "province_admin" else ""


def _n(items: list, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"
