"""The service-order API: create, list, read, every lifecycle step, result files, capacity,
and who gets 404."""

from __future__ import annotations

import io

import pytest

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def setup(app, frozen_clock, create_provider, create_service, create_user, create_enterprise, token_for, tmp_path):
    from bwq_lab.extensions import db

    saved = app.config["RESULTS_FOLDER"]
    app.config["RESULTS_FOLDER"] = str(tmp_path / "results")
    with app.app_context():
        provider = create_provider()
        service = create_service(provider=provider, daily_capacity=5, turnaround_days=1, max_samples=50)
        manager = create_user("manager", provider=provider, manages_all=True)
        enterprise = create_enterprise()
        out = {
            "service_id": service.id,
            "manager": token_for(manager),
            "alice": token_for(create_user("enterprise", enterprise=enterprise)),
            "alice2": token_for(create_user("enterprise", enterprise=enterprise)),
            "bob": token_for(create_user("enterprise")),
            "other_manager": token_for(create_user("manager")),
        }
        db.session.expunge_all()
    yield out
    app.config["RESULTS_FOLDER"] = saved


def order(client, setup, **overrides):
    data = {"service_id": setup["service_id"], "samples": 7, "sample_description": "涂层样品", "project_code": "RD-9"}
    data.update(overrides)
    return client.post("/api/v1/service-orders", json=data, headers=setup["alice"])


def post(client, path, headers, **json):
    return client.post(path, json=json, headers=headers)


def deliver(client, order_id, headers, *files, note="done"):
    data = {"note": note, "files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(
        f"/api/v1/service-orders/{order_id}/deliver", data=data, headers=headers, content_type="multipart/form-data"
    )


def test_the_whole_flow_through_the_api(client, setup):
    r = order(client, setup, requested_date="2026-12-03")
    assert r.status_code == 201, r.json
    oid = r.json["id"]
    assert r.json["status"] == "submitted" and r.json["quoted_fee_fen"] == 7 * 50000 and r.json["fee_fen"] is None
    assert r.json["actions"] == ["cancel"]
    r = post(client, f"/api/v1/service-orders/{oid}/accept", setup["manager"])
    assert r.status_code == 200, r.json
    assert r.json["plan"] == [{"day": "2026-12-02", "samples": 5}, {"day": "2026-12-03", "samples": 2}]
    assert r.json["promised_date"] == "2026-12-04" and r.json["meets_request"] is False
    assert r.json["earliest_feasible"] == "2026-12-04" and r.json["fee_fen"] == 350000
    assert post(client, f"/api/v1/service-orders/{oid}/receive", setup["manager"]).json["status"] == "samples_received"
    assert post(client, f"/api/v1/service-orders/{oid}/start", setup["manager"]).json["status"] == "in_progress"
    r = deliver(client, oid, setup["manager"], ("结果 报告.pdf", PDF))
    assert r.status_code == 200, r.json
    assert r.json["status"] == "delivered" and r.json["first_delivered_at"]
    file_url = r.json["files"][0]["url"]
    got = client.get(file_url, headers=setup["alice2"])
    assert got.status_code == 200 and got.data == PDF
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert "%E7%BB%93%E6%9E%9C" in got.headers["Content-Disposition"]  # 结果, RFC 5987
    r = post(client, f"/api/v1/service-orders/{oid}/confirm", setup["alice"])
    assert r.status_code == 200 and r.json["status"] == "closed"
    history = [e["action"] for e in r.json["history"]]
    assert history == ["submit", "accept", "receive", "start", "deliver", "confirm"]


