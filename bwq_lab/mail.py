"""E-mail that goes out only after the transaction commits.

Operations call ``queue(...)``; the message waits in the session until the commit succeeds and
is dropped on rollback. Delivery goes through SMTP when ``MAIL_SERVER`` is set, otherwise each
message is written as an ``.eml`` file to the outbox folder (``instance/outbox``) for a developer
to read."""

from __future__ import annotations

import smtplib
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from flask import current_app, has_app_context
from flask_sqlalchemy.session import Session
from sqlalchemy import event

from bwq_lab.extensions import db

_KEY = "bwq_mail_queue"


@dataclass(frozen=True)
class Mail:
    to: tuple[str, ...]
    subject: str
    body: str


def queue(to: str | list[str] | tuple[str, ...], subject: str, body: str) -> None:
    recipients = (to,) if isinstance(to, str) else tuple(to)
    recipients = tuple(r for r in recipients if r)
    if recipients:
        db.session.info.setdefault(_KEY, []).append(Mail(recipients, subject, body))


def pending() -> list[Mail]:
    return list(db.session.info.get(_KEY, []))


@event.listens_for(Session, "after_commit")
def _send_after_commit(session) -> None:
    messages = session.info.pop(_KEY, None)
    if messages and has_app_context():
        for message in messages:
            try:
                deliver(message)
            except Exception:  # noqa: BLE001 - a mail failure must never undo a committed booking
                current_app.logger.exception("could not deliver mail %r", message.subject)


@event.listens_for(Session, "after_soft_rollback")
def _drop_on_rollback(session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_KEY, None)


def deliver(message: Mail) -> None:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = ", ".join(message.to)
    email["Subject"] = message.subject
    email.set_content(message.body)
    if config.get("MAIL_SERVER"):
        with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25), timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(email)
        return
    outbox = Path(config["OUTBOX_FOLDER"])
    outbox.mkdir(parents=True, exist_ok=True)
    (outbox / f"{uuid.uuid4().hex}.eml").write_bytes(bytes(email))
