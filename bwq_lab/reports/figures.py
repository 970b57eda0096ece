"""The programme's figures, defined once (docs/indicators.md is their prose twin).

``summary(session, scope, first_day, last_day, group_by=..., tz=...)`` counts every figure over
whole local days ``first_day..last_day`` inside a :class:`~bwq_lab.reports.scope.Scope`, in total
and per group. Everything is a SQL aggregate (COUNT, SUM, COUNT DISTINCT, a median); Python only
adds a handful of numbers, names the groups and computes the opening hours of the instruments'
distinct policies (``bwq_lab.domain.indicators``).

What is counted, from which rows (counted at local time, Asia/Shanghai):

- *sessions* (台次): bookings completed, at the local day of their start; *no-shows* likewise;
- *batches* (批次): lab-service orders by their first delivery (a re-test never counts again);
- *service records*: by their (local) day.

The counts come from two modules: ``reports.rolled`` reads the rollup (one row per enterprise,
provider and local day) for every grouping that is a function of that key (ROLLUP_GROUPINGS);
``reports.counted`` counts the rows themselves for the finer groupings, the median approval time
and the opening hours, and is the oracle the rollup is tested against. This module decides which
answers, and assembles, finishes and names the figures.

Groupings that do not apply to a kind of row leave it out: grouped by instrument there are no
batches or service records, by service kind only batches, by record kind only service records.
Their figures are ``None`` in such groups (not 0: nothing was counted).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bwq_lab.domain import catalogue as vocabulary
from bwq_lab.domain import indicators
from bwq_lab.models import Instrument, LabService, Provider, Region
from bwq_lab.refusals import Problem, Refusal
from bwq_lab.reports.counted import (
    SERVICES,
    TOTAL,
    Frame,
    applies,
    batch_sums,
    completed_sessions,
    leaders,
    median_approval,
    opening_minutes,
    participation,
    record_sums,
    session_sums,
    staff,
    tune,
)
from bwq_lab.reports.rolled import (
    Row,
    item_sums,
    member_counts,
    month_sums,
    rolled_part,
    rolled_staff,
    rolled_sums,
)
from bwq_lab.reports.scope import Scope

#: figure keys in display order
FIGURES: tuple[str, ...] = (
    "sessions",
    "booked_hours",
    "effective_hours",
    "external_hours",
    "sharing_rate",
    "utilisation",
    "no_shows",
    "no_show_rate",
    "median_approval_hours",
    "batches",
    "samples",
    "service_records",
    "service_hours",
    "enterprises",
    "enterprise_visits",
    "staff",
    "providers",
    "agreements",
    "agreements_paid_fen",
    "provincial_projects",
    "results",
    "revenue_internal_fen",
    "revenue_external_fen",
)
#: figures whose groups add up to the total when every row falls in exactly one group (grouped by
#: provider, provider kind, city, county or month). Hours are rounded per group: their sum may
#: differ from the total by the rounding.
ADDITIVE: frozenset[str] = frozenset(
    {
        "sessions",
        "booked_hours",
        "effective_hours",
        "external_hours",
        "no_shows",
        "batches",
        "samples",
        "service_records",
        "service_hours",
        "enterprise_visits",
        "agreements",
        "agreements_paid_fen",
        "provincial_projects",
        "results",
        "revenue_internal_fen",
        "revenue_external_fen",
    }
)
GROUPINGS: tuple[str, ...] = (
    "provider",
    "provider_kind",
    "city",
    "county",
    "instrument",
    "instrument_category",
    "service_kind",
    "service",
    "record_kind",
    "enterprise_category",
    "month",
)

# which kinds of row each figure is made of (a figure is None in a group where none applies)
_SOURCES = {
    "sessions": ("sessions",),
    "booked_hours": ("sessions",),
    "effective_hours": ("sessions",),
    "external_hours": ("sessions",),
    "sharing_rate": ("sessions",),
    "utilisation": ("opening",),
    "no_shows": ("sessions",),
    "no_show_rate": ("sessions",),
    "median_approval_hours": ("approvals",),
    "batches": ("batches",),
    "samples": ("batches",),
    "service_records": ("records",),
    "service_hours": ("records",),
    "enterprises": ("sessions", "batches", "records"),
    "enterprise_visits": ("sessions", "batches", "records"),
    "staff": ("sessions", "batches", "records"),
    "providers": ("sessions", "batches", "records"),
    "agreements": ("records",),
    "agreements_paid_fen": ("records",),
    "provincial_projects": ("records",),
    "results": ("records",),
    "revenue_internal_fen": ("sessions", "batches"),
    "revenue_external_fen": ("sessions", "batches"),
}


@dataclass
class Group:
    key: int | str | None  # an id, a vocabulary code, or "YYYY-MM"; None: rows without one
    name: str  # Chinese name
    name_en: str
    figures: dict[str, int | float | None] = field(default_factory=dict)


@dataclass
class Summary:
    first_day: date
    last_day: date
    group_by: str | None
    totals: dict[str, int | float | None]
    groups: list[Group]
    scope: Scope | None = None


def make_frame(
    session: Session, scope: Scope, first_day: date, last_day: date, *, tz: ZoneInfo, group_by=None, keys=None
) -> Frame:
    problems = []
    if group_by is not None and group_by not in GROUPINGS:
        problems.append(Problem("UNKNOWN_GROUPING", field="group_by", params={"group_by": group_by}))
    if first_day > last_day:
        problems.append(
            Problem(
                "PERIOD_REVERSED", field="to", params={"first": first_day.isoformat(), "last": last_day.isoformat()}
            )
        )
    if problems:
        raise Refusal(422, problems)
    if keys is not None and group_by in ROLLUP_GROUPINGS:
        raise ValueError("only the groupings counted from the rows count chosen groups")
    return Frame(session.get_bind().dialect.name, scope, first_day, last_day, tz, group_by, keys)


# ------------------------------------------------------------------------------- the rollup
#: groupings whose every group is a function of the rollup's key (enterprise, provider, local day):
#: the rollup (``models/rollup.py``, kept by ``operations/rollup.py``) answers every figure made of
#: service rows; the others (instrument, instrument category, service kind, service, record kind)
#: count the rows themselves
ROLLUP_GROUPINGS: frozenset[str | None] = frozenset(
    {None, "provider", "provider_kind", "city", "county", "month", "enterprise_category"}
)


# ------------------------------------------------------------------------------------ assembly
#: the raw numbers each kind of row gives (summed over groups when a grouping partitions every row)
_RAW_FIELDS = {
    "sessions": ("sessions", "no_shows", "booked", "effective", "external", "revenue_internal", "revenue_external"),
    "batches": ("batches", "samples", "revenue_internal", "revenue_external"),
    "records": ("records", "minutes", "agreements", "paid", "projects", "results"),
}
#: groupings that put every counted row in exactly one group: the totals' sums are the groups' sums
PARTITIONS = frozenset({"provider", "provider_kind", "city", "county", "month", "enterprise_category"})


#: the counts each figure is made from (a summary of some figures runs only theirs)
_NEEDS: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        ("sessions", "booked_hours", "effective_hours", "external_hours", "sharing_rate", "no_shows", "no_show_rate"),
        frozenset({"sessions"}),
    ),
    "utilisation": frozenset({"sessions", "opening"}),
    "median_approval_hours": frozenset({"approvals"}),
    **dict.fromkeys(("batches", "samples"), frozenset({"batches"})),
    **dict.fromkeys(
        (
            "service_records",
            "service_hours",
            "agreements",
            "agreements_paid_fen",
            "provincial_projects",
            "results",
        ),
        frozenset({"records"}),
    ),
    **dict.fromkeys(("enterprises", "enterprise_visits", "providers"), frozenset({"participation"})),
    "staff": frozenset({"staff"}),
    **dict.fromkeys(("revenue_internal_fen", "revenue_external_fen"), frozenset({"sessions", "batches"})),
}
assert set(_NEEDS) == set(FIGURES)


def _needed(wanted: tuple[str, ...]) -> frozenset[str]:
    return frozenset().union(*(_NEEDS[name] for name in wanted))


def _parts(session: Session, frame: Frame, needed: frozenset[str], with_total: bool = False) -> dict:
    def run(part: str, count, source: str | None = None):
        return count() if part in needed and applies(frame, source or part) else None

    if frame.group_by in ROLLUP_GROUPINGS:  # every service row's key: the rollup answers
        counts = needed & {"sessions", "batches", "records", "participation"}
        distinct = "participation" in needed
        sums = _rolled_participation(session, frame, with_total, distinct) if counts else {}
        people = None
        if "staff" in needed:
            people = member_counts(session, frame, "staff", with_total)
            people = rolled_staff(session, frame, with_total) if people is None else people
        return {
            "sessions": run("sessions", lambda: rolled_part(sums, "sessions")),
            "batches": run("batches", lambda: rolled_part(sums, "batches")),
            "records": run("records", lambda: rolled_part(sums, "records")),
            "participation": sums if distinct else {},
            "staff": people or {},
            "approvals": run("approvals", lambda: median_approval(session, frame, with_total)),
            "opening": run("opening", lambda: opening_minutes(session, frame)),
            "serves": True,
        }
    return {
        "sessions": run("sessions", lambda: _itemised(session, frame, "sessions", session_sums)),
        "batches": run("batches", lambda: _itemised(session, frame, "batches", batch_sums)),
        "records": run("records", lambda: _itemised(session, frame, "records", record_sums)),
        "participation": participation(session, frame, with_total) if "participation" in needed else {},
        "staff": staff(session, frame, with_total) if "staff" in needed else {},
        "approvals": run("approvals", lambda: median_approval(session, frame, with_total)),
        "opening": run("opening", lambda: opening_minutes(session, frame)),
        "serves": any(applies(frame, source) for source in SERVICES),
    }


def _itemised(session: Session, frame: Frame, source: str, count) -> dict:
    """A kind of row's sums per instrument, lab service or record kind from the item tables when
    they answer the frame (whole months of an area or a provider), else counted from the rows."""
    found = item_sums(session, frame, source)
    return count(session, frame) if found is None else found


def busiest(session: Session, frame: Frame, top: int) -> tuple | None:
    """The groups that can rank among the ``top`` by completed sessions (``counted.leaders``)."""
    found = item_sums(session, frame, "sessions")
    if found is None:
        return leaders(completed_sessions(session, frame), top)
    return leaders({key: row.sessions for key, row in found.items() if row.sessions}, top)


def _rolled_participation(session: Session, frame: Frame, with_total: bool, distinct: bool) -> dict:
    """The rollup's sums, 家次 and (with ``distinct``) the distinct enterprises and providers per
    group and in total: from the month and area tables when they answer the frame (whole months;
    periods from 1 January or a month's first day), else from the day table's keys."""
    sums = month_sums(session, frame)
    if not distinct:
        return rolled_sums(session, frame, distinct=False) if sums is None else sums
    people = {kind: member_counts(session, frame, kind, with_total) for kind in ("enterprise", "provider")}
    if any(found is None for found in people.values()):
        return rolled_sums(session, frame, with_total, distinct=True)
    if sums is None:
        sums = rolled_sums(session, frame, distinct=False)
    enterprises, providers = people["enterprise"], people["provider"]
    return {
        key: Row(
            {
                **(sums[key]._mapping if key in sums else {}),
                "enterprises": enterprises.get(key, 0),
                "providers": providers.get(key, 0),
            }
        )
        for key in sums.keys() | enterprises.keys() | providers.keys()
    }


def _raw(parts: dict, key) -> dict[str, dict | float | None]:
    """The raw numbers of one group: per kind of row a dict of sums (None: the kind does not
    apply), and the distinct counts, the median and the opening minutes."""
    raw: dict[str, Any] = {}
    for source, names in _RAW_FIELDS.items():
        rows = parts[source]
        row = rows.get(key) if rows is not None else None
        raw[source] = None if rows is None else {n: float(getattr(row, n) or 0) if row else 0.0 for n in names}
    participation = parts["participation"].get(key)
    for name in ("visits", "enterprises", "providers"):
        raw[name] = getattr(participation, name) if participation else 0
    raw["staff"] = parts["staff"].get(key, 0)
    raw["median"] = parts["approvals"].get(key) if parts["approvals"] is not None else None
    raw["opening"] = parts["opening"].get(key, 0) if parts["opening"] is not None else None
    raw["serves"] = parts["serves"]
    return raw


def _sum_raws(raws: list[dict]) -> dict:
    """The totals' raw numbers as the sum of a partition's groups (distinct counts, the median and
    the opening minutes are the caller's: they do not add up)."""
    total: dict[str, Any] = {}
    for source, names in _RAW_FIELDS.items():
        present = [r[source] for r in raws if r[source] is not None]
        total[source] = {n: sum(p[n] for p in present) for n in names} if present or not raws else None
    total["visits"] = sum(r["visits"] for r in raws)
    total["serves"] = True
    return total


def _finish(raw: dict) -> dict[str, int | float | None]:
    """Figures from a group's raw numbers (hours to 0.1, rates to 3 decimals, money in fen)."""
    s, b, r = raw["sessions"], raw["batches"], raw["records"]
    f: dict[str, int | float | None] = dict.fromkeys(FIGURES)
    if s is not None:
        f.update(
            sessions=int(s["sessions"]),
            booked_hours=indicators.hours(s["booked"]),
            effective_hours=indicators.hours(s["effective"]),
            external_hours=indicators.hours(s["external"]),
            sharing_rate=indicators.ratio(s["external"], s["effective"]),
            no_shows=int(s["no_shows"]),
            no_show_rate=indicators.ratio(s["no_shows"], s["sessions"] + s["no_shows"]),
        )
        if raw["opening"] is not None:
            f["utilisation"] = indicators.ratio(s["effective"], raw["opening"])
    if raw["median"] is not None:
        f["median_approval_hours"] = round(raw["median"] / 60, 1)
    if b is not None:
        f.update(batches=int(b["batches"]), samples=int(b["samples"]))
    if r is not None:
        f.update(
            service_records=int(r["records"]),
            service_hours=indicators.hours(r["minutes"]),
            agreements=int(r["agreements"]),
            agreements_paid_fen=int(r["paid"]),
            provincial_projects=int(r["projects"]),
            results=int(r["results"]),
        )
    if raw["serves"]:
        f.update(
            enterprises=int(raw["enterprises"]),
            enterprise_visits=int(raw["visits"]),
            staff=int(raw["staff"]),
            providers=int(raw["providers"]),
        )
    if s is not None or b is not None:
        for tier in ("internal", "external"):
            f[f"revenue_{tier}_fen"] = int(sum(p[f"revenue_{tier}"] for p in (s, b) if p is not None))
    return f


def group_keys(frame: Frame, parts: dict) -> list:
    keys: set = set()
    for part in parts.values():
        if isinstance(part, dict):
            keys.update(part)
    keys.discard(TOTAL)
    if frame.group_by == "month":
        keys.update(k for k, _first, _last in indicators.months(frame.first_day, frame.last_day))
    return list(keys)


def _distinct_totals(session: Session, whole: Frame, parts: dict, needed: frozenset[str]) -> dict:
    """The totals that do not add up over groups: distinct enterprises, providers and staff (the
    TOTAL rows counted beside the groups), the median approval time and the opening minutes."""
    participation = parts["participation"].get(TOTAL)
    return {
        "enterprises": participation.enterprises if participation else 0,
        "providers": participation.providers if participation else 0,
        "staff": parts["staff"].get(TOTAL, 0),
        "median": parts["approvals"].get(TOTAL) if parts["approvals"] is not None else None,
        "opening": (
            opening_minutes(session, whole).get(0, 0) if "opening" in needed and applies(whole, "opening") else None
        ),
    }


def summary(
    session: Session,
    scope: Scope,
    first_day: date,
    last_day: date,
    *,
    group_by: str | None = None,
    tz: ZoneInfo,
    figures: Iterable[str] | None = None,
    with_totals: bool = True,
    keys: Iterable | None = None,
) -> Summary:
    """Every figure over whole local days ``first_day..last_day`` (inclusive, any length) inside
    ``scope``: totals, and per group when ``group_by`` is one of GROUPINGS. ``Refusal(422)`` for an
    unknown grouping or a reversed period. ``figures`` (keys of FIGURES) counts only those, and
    only what they are made of (e.g. the goal figures need no opening hours or median).
    ``with_totals=False``: the groups only (a ranking), the totals left None where they would need a
    count of their own (groupings that are not a partition). ``keys``: count only these groups (a
    ranking's candidates: ``busiest``), for a grouping counted from the rows (instrument...)."""
    wanted = tuple(FIGURES) if figures is None else tuple(name for name in FIGURES if name in set(figures))
    unknown = set(figures or ()) - set(FIGURES)
    if unknown:
        raise ValueError(f"unknown figures: {sorted(unknown)}")
    needed = _needed(wanted)
    frame = make_frame(
        session, scope, first_day, last_day, tz=tz, group_by=group_by, keys=None if keys is None else tuple(keys)
    )
    tune(session)
    whole = frame.regrouped(None)
    groups: list[Group] = []

    def finish(raw: dict) -> dict:
        done = _finish(raw)
        return {name: done[name] for name in wanted}

    if group_by is None:
        totals = finish(_raw(_parts(session, whole, needed), 0))
    else:
        partition = group_by in PARTITIONS
        parts = _parts(session, frame, needed, with_total=partition)
        raws = {key: _raw(parts, key) for key in group_keys(frame, parts)}
        if partition:  # one pass: the totals add the groups up, the distinct ones are counted beside
            totals = finish({**_sum_raws(list(raws.values())), **_distinct_totals(session, whole, parts, needed)})
        else:
            totals = finish(_raw(_parts(session, whole, needed), 0)) if with_totals else dict.fromkeys(wanted)
        per_key = {key: finish(raw) for key, raw in raws.items()}
        names = _names(session, group_by, per_key.keys())
        groups = [
            Group(key, *names.get(key, _UNNAMED), figures=per_key[key]) for key in _ordered(group_by, per_key, names)
        ]
    return Summary(first_day, last_day, group_by, totals, groups, scope)


# ------------------------------------------------------------------------------- naming groups
_UNNAMED = ("未指定", "Not specified")
_VOCABULARY = {
    "provider_kind": vocabulary.PROVIDER_KINDS,
    "instrument_category": vocabulary.INSTRUMENT_CATEGORIES,
    "service_kind": vocabulary.SERVICE_KINDS,
    "record_kind": vocabulary.SERVICE_RECORD_KINDS,
    "enterprise_category": vocabulary.ENTERPRISE_CATEGORIES,
}
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _names(session: Session, group_by: str, keys: Iterable) -> dict[Any, tuple[str, str]]:
    wanted = [k for k in keys if k is not None]
    if group_by in _VOCABULARY:
        table = _VOCABULARY[group_by]
        return {k: table.get(k, (k, k)) for k in wanted}
    if group_by == "month":
        return {k: (f"{k[:4]}年{int(k[5:])}月", f"{_MONTHS_EN[int(k[5:]) - 1]} {k[:4]}") for k in wanted}
    model = {"provider": Provider, "city": Region, "county": Region, "instrument": Instrument, "service": LabService}[
        group_by
    ]
    if not wanted:
        return {}
    query = select(model.id, model.name, model.name_en)
    if len(wanted) <= _MANY:
        query = query.where(model.id.in_(wanted))
    # else every row: binding thousands of ids (an instrument ranking) costs more than reading them all
    return {row.id: (row.name, row.name_en or row.name) for row in session.execute(query)}


#: more ids than this are named by reading the whole table
_MANY = 500


def _ordered(group_by: str, per_key: dict, names: dict) -> list:
    """Months and ids in order, vocabulary codes in the vocabulary's order; rows without a key last."""
    keys = [k for k in per_key if k is not None]
    if group_by in _VOCABULARY:
        order = {code: i for i, code in enumerate(_VOCABULARY[group_by])}
        keys.sort(key=lambda k: (order.get(k, len(order)), str(k)))
    else:
        keys.sort()
    return keys + ([None] if None in per_key else [])
