"""Messages for booking rule violations and status transitions, in Chinese (default) and English.

Rules put JSON-serialisable params on each violation (instants as ISO 8601 strings already
converted to the instrument's zone, durations in whole minutes); this module turns them into a
sentence that says what would work. ``render(code, params, locale)`` is the only entry point
the rest of the code needs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

DEFAULT_LOCALE = "zh"
LOCALES = ("zh", "en")

WEEKDAYS = {
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    "en": (
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ),
}
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_STATUS_NAMES = {
    "zh": {
        "active": "可预约",
        "maintenance": "正在维护",
        "retired": "已停用",
        "pending": "待审批",
        "approved": "已批准",
        "rejected": "已拒绝",
        "cancelled": "已取消",
        "in_use": "使用中",
        "completed": "已完成",
        "no_show": "爽约",
    },
    "en": {
        "active": "available",
        "maintenance": "under maintenance",
        "retired": "retired",
        "pending": "pending",
        "approved": "approved",
        "rejected": "rejected",
        "cancelled": "cancelled",
        "in_use": "in use",
        "completed": "completed",
        "no_show": "a no-show",
    },
}
_ACTION_NAMES = {
    "zh": {
        "approve": "批准",
        "reject": "拒绝",
        "cancel": "取消",
        "check_in": "签到上机",
        "complete": "结束使用",
        "no_show": "标记爽约",
        "move": "改期",
    },
    "en": {
        "approve": "approved",
        "reject": "rejected",
        "cancel": "cancelled",
        "check_in": "checked in",
        "complete": "completed",
        "no_show": "marked as a no-show",
        "move": "moved",
    },
}


def normalize_locale(locale: str | None) -> str:
    """'en', 'en_US', 'en-GB' -> 'en'; anything else (including None) -> 'zh'."""
    if locale and locale.lower().replace("-", "_").split("_")[0] == "en":
        return "en"
    return DEFAULT_LOCALE


def weekday_name(weekday: int, locale: str = DEFAULT_LOCALE) -> str:
    """0=Monday .. 6=Sunday, localized ('周二' / 'Tuesday')."""
    return WEEKDAYS[normalize_locale(locale)][weekday]


def format_duration(minutes: int, locale: str = DEFAULT_LOCALE) -> str:
    """90 -> '1 小时 30 分钟' / '1 hour 30 minutes'; 480 -> '8 小时' / '8 hours'."""
    lang = normalize_locale(locale)
    minutes = int(minutes)
    hours, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else ""
    if lang == "zh":
        if hours and rest:
            return f"{sign}{hours} 小时 {rest} 分钟"
        if hours or not rest:
            return f"{sign}{hours} 小时"
        return f"{sign}{rest} 分钟"
    parts = []
    if hours or not rest:
        parts.append(f"{hours} hour" + ("" if hours == 1 else "s"))
    if rest:
        parts.append(f"{rest} minute" + ("" if rest == 1 else "s"))
    return sign + " ".join(parts)


def format_instant(iso: str) -> str:
    """'2026-12-01T09:00:00+08:00' -> '2026-12-01 09:00' (params are already local)."""
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")


def format_range(start_iso: str, end_iso: str) -> str:
    """Two local ISO instants as '2026-12-01 09:00–10:30' (date repeated only if it changes)."""
    start, end = datetime.fromisoformat(start_iso), datetime.fromisoformat(end_iso)
    if start.date() == end.date():
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
    if end.time() == datetime.min.time() and (end.date() - start.date()).days == 1:
        return f"{start:%Y-%m-%d %H:%M}–24:00"
    return f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}"


def join_list(items: Sequence[str], locale: str = DEFAULT_LOCALE) -> str:
    """['a', 'b', 'c'] -> 'a、b、c' / 'a, b and c'."""
    items = list(items)
    if normalize_locale(locale) == "zh":
        return "、".join(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def status_name(status: str, locale: str = DEFAULT_LOCALE) -> str:
    return _STATUS_NAMES[normalize_locale(locale)].get(str(status), str(status))


def action_name(action: str, locale: str = DEFAULT_LOCALE) -> str:
    return _ACTION_NAMES[normalize_locale(locale)].get(str(action), str(action))


# --- one renderer per code -------------------------------------------------------------------

Params = Mapping[str, Any]
_Renderer = Callable[[Params, str], str]
_RENDERERS: dict[str, _Renderer] = {}


def _renders(code: str) -> Callable[[_Renderer], _Renderer]:
    def register(fn: _Renderer) -> _Renderer:
        _RENDERERS[code] = fn
        return fn

    return register


def _zh_en(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


@_renders("IN_PAST")
def _in_past(p: Params, lang: str) -> str:
    start, now = format_instant(p["start"]), format_instant(p["now"])
    return _zh_en(
        lang,
        f"开始时间 {start} 已经过去，请选择 {now} 之后的时间",
        f"The start time {start} has already passed; choose a time after {now}",
    )


@_renders("END_BEFORE_START")
def _end_before_start(p: Params, lang: str) -> str:
    start, end = format_instant(p["start"]), format_instant(p["end"])
    return _zh_en(
        lang,
        f"结束时间 {end} 必须晚于开始时间 {start}",
        f"The end time {end} must be later than the start time {start}",
    )


@_renders("INSTRUMENT_UNAVAILABLE")
def _unavailable(p: Params, lang: str) -> str:
    status = status_name(p["status"], lang)
    return _zh_en(
        lang,
        f"该仪器{status}，暂不接受预约",
        f"This instrument is {status} and cannot be booked",
    )


@_renders("OUTSIDE_OPENING_HOURS")
def _outside_hours(p: Params, lang: str) -> str:
    day = weekday_name(p["weekday"], lang)
    ranges = [f"{s}–{e}" for s, e in p["hours"]]
    if not ranges:
        return _zh_en(
            lang,
            f"所选时间不在开放时间内，{day}不开放",
            f"The requested time is outside opening hours: the instrument is closed on {day}",
        )
    hours = join_list(ranges, lang)
    return _zh_en(
        lang,
        f"所选时间不在开放时间内，{day}开放时间为 {hours}",
        f"The requested time is outside opening hours. Opening hours on {day} are {hours}",
    )


@_renders("NOT_ON_SLOT_GRID")
def _grid(p: Params, lang: str) -> str:
    slot = p["slot_minutes"]
    example = format_range(p["suggested_start"], p["suggested_end"])
    return _zh_en(
        lang,
        f"开始和结束时间须对齐 {slot} 分钟的时间格（从 0 点起算），例如 {example}",
        f"Start and end must lie on the {slot}-minute grid (counted from midnight), for example {example}",
    )


@_renders("TOO_SHORT")
def _too_short(p: Params, lang: str) -> str:
    least, actual = (
        format_duration(p["min_minutes"], lang),
        format_duration(p["minutes"], lang),
    )
    return _zh_en(
        lang,
        f"预约时长至少为 {least}，当前为 {actual}",
        f"A booking must last at least {least}; this one lasts {actual}",
    )


@_renders("TOO_LONG")
def _too_long(p: Params, lang: str) -> str:
    most, actual = (
        format_duration(p["max_minutes"], lang),
        format_duration(p["minutes"], lang),
    )
    return _zh_en(
        lang,
        f"预约时长最多为 {most}，当前为 {actual}",
        f"A booking may last at most {most}; this one lasts {actual}",
    )


@_renders("NOTICE_TOO_SHORT")
def _notice(p: Params, lang: str) -> str:
    notice = format_duration(p["min_notice_minutes"], lang)
    earliest = format_instant(p["earliest_start"])
    return _zh_en(
        lang,
        f"需至少提前 {notice} 预约，最早可从 {earliest} 开始",
        f"Bookings need at least {notice} notice; the earliest allowed start is {earliest}",
    )


@_renders("TOO_FAR_AHEAD")
def _too_far(p: Params, lang: str) -> str:
    days, latest = p["max_days_ahead"], format_instant(p["latest_start"])
    return _zh_en(
        lang,
        f"最多只能提前 {days} 天预约，开始时间不能晚于 {latest}",
        f"Bookings open at most {days} days ahead; the latest allowed start is {latest}",
    )


@_renders("OVERLAPS_BOOKING")
def _overlaps(p: Params, lang: str) -> str:
    when = format_range(p["conflict_start"], p["conflict_end"])
    more = int(p.get("count", 1)) - 1
    if lang == "zh":
        extra = f"等 {more + 1} 个预约" if more else "的预约"
        return f"该时段已被占用：与 {when} {extra}冲突"
    extra = f" and {more} more" if more else ""
    return f"The time is taken: it overlaps the booking at {when}{extra}"


@_renders("INSIDE_BUFFER")
def _buffer(p: Params, lang: str) -> str:
    when = format_range(p["conflict_start"], p["conflict_end"])
    buffer = format_duration(p["buffer_minutes"], lang)
    if p.get("position") == "before":
        latest_end = format_instant(p["latest_end"])
        return _zh_en(
            lang,
            f"距 {when} 的预约太近：每次预约结束后需留出 {buffer}清理时间，本次最晚须在 {latest_end} 结束",
            f"Too close to the booking at {when}: {buffer} must stay free after each booking, "
            f"so this one must end by {latest_end}",
        )
    free_from = format_instant(p["available_from"])
    return _zh_en(
        lang,
        f"距 {when} 的预约太近：其后需留出 {buffer}清理时间，最早可从 {free_from} 开始",
        f"Too close to the booking at {when}: it needs {buffer} free afterwards for cleanup; "
        f"the earliest start is {free_from}",
    )


def _reason(p: Params, lang: str) -> str:
    reason = p.get("reason") or ""
    if not reason:
        return ""
    return f"（{reason}）" if lang == "zh" else f" ({reason})"


@_renders("OVERLAPS_MAINTENANCE")
def _maintenance(p: Params, lang: str) -> str:
    when, why = format_range(p["conflict_start"], p["conflict_end"]), _reason(p, lang)
    return _zh_en(
        lang,
        f"与仪器维护时段 {when} 冲突{why}",
        f"Overlaps scheduled maintenance at {when}{why}",
    )


@_renders("PROVIDER_CLOSED")
def _closed(p: Params, lang: str) -> str:
    when, why = format_range(p["conflict_start"], p["conflict_end"]), _reason(p, lang)
    return _zh_en(
        lang,
        f"服务机构在 {when} 暂停服务{why}",
        f"The provider is closed at {when}{why}",
    )


@_renders("NOT_QUALIFIED")
def _not_qualified(p: Params, lang: str) -> str:
    until = p.get("qualified_until")
    if not until:
        return _zh_en(
            lang,
            "使用该仪器需先取得上机资格，请联系实验室管理员",
            "You need a qualification for this instrument first; ask the lab manager",
        )
    until_s, end_s = format_instant(until), format_instant(p["end"])
    return _zh_en(
        lang,
        f"您的上机资格有效期至 {until_s}，不覆盖本次预约（结束于 {end_s}）",
        f"Your qualification is valid until {until_s}, before this booking ends ({end_s})",
    )


def _period_label(period: Mapping[str, Any], lang: str) -> str:
    start = date.fromisoformat(period["start"])
    if period["period"] == "month":
        return f"{start.year} 年 {start.month} 月" if lang == "zh" else (f"{_MONTHS_EN[start.month - 1]} {start.year}")
    return f"{start.isoformat()} 起的一周" if lang == "zh" else f"the week of {start.isoformat()}"


@_renders("QUOTA_EXCEEDED")
def _quota(p: Params, lang: str) -> str:
    parts = []
    for period in p["periods"]:
        label = _period_label(period, lang)
        quota = format_duration(period["quota_minutes"], lang)
        remaining = format_duration(period["remaining_minutes"], lang)
        requested = format_duration(period["requested_minutes"], lang)
        if lang == "zh":
            parts.append(f"{label}额度 {quota}，剩余 {remaining}，本次需 {requested}")
        else:
            parts.append(f"{label}: {remaining} of {quota} left, this booking needs {requested}")
    joined = "；".join(parts) if lang == "zh" else "; ".join(parts)
    return _zh_en(
        lang,
        f"超出本企业在该仪器上的机时额度：{joined}",
        f"Exceeds your enterprise's quota on this instrument: {joined}",
    )


@_renders("TOO_MANY_FUTURE_BOOKINGS")
def _too_many(p: Params, lang: str) -> str:
    most, count = p["max_future_bookings"], p["count"]
    return _zh_en(
        lang,
        f"每位用户在该仪器上最多可保留 {most} 个未结束的预约，您已有 {count} 个",
        f"You may hold at most {most} upcoming bookings on this instrument; you already have {count}",
    )


@_renders("NOT_PERMITTED")
def _not_permitted(p: Params, lang: str) -> str:
    return _zh_en(lang, "您无权预约该仪器", "You are not permitted to book this instrument")


@_renders("INVALID_TRANSITION")
def _invalid_transition(p: Params, lang: str) -> str:
    status, action = status_name(p["status"], lang), action_name(p["action"], lang)
    return _zh_en(
        lang,
        f"预约当前为「{status}」状态，不能{action}",
        f"A booking that is {status} cannot be {action}",
    )


#: What each code means without the details, for params that are missing or malformed
#: (e.g. a slot lost to a concurrent booking, known only from the database's refusal).
GENERIC = {
    "IN_PAST": ("开始时间已经过去", "The start time has already passed"),
    "END_BEFORE_START": ("结束时间必须晚于开始时间", "The end time must be later than the start time"),
    "INSTRUMENT_UNAVAILABLE": ("该仪器暂不接受预约", "This instrument cannot be booked at the moment"),
    "OUTSIDE_OPENING_HOURS": ("所选时间不在开放时间内", "The requested time is outside opening hours"),
    "NOT_ON_SLOT_GRID": ("开始和结束时间须对齐预约时间格", "Start and end must lie on the booking grid"),
    "TOO_SHORT": ("预约时长太短", "The booking is too short"),
    "TOO_LONG": ("预约时长太长", "The booking is too long"),
    "NOTICE_TOO_SHORT": ("预约提前量不足", "The booking is made at too short notice"),
    "TOO_FAR_AHEAD": ("预约时间太远", "The booking is too far ahead"),
    "OVERLAPS_BOOKING": ("该时段已被预约", "The time is taken by another booking"),
    "INSIDE_BUFFER": ("与已有预约间隔不足，需留出清理时间", "Too close to another booking: cleanup time is needed"),
    "OVERLAPS_MAINTENANCE": ("与仪器维护时段冲突", "Overlaps scheduled maintenance"),
    "PROVIDER_CLOSED": ("服务机构在该时段暂停服务", "The provider is closed at that time"),
    "NOT_QUALIFIED": ("使用该仪器需先取得上机资格", "You need a qualification for this instrument first"),
    "QUOTA_EXCEEDED": ("超出本企业在该仪器上的机时额度", "Exceeds your enterprise's quota on this instrument"),
    "TOO_MANY_FUTURE_BOOKINGS": ("未结束的预约数量已达上限", "You hold the most upcoming bookings allowed"),
    "NOT_PERMITTED": ("您无权预约该仪器", "You are not permitted to book this instrument"),
    "INVALID_TRANSITION": ("预约当前状态不允许此操作", "The booking's status does not allow this"),
}


def render(code: str, params: Params | None = None, locale: str | None = DEFAULT_LOCALE) -> str:
    """The message for ``code`` in ``locale`` ('zh' default, 'en').

    Missing or malformed params give the code's generic sentence; an unknown code renders as
    itself.
    """
    lang = normalize_locale(locale)
    renderer = _RENDERERS.get(code)
    if renderer is not None:
        try:
            return renderer(params or {}, lang)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError):
            pass
    generic = GENERIC.get(code)
    if generic is None:
        return code
    return generic[0] if lang == "zh" else generic[1]


def known_codes() -> frozenset[str]:
    return frozenset(_RENDERERS) | frozenset(GENERIC)