def test_another_enterprise_and_another_provider_get_404_everywhere(client, setup):
    oid = order(client, setup).json["id"]
    post(client, f"/api/v1/service-orders/{oid}/accept", setup["manager"])
    post(client, f"/api/v1/service-orders/{oid}/receive", setup["manager"])
    post(client, f"/api/v1/service-orders/{oid}/start", setup["manager"])
    file_url = deliver(client, oid, setup["manager"], ("r.pdf", PDF)).json["files"][0]["url"]
    for who in ("bob", "other_manager"):
        headers = setup[who]
        assert client.get(f"/api/v1/service-orders/{oid}", headers=headers).status_code == 404
        assert client.get(file_url, headers=headers).status_code == 404
        for action in ("accept", "reject", "receive", "start", "confirm", "cancel", "reopen"):
            payload = {"reason": "x"} if action in ("reject", "cancel", "reopen") else {}
            r = post(client, f"/api/v1/service-orders/{oid}/{action}", headers, **payload)
            assert r.status_code == 404, (who, action, r.json)
            assert r.json["errors"][0]["code"] == "ORDER_NOT_FOUND"
        assert deliver(client, oid, headers, ("x.pdf", PDF)).status_code == 404
    assert client.get(f"/api/v1/service-orders/{oid}/files/999", headers=setup["alice"]).status_code == 404
    assert client.get("/api/v1/service-orders", headers=setup["bob"]).json["total"] == 0
    assert client.get("/api/v1/service-orders?scope=managed", headers=setup["other_manager"]).json["total"] == 0
    assert client.get(f"/api/v1/service-orders/{oid}").status_code == 401


def test_forbidden_transition_is_409_with_a_clear_message(client, setup):
    oid = order(client, setup).json["id"]
    post(client, f"/api/v1/service-orders/{oid}/accept", setup["manager"])
    r = deliver(client, oid, setup["manager"], ("r.pdf", PDF))
    assert r.status_code == 409
    error = r.json["errors"][0]
    assert error["code"] == "INVALID_TRANSITION"
    assert error["message"] == "A lab-service order that is accepted (scheduled) cannot be delivered"
    r = post(client, f"/api/v1/service-orders/{oid}/accept", setup["manager"])
    assert r.status_code == 409
    assert post(client, f"/api/v1/service-orders/{oid}/accept", setup["alice"]).status_code == 403


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"samples": 0}, "samples"),
        ({"samples": "three"}, "samples"),
        ({"hazard": "explosive"}, "hazard"),
        ({"requested_date": "next week"}, "requested_date"),
        ({"service_id": None}, "service_id"),
    ],
)
def test_bad_input_is_422_naming_the_field(client, setup, payload, field):
    r = order(client, setup, **payload)
    assert r.status_code == 422 and field in {e["field"] for e in r.json["errors"]}, r.json
    assert client.get("/api/v1/service-orders", headers=setup["alice"]).json["total"] == 0


def test_rules_are_422_with_every_problem(client, setup):
    r = order(client, setup, samples=60, hazard="radioactive", requested_date="2026-11-01")
    assert r.status_code == 422
    assert {e["code"] for e in r.json["errors"]} == {"TOO_MANY_SAMPLES", "HAZARD_NOT_ACCEPTED", "REQUESTED_DATE_PAST"}
    assert all(e["message"] for e in r.json["errors"])
    assert order(client, setup, service_id=99999).status_code == 404


def test_reject_and_reopen_need_reasons_cancel_frees_capacity(client, setup):
    oid = order(client, setup).json["id"]
    r = post(client, f"/api/v1/service-orders/{oid}/reject", setup["manager"])
    assert r.status_code == 422 and r.json["errors"][0]["code"] == "REASON_REQUIRED"
    assert post(client, f"/api/v1/service-orders/{oid}/reject", setup["manager"], reason="不在范围").status_code == 200
    second = order(client, setup, samples=5).json["id"]
    post(client, f"/api/v1/service-orders/{second}/accept", setup["manager"])
    cap = client.get(f"/api/v1/lab-services/{setup['service_id']}/capacity?from=2026-12-02&to=2026-12-03").json
    assert [(d["day"], d["used"], d["free"]) for d in cap["days"]] == [("2026-12-02", 5, 0), ("2026-12-03", 0, 5)]
    assert post(client, f"/api/v1/service-orders/{second}/cancel", setup["alice"]).json["status"] == "cancelled"
    cap = client.get(f"/api/v1/lab-services/{setup['service_id']}/capacity?from=2026-12-02&to=2026-12-02").json
    assert cap["days"][0]["used"] == 0


