"""The authorization matrix: every route of ``app.url_map`` × ten roles, each with its expected
outcome, on SQLite and PostgreSQL (issue 7, "keep it closed").

**A new route fails this test until it has an entry in ``EXPECTED``.** To add one, write a line
``"METHOD /rule/<with>/<converters>": allow(...)`` (or ``PUBLIC``, ``SIGNED_IN``, ``ANY``):

    "GET /orders/<int:order_id>": allow(ENT_A, MGR_X),       # the owner and the provider's manager
    "POST /manage/orders/<int:order_id>/accept": allow(MGR_X),

Routes that need a query string to reach their authorization get one from ``QUERIES``.
``allow(*roles)`` means: those roles get past authorization (any answer but 401/403/404 or a
redirect to the sign-in page), the anonymous visitor is sent to sign in (pages) or gets 401 (API),
and every other role gets 403 or 404. Path parameters are filled from the world below (``PARAMS``:
add yours there, e.g. ``"order_id": lambda w: w.order``), and a body for a write from ``BODIES``
when an empty one would be refused before authorization is even checked. See docs/security.md.

The world: provider X (Hangzhou) with instruments I1 (booked by enterprise A) and I2 and lab
service S1; provider Y (Ningbo) with instrument J1; enterprises A (first user + a pending member)
and B. Roles: anonymous, enterprise A, enterprise B, pending member of A, manager of X (all of it),
partial manager of X (I2 only), manager of Y, city admin of Ningbo (another city), county admin of
another county of Hangzhou (X's city, not X's county), province admin.
After a role got through a write, the world is rebuilt, so no role sees another's changes.
CSRF is switched off here (it is tested on its own); pages use a session, the API a bearer token.
"""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from tests.conftest import FIXED_NOW, empty_tables

ANON, ENT_A, ENT_B, PENDING, MGR_X, PARTIAL, MGR_Y, CITY, COUNTY, PROVINCE = ROLES = (
    "anonymous", "enterprise_a", "enterprise_b", "pending_member", "manager_x", "partial_manager",
    "manager_y", "city_admin_other_city", "county_admin_other_county", "province_admin",
)  # fmt: skip
OK, LOGIN, DENY, ANY_OUTCOME = "ok", "login", "deny", "any"


def allow(*roles: str) -> dict[str, str]:
    return {r: OK if r in roles else (LOGIN if r == ANON else DENY) for r in ROLES}


PUBLIC = {r: OK for r in ROLES}
SIGNED_IN = allow(*ROLES[1:])
ANY = {r: ANY_OUTCOME for r in ROLES}
NOBODY = {r: DENY for r in ROLES}  # e.g. a secret-URL feed with a wrong secret: 404 whoever asks
MANAGERS = (MGR_X, PARTIAL, MGR_Y)
ENTERPRISES = (ENT_A, ENT_B)

