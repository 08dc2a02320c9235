""""Naik kelas", measured: which businesses moved up (or down) a class and an assessment level over a period,
how the score of those trained changed against those not yet trained, and the path from registration to an
improved assessment.

A period is WIB days [since, until): from the first moment of `since` to the first moment of `until`.

- Class at `until`: the business's latest dated figures before `until`. Class at `since`: its latest figures
  before `since`, or its first figures when it was registered within the period. A business moved up when the
  first is a higher class than the second (the order of domain/classes.py), down when lower; one that moves up
  and back within the period moved neither way. Businesses registered from `until` on are not counted.
- Level: the same with the assessments (taken_at, level; the order of domain/assessment.py), for businesses
  assessed before `until`: the level at `since` is the latest assessment before `since`, or the first one when
  the business was first assessed within the period.
- Trained or not yet: businesses assessed before `since` and again within the period, compared by the level of
  their latest assessment before `since`. "Trained": the owner attended a session that started within the
  period, before the business's latest assessment of the period. "Not yet": the owner attended no session that
  started before `until`. Others (trained before the period, or only after their reassessment) are in neither
  group. For each group: how many, and the mean change of score from the assessment before `since` to the
  latest of the period.
- The path, counted up to `until`, each step within the one before: registered; assessed (at least one
  assessment); trained (the owner attended at least one session); assessed again (an assessment taken after the
  start of the owner's first session attended); improved (the latest such assessment scores above the latest
  one taken before that session).

Everything is counted in SQL, by window functions over each business's history and grouped subqueries, so
100,000 businesses with 300,000 dated figures are never read into Python. Only the histories that can count are
read: a business moved class only if figures within the period changed its class (each row keeps the class it
replaced, and those rows have a partial index of their own); it moved level, or can be compared, only if it was
assessed more than once; the path's later steps read only the trained owners' businesses.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from sqlalchemy import CTE, ColumnElement, Connection, Table, and_, case, func, select

from domain.assessment import LEVELS
from domain.regions import kabupaten_list
from domain.wib import WIB
from store.models import Assessment, Business, BusinessFigure, Enrollment, TrainingSession
from store.officers import PROVINCE, within
from store.registrations import BUSINESS_CLASSES
from store.training import Status

_businesses = Business.__table__
_figures = BusinessFigure.__table__
_assessments = Assessment.__table__
_enrollments = Enrollment.__table__
_sessions = TrainingSession.__table__


@dataclass(frozen=True, slots=True)
class Movement:
    """How many businesses of one kabupaten/kota moved up or down a class and an assessment level."""

    kabupaten_code: str
    class_up: int
    class_down: int
    level_up: int
    level_down: int


@dataclass(frozen=True, slots=True)
class Comparison:
    """Businesses at one starting level, reassessed within the period: trained against not yet trained."""

    level: str
    trained: int
    trained_change: float | None  # the mean change of score; None without a business
    not_yet: int
    not_yet_change: float | None


@dataclass(frozen=True, slots=True)
class Path:
    registered: int
    assessed: int
    trained: int
    assessed_again: int
    improved: int


@dataclass(frozen=True, slots=True)
class Figures:
    since: date
    until: date
    movements: list[Movement]  # every kabupaten/kota of the scope, in code order, zeros included
    comparisons: list[Comparison]  # every level, lowest first, zeros included
    path: Path


def start_of(day: date) -> datetime:
    """The first moment of a WIB day, in UTC as moments are stored."""
    return datetime.combine(day, time(), tzinfo=WIB).astimezone(timezone.utc)


def _rank(column: ColumnElement[str], order: tuple[str, ...]) -> ColumnElement[int]:
    """A class or level as its place in `order`, lowest 0, so that moving up is a higher number."""
    return case({name: rank for rank, name in enumerate(order)}, value=column)


class Progress:
    """The progress figures of one unit of work."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._connection = connection
        self.now = now

    def figures(self, scope: str, since: date, until: date) -> Figures:
        start, end = start_of(since), start_of(until)
        # Only a business with figures that changed its class within the period can have moved class.
        changed = (select(_figures.c.business_id)
                   .where(_figures.c.business_class != _figures.c.previous_class, _figures.c.recorded_at >= start,
                          _figures.c.recorded_at < end))
        classes = self._movements(_figures, _figures.c.recorded_at, _rank(_figures.c.business_class, BUSINESS_CLASSES),
                                  [_figures.c.business_id.in_(changed), *self._business_in(_figures.c.business_id, scope)],
                                  start, end)
        levels = self._movements(_assessments, _assessments.c.taken_at, _rank(_assessments.c.level, LEVELS),
                                 [_retaken(), *self._business_in(_assessments.c.business_id, scope)], start, end)
        movements = [Movement(region.code, *classes.get(region.code, (0, 0)), *levels.get(region.code, (0, 0)))
                     for region in kabupaten_list() if scope in (PROVINCE, region.code)]
        return Figures(since, until, movements, self._comparisons(scope, start, end), self._path(scope, start, end))

    def _movements(self, history: Table, moment: ColumnElement[datetime], rank: ColumnElement[int],
                   chosen: list[ColumnElement[bool]], start: datetime, end: datetime) -> dict[str, tuple[int, int]]:
        """Per kabupaten/kota, how many of the businesses whose rows `chosen` keeps had their `rank` in `history`
        rise and fall from `start` to `end`.

        One window over each business's rows before `end`, in order: its rank at `end` is its last row's, its
        rank at `start` that of its last row before `start` (or of its first row, when none is).
        """
        business = history.c.business_id
        window = {"partition_by": business, "order_by": (moment, history.c.id)}
        whole = {**window, "rows": (None, None)}  # the same window, framed over all the business's rows: one sort
        rows = (select(business, rank.label("rank"), func.row_number().over(**window).label("position"),
                       func.count().over(**whole).label("total"),
                       func.sum(case((moment < start, 1), else_=0)).over(**whole).label("before"))
                .where(moment < end, *chosen)
                .subquery("history"))
        at_start = case((rows.c.before > 0, rows.c.before), else_=1)
        ends = (select(rows.c.business_id,
                       func.max(case((rows.c.position == rows.c.total, rows.c.rank))).label("final"),
                       func.max(case((rows.c.position == at_start, rows.c.rank))).label("initial"))
                .group_by(rows.c.business_id).subquery("ends"))
        kabupaten = _businesses.c.kabupaten_code
        found = self._connection.execute(
            select(kabupaten, func.count().filter(ends.c.final > ends.c.initial),
                   func.count().filter(ends.c.final < ends.c.initial))
            .select_from(ends.join(_businesses, _businesses.c.id == ends.c.business_id))
            .where(ends.c.final != ends.c.initial).group_by(kabupaten))
        return {code: (int(up), int(down)) for code, up, down in found}

    def _business_in(self, business: ColumnElement[int], scope: str) -> list[ColumnElement[bool]]:
        """Rows of a history table kept to the businesses of a scope; none needed for the province."""
        if scope == PROVINCE:
            return []
        return [business.in_(select(_businesses.c.id).where(*within(_businesses.c.kabupaten_code, scope)))]

    def _latest_before_and_within(self, scope: str, start: datetime, end: datetime) -> CTE:
        """Per business assessed before `end`: the score, level rank and time of its latest assessment before
        `start`, and of its latest within [start, end) (None where there is none)."""
        before = _assessments.c.taken_at < start
        newest = (select(_assessments.c.business_id, _assessments.c.score, _assessments.c.taken_at,
                         _rank(_assessments.c.level, LEVELS).label("rank"), before.label("before"),
                         func.row_number().over(partition_by=(_assessments.c.business_id, before),
                                                order_by=(_assessments.c.taken_at.desc(), _assessments.c.id.desc()))
                         .label("newest"))
                  .where(_assessments.c.taken_at < end, _retaken(),
                         *self._business_in(_assessments.c.business_id, scope))
                  .subquery("newest"))
        latest = newest.c.newest == 1

        def of(is_before: bool, column: ColumnElement) -> ColumnElement:  # type: ignore[type-arg]
            side = newest.c.before if is_before else ~newest.c.before
            return func.max(case((and_(latest, side), column)))

        return (select(newest.c.business_id, of(True, newest.c.score).label("score_before"),
                       of(True, newest.c.rank).label("rank_before"), of(False, newest.c.score).label("score_within"),
                       of(False, newest.c.taken_at).label("taken_within"))
                .group_by(newest.c.business_id).cte("reassessed"))

    def _comparisons(self, scope: str, start: datetime, end: datetime) -> list[Comparison]:
        reassessed = self._latest_before_and_within(scope, start, end)
        # Each owner's first session attended before `end`, and first within the period: grouped once, joined.
        starts_at = _sessions.c.starts_at
        sessions = (select(_enrollments.c.owner_id, func.min(starts_at).label("first"),
                           func.min(case((starts_at >= start, starts_at))).label("first_within"))
                    .select_from(_enrollments.join(_sessions, _sessions.c.id == _enrollments.c.session_id))
                    .where(_enrollments.c.status == Status.ATTENDED, starts_at < end)
                    .group_by(_enrollments.c.owner_id).subquery("sessions"))
        trained = sessions.c.first_within < reassessed.c.taken_within
        not_yet = sessions.c.first.is_(None)
        change = reassessed.c.score_within - reassessed.c.score_before
        rows = {int(rank): row for rank, *row in self._connection.execute(
            select(reassessed.c.rank_before, func.count().filter(trained), func.avg(change).filter(trained),
                   func.count().filter(not_yet), func.avg(change).filter(not_yet))
            .select_from(reassessed.join(_businesses, _businesses.c.id == reassessed.c.business_id)
                         .outerjoin(sessions, sessions.c.owner_id == _businesses.c.owner_id))
            .where(reassessed.c.score_before.is_not(None), reassessed.c.score_within.is_not(None))
            .group_by(reassessed.c.rank_before))}
        comparisons = []
        for rank, level in enumerate(LEVELS):
            trained_count, trained_change, not_yet_count, not_yet_change = rows.get(rank, (0, None, 0, None))
            comparisons.append(Comparison(level, int(trained_count), _float(trained_change), int(not_yet_count),
                                          _float(not_yet_change)))
        return comparisons

    def _path(self, scope: str, start: datetime, end: datetime) -> Path:
        in_scope = [_businesses.c.registered_at < end, *within(_businesses.c.kabupaten_code, scope)]
        registered = self._connection.scalar(select(func.count()).select_from(_businesses).where(*in_scope))
        assessed = self._connection.scalar(
            select(func.count(func.distinct(_assessments.c.business_id)))
            .where(_assessments.c.taken_at < end, *self._business_in(_assessments.c.business_id, scope)))
        # The later steps are the trained owners' businesses': only their assessments are read.
        first_session = (select(_enrollments.c.owner_id, func.min(_sessions.c.starts_at).label("starts_at"))
                         .select_from(_enrollments.join(_sessions, _sessions.c.id == _enrollments.c.session_id))
                         .where(_enrollments.c.status == Status.ATTENDED, _sessions.c.starts_at < end)
                         .group_by(_enrollments.c.owner_id).subquery("first_session"))
        trained = (select(_businesses.c.id, first_session.c.starts_at)
                   .select_from(_businesses.join(first_session, first_session.c.owner_id == _businesses.c.owner_id))
                   .where(*in_scope).subquery("trained"))
        after = _assessments.c.taken_at > trained.c.starts_at
        newest = (select(_assessments.c.business_id, _assessments.c.score, after.label("after"),
                         func.row_number().over(partition_by=(_assessments.c.business_id, after),
                                                order_by=(_assessments.c.taken_at.desc(), _assessments.c.id.desc()))
                         .label("newest"))
                  .select_from(_assessments.join(trained, trained.c.id == _assessments.c.business_id))
                  .where(_assessments.c.taken_at < end)
                  .subquery("newest"))
        latest = newest.c.newest == 1
        scores = (select(func.max(case((and_(latest, newest.c.after), newest.c.score))).label("after"),
                         func.max(case((and_(latest, ~newest.c.after), newest.c.score))).label("before"))
                  .group_by(newest.c.business_id).subquery("scores"))
        row = self._connection.execute(
            select(func.count(), func.count(scores.c.after), func.count().filter(scores.c.after > scores.c.before))
        ).one()
        return Path(int(registered or 0), int(assessed or 0), *(int(count) for count in row))


def _retaken() -> ColumnElement[bool]:
    """Assessments of businesses assessed more than once (one of theirs is no longer the latest): only those can
    have changed level, or be compared before and after."""
    return _assessments.c.business_id.in_(select(_assessments.c.business_id).where(_assessments.c.latest.is_(False)))


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)
