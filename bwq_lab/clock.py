"""The one place the edges read the clock. Domain and operations take ``now`` as a parameter;
tests pin it with ``app.config["FIXED_NOW"]``."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, has_app_context


def now() -> datetime:
    if has_app_context():
        fixed = current_app.config.get("FIXED_NOW")
        if fixed is not None:
            return fixed
    return datetime.now(UTC)
