"""The summaries as files: ``GET /api/v1/reports/summary?format=csv|xlsx``, the monthly summary
pages and the city's yearly work summary — read back with openpyxl and csv and checked against the
figures worked out by hand for the figures' small province (tests/reports/conftest.py: world)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.conftest import PASSWORD, password_hash
from tests.reports.test_figures import HANGZHOU, NINGBO, PROVINCE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def tokens(app, world, token_for, user_of, frozen_clock):
    with app.app_context():
        return {name: token_for(user_of(name)) for name in world.users}


@pytest.fixture
def sign_in(app, client, user_of, login):
    def do(name: str):
        from bwq_lab.extensions import db

        with app.app_context():
            user = user_of(name)
            user.password_hash = password_hash(PASSWORD)
            db.session.commit()
            login(user)

    return do


def sheet_rows(response, index=0):
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    assert response.mimetype == XLSX
    book = load_workbook(io.BytesIO(response.data))
    return book, [[c.value for c in row] for row in book.worksheets[index].iter_rows()]


def as_cell(key, value):
    """A figure as the workbook holds it: money in yuan, everything else as is."""
    if value is None:
        return None
    return value / 100 if key.endswith("_fen") else value


def test_summary_api_as_xlsx_and_csv(client, world, tokens):
    from bwq_lab.reports.figures import FIGURES

    query = {"from": "2026-11-01", "to": "2026-11-30", "group_by": "city"}
    book, rows = sheet_rows(client.get("/api/v1/reports/summary", query_string={**query, "format": "xlsx"},
                                       headers=tokens["province"]))  # fmt: skip
    assert rows[0][0] == "Summary of the figures" and rows[1][0] == "Area: The province"
    header = rows[3]
    assert header[0] == "Group" and header[1:4] == ["Instrument sessions", "Booked hours", "Effective hours"]
    assert len(header) == 1 + len(FIGURES)
    body = {row[0]: dict(zip(FIGURES, row[1:], strict=True)) for row in rows[4:]}
    for name, expected in (("Hangzhou", HANGZHOU), ("Ningbo", NINGBO), ("Total", PROVINCE)):
        assert body[name] == {k: as_cell(k, v) for k, v in expected.items()}, name
    assert book.worksheets[0]["X5"].number_format == "#,##0.00"  # external revenue, in yuan
    response = client.get(
        "/api/v1/reports/summary", query_string={**query, "format": "csv"}, headers=tokens["province"]
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    total = dict(zip(FIGURES, table[-1][1:], strict=True))
    assert (total["sessions"], total["effective_hours"], total["sharing_rate"]) == ("6", "6.50", "84.6%")
    assert (total["revenue_external_fen"], total["agreements_paid_fen"]) == ("2450.00", "5060000.00")
    assert total["median_approval_hours"] == "14.00"
    json = client.get("/api/v1/reports/summary", query_string=query, headers=tokens["province"])
    assert json.is_json and json.get_json()["totals"] == PROVINCE


def test_summary_api_files_keep_the_readers_area(client, world, tokens):
    query = {"from": "2026-11-01", "to": "2026-11-30", "format": "xlsx"}
    _book, rows = sheet_rows(client.get("/api/v1/reports/summary", query_string=query, headers=tokens["nb_admin"]))
    assert rows[1][0] == "Area: Ningbo" and rows[4][0] == "Total" and rows[4][1] == NINGBO["sessions"]
    other = client.get(
        "/api/v1/reports/summary", query_string={**query, "city_id": world.hz}, headers=tokens["nb_admin"]
    )
    assert other.status_code == 404
    bad = client.get("/api/v1/reports/summary", query_string={**query, "format": "pdf"}, headers=tokens["nb_admin"])
    assert bad.status_code == 422


def test_monthly_summary_of_the_province(client, world, sign_in):
    sign_in("province")
    page = client.get("/reports/monthly?year=2026")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="months-table"' in html and 'id="instruments-table"' in html and "download-xlsx" in html
    book, months = sheet_rows(client.get("/reports/monthly?year=2026&format=xlsx"))
    assert [s.title for s in book.worksheets] == ["Months", "Top instruments", "Lab services", "Service records"]
    header, body = months[3], months[4:]
    column = {name: n for n, name in enumerate(header)}
    assert len(body) == 13  # January to December, then the totals
    october, november, total = body[9], body[10], body[12]
    assert november[column["Instrument sessions"]] == PROVINCE["sessions"]
    assert november[column["Lab-service batches"]] == PROVINCE["batches"]
    assert november[column["External revenue (yuan)"]] == PROVINCE["revenue_external_fen"] / 100
    # October by hand: b8 (I3, started 10-31 23:00), o2 (first delivered 10-28), r4 (10-31)
    assert (october[column["Instrument sessions"]], october[column["Lab-service batches"]],
            october[column["Service records"]]) == (1, 1, 1)  # fmt: skip
    assert total[0] == "Total" and total[column["Instrument sessions"]] == 7
    assert (total[column["Lab-service batches"]], total[column["Service records"]]) == (3, 4)
    assert body[0][column["Instrument sessions"]] == 0  # January: nothing yet
    _book, instruments = sheet_rows(client.get("/reports/monthly?year=2026&format=xlsx"), index=1)
    # I1: b1 b2 b3 b7; I3: b8 b10; I2: b4 (the no-shows do not count)
    assert [(row[0], row[1]) for row in instruments[4:]] == [("I1 en", 4), ("I3 en", 2), ("I2 en", 1)]
    _book, services = sheet_rows(client.get("/reports/monthly?year=2026&format=xlsx"), index=2)
    # L1: o1 (November, 5 samples) and o2 (first delivered in October, 3); L3: o3 (2); o4 never delivered
    assert [row[1:3] for row in services[4:]] == [[2, 8], [1, 2]]
    response = client.get("/reports/monthly?year=2026&format=csv&table=records")
    assert (
        response.status_code == 200
        and "monthly-summary-2026-province-records.csv" in response.headers["Content-Disposition"]
    )
    records = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert records[0] == ["Service records by kind"]
    by_kind = {row[0]: row[1] for row in records[4:]}
    assert by_kind == {"Technical consultation and needs diagnosis": "2", "Training": "1", "Technology transfer": "1"}


def test_monthly_summary_scoped_by_role(client, world, sign_in):
    sign_in("m1")
    page = client.get("/reports/monthly?year=2026").get_data(as_text=True)
    assert "P1 en" in page
    _book, months = sheet_rows(client.get("/reports/monthly?year=2026&format=xlsx"))
    assert months[1][0] == "Area: P1 en" and months[-1][1] == 4  # b1 b2 b3 b7
    assert client.get(f"/reports/monthly?year=2026&provider_id={world.p3}").status_code == 404


def test_monthly_summary_another_city_is_404(client, world, sign_in):
    sign_in("nb_admin")
    assert client.get(f"/reports/monthly?year=2026&city_id={world.hz}").status_code == 404
    assert client.get(f"/reports/monthly?year=2026&provider_id={world.p1}&format=xlsx").status_code == 404
    _book, months = sheet_rows(client.get(f"/reports/monthly?year=2026&provider_id={world.p3}&format=xlsx"))
    assert months[1][0] == "Area: P3 en"


def test_city_year_summary(client, world, sign_in):
    sign_in("hz_admin")
    page = client.get("/reports/city-year?year=2026")
    assert page.status_code == 200 and 'id="counties-table"' in page.get_data(as_text=True)
    book, counties = sheet_rows(client.get("/reports/city-year?year=2026&format=xlsx"))
    assert [s.title for s in book.worksheets] == ["By county", "By provider"]
    assert counties[0][0] == "Yearly work summary 2026" and counties[1][0] == "City: Hangzhou"
    header = counties[3]
    assert header[1:] == ["Providers taking part", "Scientists and teams", "Enterprises served", "Enterprise-visits",
                          "Instrument sessions", "Lab-service batches", "Service records",
                          "Cooperation agreements signed", "Paid under agreements (yuan)",
                          "Provincial science-plan projects", "New technologies and results"]  # fmt: skip
    total = counties[-1]
    # Hangzhou's 2026 by hand: sessions b1 b2 b3 b7 (P1) and b4 (P2); batches o1 and o2 (P1, first
    # delivered 10-28); records r2 (P1), r1 and r4 (P2); r1's agreement paid ¥60,000 with 1 result
    assert total[0] == "Total" and total[5:] == [5, 2, 3, 1, 60000, 0, 1]
    _book, providers = sheet_rows(client.get("/reports/city-year?year=2026&format=xlsx"), index=1)
    rows = {row[0]: row[5:8] for row in providers[4:-1]}
    assert rows == {"P1 en": [4, 2, 1], "P2 en": [1, 0, 2]}


def test_city_year_summary_access(client, world, sign_in):
    sign_in("nb_admin")
    assert client.get(f"/reports/city-year?year=2026&city_id={world.hz}").status_code == 404
    _book, counties = sheet_rows(client.get("/reports/city-year?year=2026&format=xlsx"))
    assert counties[1][0] == "City: Ningbo"
    client.post("/logout")
    sign_in("county_admin")
    assert client.get("/reports/city-year?year=2026").status_code == 403
    client.post("/logout")
    sign_in("province")
    chooser = client.get("/reports/city-year?year=2026")
    assert chooser.status_code == 200 and "Choose a city to see its summary." in chooser.get_data(as_text=True)
    _book, counties = sheet_rows(client.get(f"/reports/city-year?year=2026&city_id={world.nb}&format=xlsx"))
    assert counties[1][0] == "City: Ningbo" and counties[-1][5] == 2  # b8 (October) and b10


@pytest.mark.parametrize("items", [True, False], ids=["item-tables", "rows"])
@pytest.mark.parametrize("top", [1, 2, 3, 20])
def test_the_instrument_ranking_counts_its_candidates_only_and_ranks_as_if_it_counted_all(
    ctx, world, top, items, monkeypatch
):
    """The monthly summary counts the instruments' figures only for those that can rank among the
    top by sessions (every one with as many as the top-th: ties included); the list is the one
    ranked over every instrument. Both ways: from the instruments' months (the item tables), and
    counted from the sessions (the path of a period that is not whole months)."""
    from datetime import date

    from bwq_lab.extensions import db
    from bwq_lab.reports import figures
    from bwq_lab.reports.monthly import INSTRUMENT_FIGURES, monthly_report
    from bwq_lab.reports.scope import PROVINCE as province
    from tests.reports.conftest import TZ

    if not items:
        monkeypatch.setattr(figures, "item_sums", lambda *args: None)
    every = figures.summary(
        db.session, province, date(2026, 1, 1), date(2026, 12, 31), group_by="instrument", tz=TZ,
        figures=INSTRUMENT_FIGURES, with_totals=False,
    )  # fmt: skip
    served = [g for g in every.groups if g.figures["sessions"] or g.figures["effective_hours"]]
    served.sort(key=lambda g: (-(g.figures["sessions"] or 0), -(g.figures["effective_hours"] or 0), g.name))
    listed = monthly_report(db.session, province, 2026, tz=TZ, top=top).instruments
    assert [(g.key, g.figures) for g in listed] == [(g.key, g.figures) for g in served[:top]]
    assert len(served) >= 3  # the hand-made world has instruments enough to choose among