EXPECTED: dict[str, dict[str, str]] = {
    # public pages
    "GET /": PUBLIC,
    "GET /instruments": PUBLIC,
    "GET /instruments/<int:instrument_id>": PUBLIC,
    "GET /instruments/<int:instrument_id>/photo": PUBLIC,
    "GET /instruments/<int:instrument_id>/book": PUBLIC,  # anyone may look at the week
    "POST /instruments/<int:instrument_id>/book": allow(ENT_A, ENT_B, MGR_X),
    "POST /instruments/<int:instrument_id>/book/check": SIGNED_IN,
    "GET /providers": PUBLIC,
    "GET /providers/<int:provider_id>": PUBLIC,
    "GET /services": PUBLIC,
    "GET /services/<int:service_id>": PUBLIC,
    "GET /static/<path:filename>": PUBLIC,
    "GET /favicon.ico": PUBLIC,
    "POST /notices/dismiss": SIGNED_IN,
    "POST /notices/<int:notice_id>/dismiss": ANY,  # the world has no notice: whose it is, is tested with notices
    # signing in and registering
    "GET /login": PUBLIC,
    "POST /login": PUBLIC,
    "POST /logout": PUBLIC,
    "GET /register": PUBLIC,
    "POST /register": PUBLIC,
    "GET /register/sent": PUBLIC,
    "GET /register/finish/<token>": PUBLIC,
    "POST /register/finish/<token>": ANY,  # creates the account in the link (tested in tests/web)
    # the account page
    "GET /account/": SIGNED_IN,
    "POST /account/profile": SIGNED_IN,
    "POST /account/password": SIGNED_IN,
    "POST /account/sign-out-everywhere": SIGNED_IN,
    "POST /account/tokens": SIGNED_IN,
    "POST /account/tokens/<int:token_id>/revoke": allow(ENT_A),
    "POST /account/members/<int:user_id>": allow(ENT_A),
    "POST /account/feed-token": SIGNED_IN,
    # calendar feeds: the secret in the URL is the only credential (a session does not help)
    "GET /feeds/<token>/mine.ics": NOBODY,
    "GET /feeds/<token>/manager.ics": NOBODY,
    "GET /feeds/instruments/<int:instrument_id>/busy.ics": PUBLIC,
    # lab-service orders (issue 8): the writes and the file downloads are tested role by role in
    # tests/api/test_orders_api.py, tests/web/test_orders_pages.py and tests/operations/test_orders.py
    "GET /services/<int:service_id>/order": SIGNED_IN,
    "POST /services/<int:service_id>/order": ANY,
    "GET /orders": SIGNED_IN,
    "GET /orders/board": allow(*MANAGERS),
    "GET /orders/workdays": allow(*MANAGERS),
    "POST /orders/workdays": ANY,
    "POST /orders/workdays/<int:workday_id>/delete": ANY,
    "GET /orders/<int:order_id>": allow(ENT_A, MGR_X),
    "GET /orders/<int:order_id>/files/<int:file_id>": ANY,
    "POST /orders/<int:order_id>/<any(accept, reject, receive, start, confirm, cancel, reopen):step>": ANY,
    "POST /orders/<int:order_id>/deliver": ANY,
    "POST /orders/<int:order_id>/notes": ANY,
    "GET /api/v1/lab-services/<int:service_id>/capacity": PUBLIC,
    "GET /api/v1/service-orders": SIGNED_IN,
    "POST /api/v1/service-orders": ANY,
    "GET /api/v1/service-orders/<int:order_id>": allow(ENT_A, MGR_X),
    "GET /api/v1/service-orders/<int:order_id>/files/<int:file_id>": ANY,
    "POST /api/v1/service-orders/<int:order_id>/accept": ANY,
    "POST /api/v1/service-orders/<int:order_id>/cancel": ANY,
    "POST /api/v1/service-orders/<int:order_id>/confirm": ANY,
    "POST /api/v1/service-orders/<int:order_id>/deliver": ANY,
    "POST /api/v1/service-orders/<int:order_id>/notes": ANY,
    "POST /api/v1/service-orders/<int:order_id>/receive": ANY,
    "POST /api/v1/service-orders/<int:order_id>/reject": ANY,
    "POST /api/v1/service-orders/<int:order_id>/reopen": ANY,
    "POST /api/v1/service-orders/<int:order_id>/start": ANY,
    # staff and service records (issue 10): the roster is changed by managers of the whole provider,
    # records entered by any of its managers; readers: the enterprise and the region's admins
    "GET /manage/staff": allow(*MANAGERS),
    "GET /manage/staff/new": allow(MGR_X, MGR_Y),
    "POST /manage/staff/new": allow(MGR_X, MGR_Y),
    "GET /manage/staff/<int:staff_id>/edit": allow(MGR_X),
    "POST /manage/staff/<int:staff_id>/edit": allow(MGR_X),
    "POST /manage/staff/<int:staff_id>/active": allow(MGR_X),
    "GET /service-records": SIGNED_IN,  # each reads their own (an empty list for the others)
    "GET /manage/service-records/new": allow(*MANAGERS),
    "POST /manage/service-records/new": allow(*MANAGERS),
    "GET /manage/service-records/<int:record_id>/edit": allow(MGR_X),  # the partial manager did not enter it
    "POST /manage/service-records/<int:record_id>/edit": allow(MGR_X),
    "POST /manage/service-records/<int:record_id>/delete": allow(MGR_X),
    "GET /manage/enterprises/search": allow(*MANAGERS),
    "GET /api/v1/staff": allow(*MANAGERS, CITY, COUNTY, PROVINCE),  # admins: their region's (empty here)
    "POST /api/v1/staff": allow(MGR_X, MGR_Y),
    "GET /api/v1/staff/<int:staff_id>": allow(MGR_X, PARTIAL, PROVINCE),
    "PATCH /api/v1/staff/<int:staff_id>": allow(MGR_X),
    "GET /api/v1/service-records": SIGNED_IN,
    "POST /api/v1/service-records": allow(*MANAGERS),  # Y's manager: 422, S is not Y's staff
    "GET /api/v1/service-records/<int:record_id>": allow(ENT_A, MGR_X, PARTIAL, PROVINCE),
    "PATCH /api/v1/service-records/<int:record_id>": allow(MGR_X),
    "DELETE /api/v1/service-records/<int:record_id>": allow(MGR_X),
    # bookings (pages)
    "GET /bookings": SIGNED_IN,
    "GET /bookings/<int:booking_id>": allow(ENT_A, MGR_X, PROVINCE),  # the province oversees every booking
    "GET /bookings/<int:booking_id>.ics": allow(ENT_A, MGR_X, PROVINCE),
    "POST /bookings/<int:booking_id>/move": allow(ENT_A, MGR_X),
    "POST /bookings/<int:booking_id>/cancel": allow(ENT_A, MGR_X),
    "POST /bookings/<int:booking_id>/check-in": allow(ENT_A, MGR_X),
    "POST /bookings/<int:booking_id>/check-out": allow(ENT_A, MGR_X),
    "POST /bookings/<int:booking_id>/confirm-use": allow(MGR_X),  # managers confirm a closed session's use
    # managing
    "GET /manage/approvals": allow(*MANAGERS),
    "POST /manage/approvals/<int:booking_id>/approve": allow(MGR_X),
    "POST /manage/approvals/<int:booking_id>/reject": allow(MGR_X),
    "POST /manage/approvals/bulk": allow(*MANAGERS),
    "GET /manage/closures": allow(MGR_X, MGR_Y),
    "POST /manage/closures": allow(MGR_X, MGR_Y),
    "POST /manage/closures/<int:closure_id>/delete": allow(MGR_X),
    "GET /manage/instruments": allow(*MANAGERS),
    "GET /manage/instruments/new": allow(*MANAGERS),
    "POST /manage/instruments/new": allow(*MANAGERS),
    "GET /manage/instruments/<int:instrument_id>/edit": allow(MGR_X),
    "POST /manage/instruments/<int:instrument_id>/edit": allow(MGR_X),
    "GET /manage/instruments/<int:instrument_id>/calendar": allow(MGR_X),
    "GET /manage/instruments/<int:instrument_id>/collisions": allow(MGR_X),
    "POST /manage/instruments/<int:instrument_id>/collisions": allow(MGR_X),
    "GET /manage/instruments/<int:instrument_id>/maintenance": allow(MGR_X),
    "POST /manage/instruments/<int:instrument_id>/maintenance": allow(MGR_X),
    "POST /manage/instruments/<int:instrument_id>/maintenance/<int:window_id>/delete": allow(MGR_X),
    "GET /manage/instruments/<int:instrument_id>/qualifications": allow(MGR_X),
    "POST /manage/instruments/<int:instrument_id>/qualifications": allow(MGR_X),
    "POST /manage/instruments/<int:instrument_id>/qualifications/<int:qualification_id>/revoke": allow(MGR_X),
    "GET /manage/services": allow(*MANAGERS),
    "GET /manage/services/new": allow(*MANAGERS),
    "POST /manage/services/new": allow(*MANAGERS),
    "GET /manage/services/<int:service_id>/edit": allow(MGR_X),
    "POST /manage/services/<int:service_id>/edit": allow(MGR_X),
    # administration
    "GET /admin/": allow(CITY, COUNTY, PROVINCE),
    "POST /admin/enterprises/<int:enterprise_id>/verify": allow(PROVINCE),  # A is not in the city admin's city
    "POST /admin/verification": allow(CITY),
    "GET /admin/providers": allow(CITY, COUNTY, PROVINCE),
    "GET /admin/providers/<int:provider_id>": allow(PROVINCE),  # X is not in the city admin's city
    "GET /admin/providers/new": allow(PROVINCE),
    "POST /admin/providers/new": allow(PROVINCE),
    "GET /admin/providers/<int:provider_id>/edit": allow(PROVINCE),
    "POST /admin/providers/<int:provider_id>/edit": allow(PROVINCE),
    "POST /admin/providers/<int:provider_id>/managers": allow(PROVINCE),
    "GET /admin/audit": allow(PROVINCE),
    "GET /admin/jobs": allow(PROVINCE),
    # the goal dashboard (issue 10): each reader their own area (tests/reports/test_goal_dashboard.py)
    "GET /reports/goals": allow(MGR_X, PARTIAL, MGR_Y, CITY, COUNTY, PROVINCE),
    "GET /reports/goals/targets": allow(PROVINCE),
    "POST /reports/goals/targets": allow(PROVINCE),
    # the API (bearer tokens; "login" means 401)
    "GET /api/v1/openapi.json": PUBLIC,
    "GET /api/v1/docs": PUBLIC,
    "GET /api/v1/me": SIGNED_IN,
    "POST /api/v1/me/feed-token": SIGNED_IN,
    "GET /api/v1/instruments": PUBLIC,
    "GET /api/v1/instruments/<int:instrument_id>": PUBLIC,
    "GET /api/v1/instruments/<int:instrument_id>/availability": PUBLIC,
    "GET /api/v1/lab-services": PUBLIC,
    "GET /api/v1/lab-services/<int:service_id>": PUBLIC,
    "GET /api/v1/providers": PUBLIC,
    "GET /api/v1/providers/<int:provider_id>": PUBLIC,
    "GET /api/v1/slots": SIGNED_IN,
    "GET /api/v1/bookings": SIGNED_IN,
    "POST /api/v1/bookings": allow(ENT_A, ENT_B, MGR_X),
    "GET /api/v1/bookings/<int:booking_id>": allow(ENT_A, MGR_X, PROVINCE),
    "PATCH /api/v1/bookings/<int:booking_id>": allow(ENT_A, MGR_X),
    "POST /api/v1/bookings/<int:booking_id>/approve": allow(MGR_X),
    "POST /api/v1/bookings/<int:booking_id>/reject": allow(MGR_X),
    "POST /api/v1/bookings/<int:booking_id>/cancel": allow(ENT_A, MGR_X),
    "POST /api/v1/bookings/<int:booking_id>/check-in": allow(ENT_A, MGR_X),
    "POST /api/v1/bookings/<int:booking_id>/check-out": allow(ENT_A, MGR_X),
    # the programme's figures (issue 10): every reader gets their own area's (a pending member none);
    # another area's ids are 404, tested in tests/reports/test_reports_api.py
    "GET /api/v1/reports/summary": allow(ENT_A, ENT_B, MGR_X, PARTIAL, MGR_Y, CITY, COUNTY, PROVINCE),
    "GET /api/v1/reports/goals": allow(ENT_A, ENT_B, MGR_X, PARTIAL, MGR_Y, CITY, COUNTY, PROVINCE),
    # report files (issue 11): provider X's quarterly report (QUERIES) for its managers and the
    # province; Y's manager and the other city's admin get 404; a statement is its enterprise's own
    "GET /reports/quarterly": allow(MGR_X, PARTIAL, PROVINCE),
    "GET /reports/statement": allow(ENT_A, ENT_B),
    "GET /api/v1/reports/quarterly": allow(MGR_X, PARTIAL, PROVINCE),
    "GET /api/v1/reports/statement": allow(ENT_A, ENT_B),
    "GET /reports/monthly": allow(MGR_X, PARTIAL, PROVINCE),  # X's (QUERIES): not Y's manager, not Ningbo's
    "GET /reports/city-year": allow(PROVINCE),  # Hangzhou's (QUERIES): not Ningbo's admin
}

