"""The working-hours clock on a Vietnamese calendar.

An office may count a step's allowed time in working hours instead of wall-clock hours: only
office hours on working days count; weekends and public holidays (Tết included, from the
`holidays` package, plus the days the government announces each year in
DEADLINE_EXTRA_HOLIDAYS) do not. Everything is computed in Asia/Ho_Chi_Minh local time.

Settings (portal/settings.py):
    DEADLINE_OFFICE_HOURS     [("08:00", "12:00"), ("13:30", "17:30")]
    DEADLINE_WEEKEND          (5, 6)   # Saturday, Sunday (Monday is 0)
    DEADLINE_EXTRA_HOLIDAYS   ["2026-02-13", ...]    # extra days off (e.g. a longer Tết break)
    DEADLINE_EXTRA_WORKDAYS   ["2025-04-26", ...]    # make-up working days on a weekend
"""

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

DEFAULT_OFFICE_HOURS = [("08:00", "12:00"), ("13:30", "17:30")]


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _parse_time(value) -> dt.time:
    if isinstance(value, dt.time):
        return value
    hour, minute = str(value).split(":")
    return dt.time(int(hour), int(minute))


def office_hours() -> list[tuple[dt.time, dt.time]]:
    spans = getattr(settings, "DEADLINE_OFFICE_HOURS", DEFAULT_OFFICE_HOURS)
    return sorted((_parse_time(a), _parse_time(b)) for a, b in spans)


def _dates(setting: str) -> frozenset[dt.date]:
    return frozenset(dt.date.fromisoformat(str(d)) for d in getattr(settings, setting, ()) or ())


@lru_cache(maxsize=32)
def _public_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())


def holiday_name(day: dt.date) -> str | None:
    """The public holiday's name (English, from the holidays package), or None."""
    return holidays.country_holidays("VN", years=day.year).get(day)


def is_working_day(day: dt.date) -> bool:
    if day in _dates("DEADLINE_EXTRA_WORKDAYS"):
        return True
    if day.weekday() in tuple(getattr(settings, "DEADLINE_WEEKEND", (5, 6))):
        return False
    holiday = day in _public_holidays(day.year) or day in _dates("DEADLINE_EXTRA_HOLIDAYS")
    return not holiday


def add_working_hours(start: dt.datetime, hours) -> dt.datetime:
    """The moment `hours` working hours after `start` (an aware datetime).

    A start outside office hours counts from the next opening; a result that falls exactly at
    the end of a span stays there (17:30, not 08:00 the next working day).
    """
    if start.tzinfo is None:
        raise ValueError("add_working_hours needs an aware datetime")
    zone = local_zone()
    remaining = dt.timedelta(hours=float(Decimal(str(hours))))
    if remaining < dt.timedelta(0):
        raise ValueError("hours must not be negative")
    spans = office_hours()
    if not spans:
        raise ValueError("DEADLINE_OFFICE_HOURS is empty")
    cursor = start.astimezone(zone)
    day = cursor.date()
    # Ten years of holidays is more than any step allows; the bound turns a bad setting
    # (every day a holiday) into an error instead of an endless loop.
    for _ in range(3660):
        if is_working_day(day):
            for opens, closes in spans:
                span_start = max(cursor, dt.datetime.combine(day, opens, zone))
                span_end = dt.datetime.combine(day, closes, zone)
                if span_start >= span_end:
                    continue
                available = span_end - span_start
                if remaining <= available:
                    return (span_start + remaining).astimezone(start.tzinfo)
                remaining -= available
        day += dt.timedelta(days=1)
        cursor = dt.datetime.combine(day, dt.time(0, 0), zone)
    raise ValueError("no working time found within ten years: check the calendar settings")
