"""Kalimantan Tengah's time: WIB (UTC+7, Asia/Jakarta)."""

from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

WIB = ZoneInfo("Asia/Jakarta")
SATURDAY = 5  # date.weekday()


def in_wib(moment: datetime) -> datetime:
    """A stored moment in Kalimantan Tengah's time; SQLite hands back naive UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(WIB)


def working_days_since(start: datetime, now: datetime) -> int:
    """The Dinas's working days after `start`'s day, up to and including `now`'s day, in WIB: Monday to Friday,
    without Indonesia's public holidays and the government's collective leave (cuti bersama)."""
    first, last = in_wib(start).date(), in_wib(now).date()
    if last <= first:
        return 0
    days_off = _days_off(tuple(range(first.year, last.year + 1)))
    days = (first + timedelta(days=offset) for offset in range(1, (last - first).days + 1))
    return sum(day.weekday() < SATURDAY and day not in days_off for day in days)


@lru_cache(maxsize=16)
def _days_off(years: tuple[int, ...]) -> frozenset[date]:
    """Public holidays and collective leave of those years (python-holidays' calendar of Indonesia; the Islamic
    holidays of years not yet decreed are its estimates)."""
    calendar = holidays.country_holidays("ID", years=years, categories=(holidays.PUBLIC, holidays.GOVERNMENT))
    return frozenset(calendar)