PARAMS = {
    "instrument_id": lambda w: w.i1,
    "booking_id": lambda w: w.booking,
    "provider_id": lambda w: w.x,
    "service_id": lambda w: w.s1,
    "window_id": lambda w: w.window,
    "closure_id": lambda w: w.closure,
    "qualification_id": lambda w: w.qualification,
    "token_id": lambda w: w.token,
    "user_id": lambda w: w.pending_member,
    "enterprise_id": lambda w: w.enterprise_a,
    "notice_id": lambda w: 1,
    "token": lambda w: w.registration_link,
    "filename": lambda w: "css/app.css",
    "order_id": lambda w: w.order,
    "file_id": lambda w: 1,  # the world's order has no file: the file routes are tested in tests/api, tests/web
    "workday_id": lambda w: w.workday,
    "staff_id": lambda w: w.staff,
    "record_id": lambda w: w.record,
}

#: a query string for routes that need one to reach their authorization (``key: world -> dict``)
QUERIES = {
    "GET /reports/quarterly": lambda w: {"year": 2026, "quarter": 4, "provider_id": w.x, "format": "xlsx"},
    "GET /api/v1/reports/quarterly": lambda w: {"year": 2026, "quarter": 4, "provider_id": w.x},
    "GET /reports/statement": lambda w: {"from": "2026-10-01", "to": "2026-12-31", "format": "csv"},
    "GET /api/v1/reports/statement": lambda w: {"from": "2026-10-01", "to": "2026-12-31"},
    "GET /reports/monthly": lambda w: {"year": 2026, "provider_id": w.x, "format": "xlsx"},
    "GET /reports/city-year": lambda w: {"year": 2026, "city_id": w.hz, "format": "xlsx"},
}

