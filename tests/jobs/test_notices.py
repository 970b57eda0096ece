"""Qualification expiry warnings: a week ahead, once per expiry, in the holder's language."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import FIXED_NOW


def _outbox():
    from bwq_lab import mail
    from bwq_lab.extensions import db
    from bwq_lab.models import OutboxMessage

    db.session.commit()  # end the test's read snapshot: the jobs commit in their own sessions
    rows = db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
    return [(m.recipients[0], *mail.render(m.template, m.context, m.language)) for m in rows]


def _warn(app, now):
    from bwq_lab.jobs import find, run_job

    return run_job(app, find("qualification_warnings"), now)


def test_warned_once_a_week_ahead_in_their_language_with_where_and_what_next(
    app, ctx, create_user, create_instrument, create_provider
):
    from bwq_lab.extensions import db
    from bwq_lab.models import Qualification

    provider = create_provider(address="杭州市西湖区余杭塘路866号", contact_email="lab@zju.example.cn")
    instrument = create_instrument(provider=provider, location="紫金港校区 化学楼 101")
    zh = create_user("enterprise", locale="zh")
    en = create_user("enterprise", locale="en")
    later = create_user("enterprise")
    db.session.add_all(
        [
            Qualification(user_id=zh.id, instrument_id=instrument.id, expires_at=FIXED_NOW + timedelta(days=6)),
            Qualification(user_id=en.id, instrument_id=instrument.id, expires_at=FIXED_NOW + timedelta(days=7)),
            Qualification(user_id=later.id, instrument_id=instrument.id, expires_at=FIXED_NOW + timedelta(days=8)),
        ]
    )
    db.session.commit()
    base = app.config.get("BASE_URL")
    app.config["BASE_URL"] = "https://lab.example.cn"
    try:
        assert _warn(app, FIXED_NOW) == 2
        assert _warn(app, FIXED_NOW) == 0  # the rerun sends nothing
        assert _warn(app, FIXED_NOW + timedelta(hours=6)) == 0
        sent = _outbox()  # rendered as delivery renders it, with BASE_URL
    finally:
        app.config["BASE_URL"] = base
    assert [to for to, _, _ in sent] == [zh.email, en.email]
    (_, zh_subject, zh_body), (_, en_subject, en_body) = sent
    assert "资格" in zh_subject and "场发射扫描电子显微镜" in zh_subject and "2026-12-07" in zh_subject
    assert "Field-emission scanning electron microscope" in en_subject and "2026-12-08" in en_subject
    for body in (zh_body, en_body):
        assert "紫金港校区 化学楼 101" in body
        assert f"https://lab.example.cn/instruments/{instrument.id}" in body
        assert "lab@zju.example.cn" in body
    assert "renew" in en_body and "2026-12-08 09:00" in en_body
    assert "续期" in zh_body or "续" in zh_body
    # a day later the third one enters the week
    assert _warn(app, FIXED_NOW + timedelta(days=1)) == 1
    assert _outbox()[-1][0] == later.email


def test_renewed_or_revoked_qualifications_are_not_warned_and_a_new_expiry_is(app, ctx, create_user, create_instrument):
    from bwq_lab.extensions import db
    from bwq_lab.models import Qualification

    instrument = create_instrument()
    renewed, revoked = create_user("enterprise"), create_user("enterprise")
    old = Qualification(user_id=renewed.id, instrument_id=instrument.id, expires_at=FIXED_NOW + timedelta(days=2))
    db.session.add_all(
        [
            old,
            Qualification(user_id=renewed.id, instrument_id=instrument.id, expires_at=FIXED_NOW + timedelta(days=365)),
            Qualification(
                user_id=revoked.id,
                instrument_id=instrument.id,
                expires_at=FIXED_NOW + timedelta(days=2),
                revoked_at=FIXED_NOW,
            ),
        ]
    )
    db.session.commit()
    assert _warn(app, FIXED_NOW) == 0
    # the long one is withdrawn: the short one is warned; moving its expiry warns again, once
    db.session.execute(
        Qualification.__table__.update()
        .where(Qualification.expires_at > FIXED_NOW + timedelta(days=30))
        .values(revoked_at=FIXED_NOW)
    )
    db.session.commit()
    assert _warn(app, FIXED_NOW) == 1
    old = db.session.get(Qualification, old.id)
    old.expires_at = FIXED_NOW + timedelta(days=3)
    db.session.commit()
    assert _warn(app, FIXED_NOW) == 1
    assert _warn(app, FIXED_NOW) == 0


def test_catch_up_after_a_day_of_downtime_warns_each_once(app, ctx, create_user, create_instrument):
    from bwq_lab.extensions import db
    from bwq_lab.models import Qualification

    instrument = create_instrument()
    users = [create_user("enterprise") for _ in range(3)]
    for days, user in zip((6.5, 7, 7.4), users, strict=True):
        db.session.add(
            Qualification(user_id=user.id, instrument_id=instrument.id, expires_at=FIXED_NOW + timedelta(days=days))
        )
    db.session.commit()
    # the scheduler was down yesterday and the day before: today's run catches all three up
    assert _warn(app, FIXED_NOW + timedelta(days=1)) == 3
    assert _warn(app, FIXED_NOW + timedelta(days=1, minutes=1)) == 0
    assert sorted(to for to, _, _ in _outbox()) == sorted(u.email for u in users)
