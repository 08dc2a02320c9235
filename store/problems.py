"""The inventory of UMKM problems: what owners asked the Dinas, where and when, how they were answered, what the
bot could not answer, and the self-assessment's weakest dimensions, per kabupaten/kota, within a scope."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from sqlalchemy import Connection, func, select

from domain.wib import in_wib
from store.models import DIMENSION_COLUMNS, AskedQuestion, Assessment, Business, OwnerQuestion, as_utc
from store.officers import within
from store.questions import UNANSWERED

_questions = OwnerQuestion.__table__
_asked = AskedQuestion.__table__
_assessments = Assessment.__table__
_businesses = Business.__table__
GAPS_READ = 5_000  # the latest questions the bot could not answer that the page groups: a year's, and then some


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
        rows = self._connection.execute(
            select(_questions.c.kabupaten_code, _questions.c.topic, _questions.c.created_at, _questions.c.answered_at,
                   _questions.c.rating)
            .where(_questions.c.created_at >= as_utc(since), *within(_questions.c.kabupaten_code, scope))).all()
        topics = Counter(row.topic for row in rows)
        places = Counter(row.kabupaten_code for row in rows)
        months = Counter(f"{in_wib(row.created_at):%Y-%m}" for row in rows)
        by_place: dict[str, list] = defaultdict(list)
        for row in rows:
            by_place[row.kabupaten_code].append(row)
        return Inventory(topics.most_common(), places.most_common(), sorted(months.items()),
                         [_replies(code, found) for code, found in sorted(by_place.items())],
                         self._unanswered(scope, since), self._dimensions(scope))

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


def _replies(kabupaten_code: str, rows: list) -> Replies:  # type: ignore[type-arg]
    waits = [(as_utc(row.answered_at) - as_utc(row.created_at)).total_seconds() / 3600
             for row in rows if row.answered_at is not None]
    ratings = [row.rating for row in rows if row.rating is not None]
    return Replies(kabupaten_code, len(rows), len(waits), median(waits) if waits else None, len(ratings),
                   sum(ratings) / len(ratings) if ratings else None)