BODIES = {
    "POST /api/v1/bookings": lambda w: {
        "instrument_id": w.i1,
        "start": "2026-12-04T10:00:00+08:00",
        "end": "2026-12-04T11:00:00+08:00",
        "purpose": "XRD",
    },  # fmt: skip
    "PATCH /api/v1/bookings/<int:booking_id>": lambda w: {
        "start": "2026-12-04T14:00:00+08:00",
        "end": "2026-12-04T15:00:00+08:00",
    },  # fmt: skip
    "POST /bookings/<int:booking_id>/move": lambda w: {"date": "2026-12-04", "start": "14:00", "end": "15:00"},
    "POST /account/members/<int:user_id>": lambda w: {"approve": "Approve"},
    "POST /api/v1/bookings/<int:booking_id>/reject": lambda w: {"reason": "no operator"},
    "POST /api/v1/bookings/<int:booking_id>/cancel": lambda w: {"reason": "plans changed"},
    "POST /api/v1/bookings/<int:booking_id>/approve": lambda w: {},
    "POST /api/v1/bookings/<int:booking_id>/check-in": lambda w: {},
    "POST /api/v1/bookings/<int:booking_id>/check-out": lambda w: {},
    "POST /api/v1/staff": lambda w: {"name": "新员工"},
    "POST /api/v1/service-records": lambda w: {
        "enterprise_id": w.enterprise_a,
        "day": "2026-11-30",
        "kind": "training",
        "staff_ids": [w.staff],
        "content": "培训",
    },  # fmt: skip
    "POST /instruments/<int:instrument_id>/book": lambda w: {
        "date": "2026-12-04",
        "start": "10:00",
        "duration": "60",
        "purpose": "XRD",
    },  # fmt: skip
}


