"""E-mails about bookings, queued in the transactional outbox (sent only if the change commits).

No words here: each message names a template under ``templates/mail/`` and carries the facts it
needs; the delivery renders it in each recipient's own language (``User.locale``).
"""

from __future__ import annotations

from sqlalchemy import exists, or_, select

from bwq_lab import mail
from bwq_lab.extensions import db
from bwq_lab.models import Booking, Instrument, Notice, Provider, User
from bwq_lab.models.user import managed_instruments


def managers_of(instrument: Instrument) -> list[tuple[str, str | None]]:
    """(e-mail, language) of the managers of ``instrument``."""
    rows = db.session.execute(
        select(User.email, User.locale).where(
            User.role == "manager",
            User.provider_id == instrument.provider_id,
            or_(
                User.manages_all.is_(True),
                exists().where(
                    managed_instruments.c.user_id == User.id,
                    managed_instruments.c.instrument_id == instrument.id,
                ),
            ),
        )
    ).all()
    return [(email, locale) for email, locale in rows]


def booking_facts(booking: Booking, instrument: Instrument) -> dict:
    """What every booking e-mail shows: what, when, where, and the link back."""
    provider = db.session.get(Provider, instrument.provider_id)
    return {
        "booking_id": booking.id,
        "status": str(booking.status),
        "instrument": instrument.name,
        "instrument_en": instrument.name_en or instrument.name,
        "provider": provider.name if provider else "",
        "provider_en": (provider.name_en or provider.name) if provider else "",
        "location": " ".join(x for x in ((provider.address if provider else ""), instrument.location or "") if x),
        "start": booking.start_at.isoformat(),
        "end": booking.end_at.isoformat(),
        "purpose": booking.purpose or "",
    }


def notify_created(booking: Booking, instrument: Instrument, actor: User) -> None:
    """The booking's e-mails, written at once (``mail.write_rows``: the create path's last
    write before the commit, so the commit has nothing left to flush)."""
    mail.write_rows(created_mail(booking, instrument, actor))


def created_mail(booking: Booking, instrument: Instrument, actor: User) -> list[dict]:
    """The outbox rows of a new booking: confirmed to its user, or requested (to its user) and
    to decide (to the instrument's managers)."""
    facts = booking_facts(booking, instrument)
    if booking.status != "pending":
        return mail.template_rows(
            [(actor.email, actor.locale)], "booking_confirmed", attachments=_ics(booking), **facts
        )
    rows = mail.template_rows([(actor.email, actor.locale)], "booking_requested", **facts)
    managers = [m for m in managers_of(instrument) if m[0] != actor.email]
    if managers:
        rows += mail.template_rows(
            managers, "booking_to_decide", requester=actor.name, requester_email=actor.email, **facts
        )
    return rows


def tell(users: list[User], kind: str, booking: Booking | None, attachments=None, **facts) -> None:
    """E-mail (the outbox template ``kind``) and an on-page notice for each user."""
    users = [u for u in users if u is not None]
    mail.queue_template([(u.email, u.locale) for u in users], kind, attachments=attachments, **facts)
    for user in users:
        db.session.add(Notice(user_id=user.id, kind=kind, booking_id=booking.id if booking else None, context=facts))


def manager_users(instrument: Instrument) -> list[User]:
    """The users who manage ``instrument`` (all of its provider's, or assigned)."""
    return list(
        db.session.execute(
            select(User).where(
                User.role == "manager",
                User.provider_id == instrument.provider_id,
                or_(
                    User.manages_all.is_(True),
                    exists().where(
                        managed_instruments.c.user_id == User.id,
                        managed_instruments.c.instrument_id == instrument.id,
                    ),
                ),
            )
        ).scalars()
    )


def notify_owner(booking: Booking, what: str, reason: str | None) -> None:
    """Tell the booking's owner it was approved, rejected or cancelled (by someone else)."""
    tell(
        [booking.user],
        f"booking_{what}",
        booking,
        attachments=_ics(booking) if what == "approved" else None,
        reason=reason or "",
        **booking_facts(booking, booking.instrument),
    )


def _ics(booking: Booking) -> list[dict]:
    """The booking's .ics, attached to the e-mail that confirms it (made at delivery)."""
    return [{"kind": "booking_ics", "booking_id": booking.id}]


def notify_managers(booking: Booking, kind: str, actor: User, reason: str | None) -> None:
    """Tell the instrument's managers (but not the actor) what a user did to a booking."""
    managers = [m for m in manager_users(booking.instrument) if m.id != actor.id]
    facts = booking_facts(booking, booking.instrument)
    tell(managers, kind, booking, reason=reason or "", who=actor.name, who_email=actor.email, **facts)


def notify_moved(booking: Booking, actor: User, old_start, old_end, reason: str | None) -> None:
    """A move tells the other side: the lab's move its owner, the owner's move the managers
    (who may have to decide it again). Old and new times are in the facts."""
    old = {"old_start": old_start.isoformat(), "old_end": old_end.isoformat()}
    if booking.user_id != actor.id:
        tell(
            [booking.user],
            "booking_moved_by_lab",
            booking,
            attachments=_ics(booking) if booking.status == "approved" else None,
            reason=reason or "",
            **old,
            **booking_facts(booking, booking.instrument),
        )
    else:
        managers = [m for m in manager_users(booking.instrument) if m.id != actor.id]
        facts = booking_facts(booking, booking.instrument)
        tell(managers, "booking_moved_by_user", booking, who=actor.name, who_email=actor.email, **old, **facts)


def notify_no_show(booking: Booking) -> None:
    """The owner learns that the session was recorded as a no-show."""
    tell([booking.user], "booking_no_show", booking, reason="", **booking_facts(booking, booking.instrument))
