"""The inventory of UMKM problems: what owners asked the Dinas, where and when, how they were answered, what the
bot could not answer, and the self-assessment's weakest dimensions, per kabupaten/kota, within a scope."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from sqlalchemy import Connection, func, select

from store.dialects import hours_between
from store.models import DIMENSION_COLUMNS, AskedQuestion, Assessment, Business, OwnerQuestion, as_utc
from store.officers import within
from store.questions import UNANSWERED
from store.statistics import count_by_month

_questions = OwnerQuestion.__table__
_asked = AskedQuestion.__table__
_assessments = Assessment.__table__
_businesses = Business.__table__
GAPS_READ = 1_000  # the latest questions the bot could not answer that the page groups: enough to see the gaps


@dataclass(frozen=True, slots=True)
class Replies:
    """How one kabupaten/kota's questions were answered."""

    kabupaten_code: str
    asked: int
    answered: int
    median_hours: float | None  # from the question to the first reply
    rated: int
    average_rating: float | None


@dataclass(frozen=True, slots=True)
class Unanswered:
    text: str
    kabupaten_code: str | None
    asked_at: datetime


@dataclass(frozen=True, slots=True)
class Inventory:
    by_topic: list[tuple[str, int]]  # the most asked first
    by_kabupaten: list[tuple[str, int]]
    by_month: list[tuple[str, int]]  # "2026-11", in order
    replies: list[Replies]
    unanswered: list[Unanswered]  # the newest first
    dimensions: dict[str, dict[str, float]]  # kabupaten/kota -> dimension -> average of the latest assessments


class Problems:
    """The inventory's queries of one unit of work."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._connection = connection
        self.now = now

    def inventory(self, scope: str, since: datetime) -> Inventory:
        chosen = [_questions.c.created_at >= as_utc(since), *within(_questions.c.kabupaten_code, scope)]
        # One pass over the questions counts them by topic and by place together.
        topics: Counter[str] = Counter()
        places: dict[str, Counter[str]] = defaultdict(Counter)
        for row in self._connection.execute(
                select(_questions.c.topic, _questions.c.kabupaten_code, func.count().label("asked"),
                       func.count(_questions.c.answered_at).label("answered"),
                       func.count(_questions.c.rating).label("rated"), func.sum(_questions.c.rating).label("points"))
                .where(*chosen).group_by(_questions.c.topic, _questions.c.kabupaten_code)):
            topics[row.topic] += row.asked
            places[row.kabupaten_code].update(asked=row.asked, answered=row.answered, rated=row.rated,
                                              points=row.points or 0)
        # The median of the reply times is no SQL aggregate both backends have: the answered ones' times are read.
        waits: dict[str, list[float]] = defaultdict(list)
        for code, hours in self._connection.execute(
                select(_questions.c.kabupaten_code, hours_between(_questions.c.created_at, _questions.c.answered_at))
                .where(*chosen, _questions.c.answered_at.is_not(None))):
            waits[code].append(float(hours))
        replies = [Replies(code, counts["asked"], counts["answered"], median(waits[code]) if waits[code] else None,
                           counts["rated"], counts["points"] / counts["rated"] if counts["rated"] else None)
                   for code, counts in sorted(places.items())]
        by_place = sorted(((code, counts["asked"]) for code, counts in places.items()), key=lambda item: -item[1])
        return Inventory(topics.most_common(), by_place,
                         count_by_month(self._connection, _questions.c.created_at, chosen, self.now),
                         replies, self._unanswered(scope, since), self._dimensions(scope))

    def _unanswered(self, scope: str, since: datetime) -> list[Unanswered]:
        rows = self._connection.execute(
            select(_asked.c.text, _asked.c.kabupaten_code, _asked.c.asked_at)
            .where(_asked.c.outcome.in_(UNANSWERED), _asked.c.asked_at >= as_utc(since),
                   *within(_asked.c.kabupaten_code, scope))
            .order_by(_asked.c.asked_at.desc()).limit(GAPS_READ))
        return [Unanswered(row.text, row.kabupaten_code, as_utc(row.asked_at)) for row in rows]

    def _dimensions(self, scope: str) -> dict[str, dict[str, float]]:
        rows = self._connection.execute(
            select(_businesses.c.kabupaten_code, *(func.avg(_assessments.c[column]) for column in DIMENSION_COLUMNS))
            .select_from(_assessments.join(_businesses, _businesses.c.id == _assessments.c.business_id))
            .where(_assessments.c.latest.is_(True), *within(_businesses.c.kabupaten_code, scope))
            .group_by(_businesses.c.kabupaten_code).order_by(_businesses.c.kabupaten_code))
        return {row[0]: {column: float(value) for column, value in zip(DIMENSION_COLUMNS, row[1:], strict=True)
                         if value is not None} for row in rows}