def route_keys(app) -> list[str]:
    keys = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            keys.append(f"{method} {rule.rule}")
    return sorted(keys)


def test_every_route_has_an_entry(app):
    """A new route needs a line in EXPECTED (see the module docstring); a removed one, its line gone."""
    keys = set(route_keys(app))
    missing = sorted(keys - set(EXPECTED))
    stale = sorted(set(EXPECTED) - keys)
    assert not missing, (
        "routes without an entry in EXPECTED (tests/security/test_authorization_matrix.py):\n" + "\n".join(missing)
    )
    assert not stale, "entries for routes that no longer exist:\n" + "\n".join(stale)


# ------------------------------------------------------------------------------------ the world
def _build(app) -> SimpleNamespace:
    import os
    import random

    from bwq_lab.domain.uscc import generate
    from bwq_lab.extensions import db
    from bwq_lab.models import (
        ApiToken,
        Booking,
        Enterprise,
        Instrument,
        LabService,
        MaintenanceWindow,
        Provider,
        ProviderClosure,
        Qualification,
        Region,
        User,
        UserSession,
    )  # fmt: skip

    rng = random.Random(3)
    with app.app_context():

        def city(name):
            return db.session.execute(select(Region).where(Region.level == "city", Region.name == name)).scalar_one()

        hz, nb = city("杭州"), city("宁波")
        x = Provider(
            name="提供方X", name_en="Provider X", kind="university", city_id=hz.id, region_id=hz.children[0].id
        )
        y = Provider(name="提供方Y", name_en="Provider Y", kind="institute", city_id=nb.id, region_id=nb.children[0].id)
        db.session.add_all([x, y])
        db.session.flush()
        common = dict(model="M", manufacturer="Maker", category="electron_microscopy", price_internal_fen=100,
                      price_external_fen=200, approval_required=True)  # fmt: skip
        i1 = Instrument(provider_id=x.id, name="仪器1", name_en="I1", photo_path="instruments/matrix.png", **common)
        i2 = Instrument(provider_id=x.id, name="仪器2", name_en="I2", **common)
        j1 = Instrument(provider_id=y.id, name="仪器J", name_en="J1", **common)
        s1 = LabService(
            provider_id=x.id,
            name="服务1",
            name_en="S1",
            kind="testing_analysis",
            price_internal_fen=100,
            price_external_fen=100,
        )
        ea = Enterprise(name="企业A", uscc=generate(rng, hz.code), category="tech_sme", city_id=hz.id,
                        region_id=hz.children[0].id)  # fmt: skip
        eb = Enterprise(name="企业B", uscc=generate(rng, hz.code), category="tech_sme", city_id=hz.id,
                        region_id=hz.children[0].id)  # fmt: skip
        db.session.add_all([i1, i2, j1, s1, ea, eb])
        db.session.flush()

        def user(role, **values):
            u = User(email=f"{role}@matrix.example", name=role, password_hash="-", role=values.pop("kind"), **values)
            db.session.add(u)
            return u

        users = {
            ENT_A: user(ENT_A, kind="enterprise", enterprise_id=ea.id),
            ENT_B: user(ENT_B, kind="enterprise", enterprise_id=eb.id),
            MGR_X: user(MGR_X, kind="manager", provider_id=x.id, manages_all=True),
            PARTIAL: user(PARTIAL, kind="manager", provider_id=x.id, manages_all=False),
            MGR_Y: user(MGR_Y, kind="manager", provider_id=y.id, manages_all=True),
            CITY: user(CITY, kind="city_admin", city_id=nb.id),
            COUNTY: user(COUNTY, kind="county_admin", city_id=hz.id, county_id=hz.children[1].id),
            PROVINCE: user(PROVINCE, kind="province_admin"),
        }
        db.session.flush()
        users[ENT_A].created_at = FIXED_NOW - timedelta(days=30)
        users[PENDING] = user(PENDING, kind="enterprise", enterprise_id=ea.id, membership="pending")
        users[PARTIAL].instruments.append(i2)
        db.session.flush()
        start = FIXED_NOW + timedelta(days=2)
        booking = Booking(instrument_id=i1.id, user_id=users[ENT_A].id, enterprise_id=ea.id, start_at=start,
                          end_at=start + timedelta(hours=1), blocked_until=start + timedelta(hours=1),
                          status="pending", purpose="XRD")  # fmt: skip
        window = MaintenanceWindow(instrument_id=i1.id, start_at=start + timedelta(days=3),
                                   end_at=start + timedelta(days=3, hours=2), reason="service")  # fmt: skip
        closure = ProviderClosure(provider_id=x.id, start_at=start + timedelta(days=10),
                                  end_at=start + timedelta(days=11), reason="holiday")  # fmt: skip
        qualification = Qualification(user_id=users[ENT_A].id, instrument_id=i1.id)
        token, _plain = ApiToken.issue(users[ENT_A], "matrix")
        db.session.add_all([booking, window, closure, qualification, token])
        db.session.flush()
        sessions, headers = {}, {}
        for role, u in users.items():
            row, key = UserSession.open(u.id, ip="127.0.0.1", user_agent="matrix")
            db.session.add(row)
            sessions[role] = f"{u.id}:{u.session_version}:{key}"
            api_token, plain = ApiToken.issue(u, "matrix-api")
            db.session.add(api_token)
            headers[role] = {"Authorization": f"Bearer {plain}"}
        db.session.commit()

        from bwq_lab.models import ProviderWorkday, ServiceOrder

        order = ServiceOrder(
            service_id=s1.id, provider_id=x.id, user_id=users[ENT_A].id, enterprise_id=ea.id, samples=2,
            status="submitted", hazard="none",
        )  # fmt: skip
        workday = ProviderWorkday(provider_id=x.id, day=FIXED_NOW.date() + timedelta(days=5), reason="调休")
        db.session.add_all([order, workday])
        db.session.commit()

        from bwq_lab.models import ServiceRecord, Staff

        staff = Staff(provider_id=x.id, name="员工S")
        record = ServiceRecord(provider_id=x.id, enterprise_id=ea.id, day=FIXED_NOW.date() - timedelta(days=3),
                               kind="consultation", content="诊断", staff=[staff])  # fmt: skip
        db.session.add_all([staff, record])
        db.session.commit()

        folder = os.path.join(app.config["UPLOAD_FOLDER"], "instruments")
        os.makedirs(folder, exist_ok=True)
        from PIL import Image

        Image.new("RGB", (4, 4)).save(os.path.join(folder, "matrix.png"))
        from itsdangerous import URLSafeTimedSerializer

        link = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="bwq-registration").dumps(
            dict(name="新用户", email="new@matrix.example", enterprise_name="新企业", uscc=generate(rng, hz.code),
                 city_id=hz.id, county_id=hz.children[0].id, category="tech_sme", password_hash="-", locale="en")
        )  # fmt: skip
        return SimpleNamespace(
            x=x.id, y=y.id, i1=i1.id, s1=s1.id, booking=booking.id, window=window.id, closure=closure.id,
            qualification=qualification.id, token=token.id, pending_member=users[PENDING].id, enterprise_a=ea.id,
            registration_link=link, sessions=sessions, headers=headers, order=order.id, workday=workday.id, hz=hz.id,
            staff=staff.id, record=record.id,
        )  # fmt: skip


