"""Server-rendered pages: one blueprint per area."""

from flask import Flask


def register(app: Flask) -> None:
    from bwq_lab.web import (
        account,
        admin,
        auth,
        bookings,
        catalogue,
        goals,
        jobs,
        main,
        manage,
        orders,
        records,
        reports,
    )

    for module in (main, auth, account, catalogue, manage, admin, jobs, bookings, orders, records, goals, reports):
        app.register_blueprint(module.bp)
