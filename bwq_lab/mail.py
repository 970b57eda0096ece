"""E-mail through a transactional outbox.

Operations call ``queue(...)``: the message becomes an ``OutboxMessage`` row in the current
transaction, so it exists only if the change it reports commits (a rollback drops it), and
sending never slows down or breaks the request. The ``deliver_mail`` job sends queued rows
through SMTP when ``MAIL_SERVER`` is set, otherwise writes each as an ``.eml`` file into the
outbox folder (``instance/outbox``) for a developer to read; failures are retried."""

from __future__ import annotations

import importlib
import smtplib
import uuid
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from flask import current_app
from sqlalchemy import insert, select

from bwq_lab.extensions import db
from bwq_lab.models.base import scalar_defaults, utcnow
from bwq_lab.models.outbox import OutboxMessage
from bwq_lab.models.prepared import Prepared

MAX_ATTEMPTS = 5

#: (filename, MIME type, content) of an attachment, made from its facts in a language
Attachment = tuple[str, str, bytes]
_ATTACHMENTS: dict[str, Callable[[dict, str], Attachment]] = {}
#: modules that register attachment makers (imported on first delivery)
ATTACHMENT_MODULES = ("bwq_lab.feeds.ics", "bwq_lab.edge.exports")


def attachment(kind: str) -> Callable:
    """Register the maker of an attachment ``kind``: ``fn(facts, language) -> (filename, mime, bytes)``."""

    def register(fn: Callable[[dict, str], Attachment]) -> Callable[[dict, str], Attachment]:
        _ATTACHMENTS[kind] = fn
        return fn

    return register


def make_attachments(specs: list[dict] | None, language: str | None) -> list[Attachment]:
    if not specs:
        return []
    for module in ATTACHMENT_MODULES:
        importlib.import_module(module)
    language = language or current_app.config["BABEL_DEFAULT_LOCALE"]
    return [_ATTACHMENTS[spec["kind"]](spec, language) for spec in specs]


def queue_template(
    recipients, template: str, *, attachments: list[dict] | None = None, **context
) -> list[OutboxMessage]:
    """Queue ``templates/mail/<template>.txt`` for ``recipients``: (e-mail, language) pairs, one
    message per language. No words here: the facts go in ``context`` (JSON: ids, names, ISO
    instants) and the delivery renders them in each recipient's language. ``attachments`` name
    files by kind and facts (``{"kind": "booking_ics", "booking_id": 7}``), made at delivery."""
    by_language: dict[str, list[str]] = {}
    for email, language in recipients:
        if email:
            by_language.setdefault(language or "", []).append(email)
    messages = []
    for language, emails in by_language.items():
        message = OutboxMessage(
            recipients=emails,
            template=template,
            context=context,
            language=language or None,
            attachments=attachments or None,
        )
        db.session.add(message)
        messages.append(message)
    return messages


_OUTBOX_INSERT = Prepared(
    insert(OutboxMessage.__table__), keys=[c.key for c in OutboxMessage.__table__.c if not c.primary_key]
)
#: what an outbox row stores where a templated message says nothing
_OUTBOX_DEFAULTS = scalar_defaults(OutboxMessage.__table__)


def template_rows(recipients, template: str, *, attachments: list[dict] | None = None, **context) -> list[dict]:
    """The outbox rows of a templated message to ``recipients`` ((e-mail, language) pairs): one
    per language, every column given (for :func:`write_rows`, or a statement of their own)."""
    by_language: dict[str, list[str]] = {}
    for email, language in recipients:
        if email:
            by_language.setdefault(language or "", []).append(email)
    now = utcnow()
    return [
        {
            **_OUTBOX_DEFAULTS,
            "recipients": emails,
            "template": template,
            "context": context,
            "language": language or None,
            "attachments": attachments or None,
            "created_at": now,
        }
        for language, emails in by_language.items()
    ]


def write_rows(rows: list[dict]) -> None:
    """:func:`queue_template` for hot paths: the rows (:func:`template_rows`) are INSERTed at
    once with one Core statement on the transaction's connection instead of waiting for the
    session's next flush (so a booking's commit needs no second flush pass for its e-mail). Same
    transaction, same guarantee: they exist only if the change commits."""
    if rows:
        _OUTBOX_INSERT.execute_many(db.session.connection(), rows)


def queue(to: str | list[str] | tuple[str, ...], subject: str, body: str) -> OutboxMessage | None:
    recipients = [to] if isinstance(to, str) else list(to)
    recipients = [r for r in recipients if r]
    if not recipients:
        return None
    message = OutboxMessage(recipients=recipients, subject=subject[:300], body=body)
    db.session.add(message)
    return message


def deliver_pending(now: datetime, limit: int = 200) -> int:
    """Send queued messages; returns how many went out. Safe to run concurrently on
    PostgreSQL (rows are claimed with SKIP LOCKED) and safe to run twice."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    sent = 0
    for message in db.session.execute(query).scalars():
        message.attempts += 1
        try:
            if message.template:
                message.subject, message.body = render(message.template, message.context or {}, message.language)
            files = make_attachments(message.attachments, message.language)
            deliver(message.recipients, message.subject, message.body, files)
        except Exception as exc:  # noqa: BLE001 - keep it for a retry, record why
            message.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
            current_app.logger.warning("mail %s not delivered: %s", message.id, message.last_error)
            continue
        message.sent_at = now
        message.last_error = None
        sent += 1
    return sent


def render(template: str, context: dict, language: str | None) -> tuple[str, str]:
    """Subject and body of ``templates/mail/<template>.txt`` in ``language`` (the app's default
    language when None). The template sets ``subject`` with ``{% set subject %}…{% endset %}``."""
    from flask_babel import force_locale

    with force_locale(language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        jinja = current_app.jinja_env.get_template(f"mail/{template}.txt")
        module = jinja.make_module({**_mail_globals(), **context})
        body = str(module).strip() + "\n"
        subject = " ".join(str(getattr(module, "subject", "")).split())
    return subject[:300], body


def _mail_globals() -> dict:
    from bwq_lab.edge.links import base_url

    # BWQ_BASE_URL when set (production must set it); otherwise the local run's own address, so a
    # link in an e-mail is never relative
    return {"base_url": base_url(), "timezone": current_app.config["TIMEZONE"]}


def deliver(recipients: list[str], subject: str, body: str, attachments: list[Attachment] | None = None) -> None:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = ", ".join(recipients)
    email["Subject"] = subject
    email.set_content(body)
    for filename, mime, data in attachments or ():
        maintype, _, subtype = mime.partition(";")[0].strip().partition("/")
        params = dict(p.strip().split("=", 1) for p in mime.split(";")[1:] if "=" in p)
        email.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename, params=params)
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