def _url(key: str, world) -> str:
    path = key.split(" ", 1)[1]
    url = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(PARAMS[m.group(1)](world)), path)
    if key in QUERIES:
        url += "?" + urlencode(QUERIES[key](world))
    return url


#: a 422 that lists one of these is a refusal of *who* asks, not of what they sent
DENIAL_CODES = {"NOT_PERMITTED", "NOT_ACTIVE_MEMBER", "FORBIDDEN", "NOT_APPROVER"}
DENIAL_WORDS = ("You are not permitted to book this instrument", "Only approved members", "has not approved your")


def _outcome(response, api: bool) -> str:
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    location = response.headers.get("Location", "")
    if status == 401 or (status in (301, 302, 303) and "/login" in location and "next=" in location):
        return LOGIN
    if status in (403, 404):
        return DENY
    if status == 422:
        if response.is_json:
            if DENIAL_CODES & {e.get("code") for e in response.get_json().get("errors", [])}:
                return DENY
        elif any(words in response.get_data(as_text=True) for words in DENIAL_WORDS):
            return DENY
    return OK


def _request(app, key: str, role: str, world):
    method, _path = key.split(" ", 1)
    api = _path.startswith("/api/")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    headers = {}
    if role != ANON:
        if api:
            headers = world.headers[role]
        else:
            with client.session_transaction() as session:
                session["_user_id"] = world.sessions[role]
                session["_fresh"] = True
    url = _url(key, world)
    body = BODIES.get(key)
    kwargs = {}
    if api and method != "GET":
        kwargs["json"] = body(world) if body else {}
    elif method != "GET":
        kwargs["data"] = body(world) if body else {}
    return client.open(url, method=method, headers=headers, **kwargs), api


@pytest.fixture
def matrix_app(app, frozen_clock, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    return app


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_route_answers_each_role_as_expected(matrix_app, key):
    app = matrix_app
    expected = EXPECTED[key]
    method = key.split(" ", 1)[0]
    world = _build(app)
    wrong = []
    for role in ROLES:
        response, api = _request(app, key, role, world)
        got = _outcome(response, api)
        want = expected[role]
        if want != ANY_OUTCOME and got != want or got.startswith("server error"):
            wrong.append(f"{role}: expected {want}, got {got} ({response.status_code})")
        if method != "GET" and got == OK:
            empty_tables(app)  # an allowed write may have changed the world: the next role gets a fresh one
            world = _build(app)
    assert not wrong, f"{key}:\n  " + "\n  ".join(wrong)