def test_bad_uploads_are_422_and_store_nothing(client, setup, app):
    from pathlib import Path

    oid = order(client, setup).json["id"]
    for action in ("accept", "receive", "start"):
        post(client, f"/api/v1/service-orders/{oid}/{action}", setup["manager"])
    app.config["RESULT_FILE_MAX_BYTES"] = 1000
    try:
        cases = [
            (("evil.pdf", b"MZ\x90\x00binary"), "FILE_TYPE_NOT_ACCEPTED"),
            (("../../x.pdf", PDF), "FILE_NAME_UNSAFE"),
            (("big.pdf", PDF + b"0" * 2000), "FILE_TOO_LARGE"),
            (("fake.png", PDF), "FILE_TYPE_MISMATCH"),
        ]
        for upload, code in cases:
            r = deliver(client, oid, setup["manager"], ("ok.pdf", PDF), upload)
            assert r.status_code == 422 and r.json["errors"][0]["code"] == code, r.json
            assert r.json["errors"][0]["field"] == "files" and r.json["errors"][0]["message"]
        r = deliver(client, oid, setup["manager"])
        assert r.status_code == 422 and r.json["errors"][0]["code"] == "FILE_REQUIRED"
    finally:
        app.config["RESULT_FILE_MAX_BYTES"] = 50 * 1024 * 1024
    folder = Path(app.config["RESULTS_FOLDER"])
    assert not folder.exists() or list(folder.iterdir()) == []
    assert client.get(f"/api/v1/service-orders/{oid}", headers=setup["alice"]).json["status"] == "in_progress"


def test_result_files_may_exceed_the_page_upload_limit(client, setup, app):
    oid = order(client, setup).json["id"]
    for action in ("accept", "receive", "start"):
        post(client, f"/api/v1/service-orders/{oid}/{action}", setup["manager"])
    big = PDF + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1024)
    r = deliver(client, oid, setup["manager"], ("large.pdf", big))
    assert r.status_code == 200, r.status_code
    assert r.json["files"][0]["size"] == len(big)


def test_capacity_gives_the_earliest_completion_and_quote(client, setup):
    r = client.get(f"/api/v1/lab-services/{setup['service_id']}/capacity?samples=12")
    assert r.status_code == 200
    # 5 a day from Wed 12-02: Wed, Thu, Fri; report 1 working day later: Mon 12-07
    assert r.json["earliest_completion"] == "2026-12-07" and r.json["quote_fen"] == 12 * 50000
    assert len(r.json["days"]) == 28 and r.json["days"][3]["working"] is False  # Saturday
    assert (
        client.get(f"/api/v1/lab-services/{setup['service_id']}/capacity?from=2026-12-10&to=2026-12-01").status_code
        == 422
    )
    assert (
        client.get(f"/api/v1/lab-services/{setup['service_id']}/capacity?from=2026-12-01&to=2027-06-01").status_code
        == 422
    )
    assert client.get("/api/v1/lab-services/99999/capacity").status_code == 404


def test_list_filters(client, setup):
    first = order(client, setup).json["id"]
    order(client, setup, samples=2)
    post(client, f"/api/v1/service-orders/{first}/accept", setup["manager"])
    r = client.get("/api/v1/service-orders?status=accepted", headers=setup["alice2"])
    assert [o["id"] for o in r.json["items"]] == [first]
    r = client.get(
        f"/api/v1/service-orders?scope=managed&service={setup['service_id']}&from=2026-12-01T00:00:00%2B08:00",
        headers=setup["manager"],
    )
    assert r.json["total"] == 2
    assert client.get("/api/v1/service-orders?status=bogus", headers=setup["alice"]).status_code == 422
    assert client.get("/api/v1/service-orders?scope=managed", headers=setup["alice"]).status_code == 403
