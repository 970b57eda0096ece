"""Finding 10 of issue 7: the OpenAPI document tells the truth."""

from __future__ import annotations

from datetime import UTC, datetime


def test_error_schema_says_errors_is_an_array_as_sent(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    errors = spec["components"]["schemas"]["Error"]["properties"]["errors"]
    assert errors["type"] == "array"
    sent = client.get("/api/v1/bookings").get_json()  # 401: a real error body
    assert isinstance(sent["errors"], list) and set(sent["errors"][0]) >= {"code", "message", "field"}


def test_availability_is_documented_as_public_and_answers_anonymously(app, client, create_instrument):
    with app.app_context():
        instrument_id = create_instrument().id
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["paths"]["/api/v1/instruments/{instrument_id}/availability"]["get"]["security"] == []
    assert (
        client.get(
            f"/api/v1/instruments/{instrument_id}/availability?from=2026-12-01T00:00:00%2B08:00&to=2026-12-08T00:00:00%2B08:00"
        ).status_code
        == 200
    )


def test_retired_instrument_has_no_availability(app, client, create_instrument):
    with app.app_context():
        instrument_id = create_instrument(status="retired").id
    assert client.get(f"/api/v1/instruments/{instrument_id}").status_code == 404
    response = client.get(
        f"/api/v1/instruments/{instrument_id}/availability?from=2026-12-01T00:00:00%2B08:00&to=2026-12-08T00:00:00%2B08:00"
    )
    assert response.status_code == 404 and response.get_json()["errors"][0]["code"] == "NOT_FOUND"


def test_instants_before_1900_keep_a_whole_minute_offset(app):
    from bwq_lab.api.schemas import LocalDateTime

    with app.app_context():
        text = LocalDateTime()._serialize(datetime(1899, 6, 1, 1, 0, tzinfo=UTC), None, None)
    assert text.endswith("+08:00") and "+08:05:43" not in text
