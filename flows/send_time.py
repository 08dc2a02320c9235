"""When an officer wants an announcement sent: "sekarang", or a day and a time in WIB as people write them:
"besok 08.00", "Senin jam 9", "7/12 14.30", "7 Desember pukul 8 pagi", "lusa 19.00", or only a time, for today.

The day and the month names are Babel's, in Bahasa Indonesia and English. A weekday is the nearest one whose
time is still ahead (today, if it is); a date without a year is the next one to come. Nothing is guessed beyond
that: a time that has passed, or a day without a time, is asked again with the reason, and the officer sees the
exact moment before they confirm.
"""

import re
from datetime import date, datetime, time, timedelta, timezone

from babel.dates import get_day_names, get_month_names

from domain.invalid import Invalid
from domain.msgid import N_
from domain.wib import WIB, in_wib
from domain.words import NOW, words_for
from flows.utterance import Said

LANGUAGES = ("id", "en")
FURTHEST = timedelta(days=90)  # an announcement planned further ahead is better written nearer the time
DAYS_FROM_TODAY = {"hari ini": 0, "today": 0, "besok": 1, "besuk": 1, "tomorrow": 1, "lusa": 2}
# After these, an hour before noon is one after it: "jam 7 malam" is 19.00.
AFTERNOON = {"siang": 11, "sore": 12, "malam": 12, "pm": 12}  # the hour from which it already is that time
MORNING = frozenset({"pagi", "am"})
_NOW = words_for(NOW)


def _names(kind: str) -> dict[str, int]:
    """Month (1-12) or weekday (0 Monday) names, wide and abbreviated, of every language read, casefolded."""
    found: dict[str, int] = {}
    for language in LANGUAGES:
        for width in ("wide", "abbreviated"):
            names = get_month_names(width, locale=language) if kind == "month" else \
                get_day_names(width, locale=language)
            found.update({str(name).casefold().rstrip("."): number for number, name in names.items()})
    return found


_MONTHS = _names("month") | {"agt": 8, "ags": 8, "sept": 9}
_WEEKDAYS = _names("day") | {"ahad": 6, "jum'at": 4}
_ALTERNATIVES = lambda names: "|".join(sorted(map(re.escape, names), key=len, reverse=True))  # noqa: E731
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")  # the command line's 2026-12-07
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/-](\d{1,2})(?:[/-](\d{4}))?\b")
_NAMED_DATE = re.compile(rf"\b(\d{{1,2}})\s*({_ALTERNATIVES(_MONTHS)})\.?(?:\s+(\d{{4}}))?\b")
_WEEKDAY = re.compile(rf"\b({_ALTERNATIVES(_WEEKDAYS)})(?:\s+depan)?\b")
_RELATIVE = re.compile(rf"\b({_ALTERNATIVES(DAYS_FROM_TODAY)})\b")
_FILLER = re.compile(r"\b(?:tanggal|tgl\.?|hari|pada|on|at|wib)\b|[,]")
_TIME = re.compile(r"(?:jam|pukul|pkl\.?)?\s*(\d{1,2})(?:[.:](\d{2}))?\s*"
                   rf"({_ALTERNATIVES(AFTERNOON.keys() | MORNING)})?")


def parse_send_time(text: str, now: datetime) -> datetime | None:
    """The moment (UTC) to send at, or None for "sekarang"; Invalid with the reason when it cannot be that."""
    said = Said(text).bare
    if said in _NOW:
        return None
    day, rest = _day(said, in_wib(now).date())
    found = _TIME.fullmatch(_FILLER.sub(" ", rest).strip())
    if found is None:
        if day is not None and not _FILLER.sub(" ", rest).strip():
            raise Invalid(N_("At what time? Write the day with the time, for example \"besok 08.00\"."))
        raise Invalid(N_("Write \"sekarang\", or a day and a time in WIB, for example \"besok 08.00\" or "
                         "\"7/12 14.30\"."))
    at = _clock(found)
    today = in_wib(now).date()
    if isinstance(day, int):  # a weekday: the nearest whose time is still ahead
        ahead = (day - today.weekday()) % 7
        day = today + timedelta(days=ahead if _moment(today + timedelta(days=ahead), at) > now else ahead + 7)
    moment = _moment(day or today, at)
    if moment <= now:
        if day is None:
            raise Invalid(N_("%(time)s has passed today. For tomorrow, write \"besok %(time)s\"."),
                          time=at.strftime("%H.%M"))
        raise Invalid(N_("That moment has passed. Write a day and time still ahead, or \"sekarang\"."))
    if moment - now > FURTHEST:
        raise Invalid(N_("That is more than 90 days ahead. Choose a nearer day, please."))
    return moment


def _day(said: str, today: date) -> tuple[date | int | None, str]:
    """The day the words name (a date, or a weekday as 0-6), and the words left for the time."""
    found = _ISO_DATE.search(said)
    if found:
        year, month, day = map(int, found.groups())
        return _date(day, month, year, today), _without(said, found)
    for pattern in (_NUMERIC_DATE, _NAMED_DATE):
        found = pattern.search(said)
        if found:
            day, month_word, year = found.groups()
            month = int(month_word) if month_word.isdigit() else _MONTHS[month_word]
            return _date(int(day), month, int(year) if year else None, today), _without(said, found)
    found = _RELATIVE.search(said)
    if found:
        return today + timedelta(days=DAYS_FROM_TODAY[found[1]]), _without(said, found)
    found = _WEEKDAY.search(said)
    if found:
        return _WEEKDAYS[found[1]], _without(said, found)
    return None, said


def _date(day: int, month: int, year: int | None, today: date) -> date:
    """A day of a month, in the year given or else the next time it comes (today included)."""
    try:
        if year is not None:
            return date(year, month, day)
        this_year = date(today.year, month, day)
        return this_year if this_year >= today else date(today.year + 1, month, day)
    except ValueError:
        raise Invalid(N_("There is no such date. Write the day and month, for example \"7/12 08.00\".")) from None


def _clock(found: re.Match[str]) -> time:
    hour, minute = int(found[1]), int(found[2] or 0)
    part = found[3]
    if part in AFTERNOON and AFTERNOON[part] > hour:
        hour += 12
    elif part in MORNING and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        raise Invalid(N_("That is not a time of day. Write it as \"08.00\" or \"14.30\"."))
    return time(hour, minute)


def _moment(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=WIB).astimezone(timezone.utc)


def _without(said: str, found: re.Match[str]) -> str:
    return f"{said[:found.start()]} {said[found.end():]}"
