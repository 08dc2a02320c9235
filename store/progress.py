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

Everything is counted in SQL, by grouped subqueries (and a window over the trained owners' assessments), so
100,000 businesses with 300,000 dated figures are never read into Python (only a few dozen counts per
kabupaten/kota and starting level are added up there). Only the rows that can count are read, from indexes that
hold what is read: each figures row keeps the class it replaced, and each assessment the level, score and moment
of the one it replaced, so a business's change of class, level or score over the period is the sum of the steps
its rows within the period took (from a class or level to the next is one step up), and only the rows that
changed a class, and the retakes, are read (partial indexes of their own); the path's later steps read only the
trained owners' assessments, looked up owner by owner.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from sqlalchemy import ColumnElement, Connection, Subquery, and_, case, func, select

from domain.assessment import LEVELS
from domain.regions import kabupaten_list
from domain.wib import WIB
from store.models import CHANGED_CLASS, Assessment, Business, BusinessFigure, Enrollment, TrainingSession
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
        classes = self._classes_moved(scope, start, end)
        levels, comparisons = self._levels_and_comparisons(scope, start, end)
        movements = [Movement(region.code, *classes.get(region.code, (0, 0)), *levels.get(region.code, (0, 0)))
                     for region in kabupaten_list() if scope in (PROVINCE, region.code)]
        return Figures(since, until, movements, comparisons, self._path(scope, start, end))

    def _classes_moved(self, scope: str, start: datetime, end: datetime) -> dict[str, tuple[int, int]]:
        """Per kabupaten/kota, how many businesses had their class rise and fall from `start` to `end`.

        Each figures row keeps the class it replaced, so a business's change over the period is the sum of the
        steps its rows within the period took, whatever their order; rows that kept the class (and first figures)
        take none, so only those that changed it are read, by their partial index.
        """
        step = _rank(_figures.c.business_class, BUSINESS_CLASSES) - _rank(_figures.c.previous_class, BUSINESS_CLASSES)
        moved = (select(_figures.c.business_id, func.sum(step).label("moved"))
                 .where(CHANGED_CLASS, _figures.c.recorded_at >= start,
                        _figures.c.recorded_at < end, *self._business_in(_figures.c.business_id, scope))
                 .group_by(_figures.c.business_id).subquery("moved"))
        kabupaten = _businesses.c.kabupaten_code
        found = self._connection.execute(
            select(kabupaten, func.count().filter(moved.c.moved > 0), func.count().filter(moved.c.moved < 0))
            .select_from(moved.join(_businesses, _businesses.c.id == moved.c.business_id))
            .where(moved.c.moved != 0).group_by(kabupaten))
        return {code: (int(up), int(down)) for code, up, down in found}

    def _business_in(self, business: ColumnElement[int], scope: str) -> list[ColumnElement[bool]]:
        """Rows of a history table kept to the businesses of a scope; none needed for the province."""
        if scope == PROVINCE:
            return []
        return [business.in_(select(_businesses.c.id).where(*within(_businesses.c.kabupaten_code, scope)))]

    def _levels_and_comparisons(self, scope: str, start: datetime, end: datetime) \
            -> tuple[dict[str, tuple[int, int]], list[Comparison]]:
        """Per kabupaten/kota, how many businesses had their assessment level rise and fall from `start` to
        `end`; per starting level, the trained and not yet trained businesses' change of score.

        Each assessment keeps the level, score and moment of the one it replaced, so only the retakes within the
        period are read, by their partial index: a business's rise or fall is the sum of the steps they took (its
        first of all takes none); its starting level for the comparison is the one its first retake of the period
        replaced, when that one was taken before the period, and its change of score the sum of the steps of
        score. Counted once per kabupaten/kota and starting level, the movements and the comparisons are sums of
        those counts.
        """
        rank, previous_rank = _rank(_assessments.c.level, LEVELS), _rank(_assessments.c.previous_level, LEVELS)
        from_before = _assessments.c.previous_taken_at < start  # the first retake of the period, after one before
        reassessed = (select(_assessments.c.business_id, func.sum(rank - previous_rank).label("moved"),
                             func.max(case((from_before, previous_rank))).label("rank_before"),
                             func.sum(_assessments.c.score - _assessments.c.previous_score).label("change"),
                             func.max(_assessments.c.taken_at).label("taken_within"))
                      .where(_assessments.c.previous_level.is_not(None), _assessments.c.taken_at >= start,
                             _assessments.c.taken_at < end, *self._business_in(_assessments.c.business_id, scope))
                      .group_by(_assessments.c.business_id).subquery("reassessed"))
        sessions = _sessions_attended(start, end)
        compared = reassessed.c.rank_before.is_not(None)
        trained = and_(compared, sessions.c.first_within < reassessed.c.taken_within)
        not_yet = and_(compared, sessions.c.first.is_(None))
        change = reassessed.c.change
        kabupaten = _businesses.c.kabupaten_code
        found = self._connection.execute(
            select(kabupaten, reassessed.c.rank_before, func.count().filter(reassessed.c.moved > 0),
                   func.count().filter(reassessed.c.moved < 0), func.count().filter(trained),
                   func.coalesce(func.sum(change).filter(trained), 0), func.count().filter(not_yet),
                   func.coalesce(func.sum(change).filter(not_yet), 0))
            .select_from(reassessed.join(_businesses, _businesses.c.id == reassessed.c.business_id)
                         .outerjoin(sessions, sessions.c.owner_id == _businesses.c.owner_id))
            .group_by(kabupaten, reassessed.c.rank_before))
        levels: dict[str, tuple[float, ...]] = {}
        groups: dict[int, tuple[float, ...]] = {}
        for code, rank_before, up, down, *group in found:
            levels[code] = _added(levels.get(code, (0, 0)), (up, down))
            if rank_before is not None:
                groups[int(rank_before)] = _added(groups.get(int(rank_before), (0, 0, 0, 0)), group)
        comparisons = []
        for rank_at_start, level in enumerate(LEVELS):
            trained_count, trained_sum, not_yet_count, not_yet_sum = groups.get(rank_at_start, (0, 0, 0, 0))
            comparisons.append(Comparison(level, int(trained_count), _mean(trained_sum, trained_count),
                                          int(not_yet_count), _mean(not_yet_sum, not_yet_count)))
        return {code: (int(up), int(down)) for code, (up, down) in levels.items()}, comparisons

    def _path(self, scope: str, start: datetime, end: datetime) -> Path:
        in_scope = [_businesses.c.registered_at < end, *within(_businesses.c.kabupaten_code, scope)]
        registered = self._connection.scalar(select(func.count()).select_from(_businesses).where(*in_scope))
        assessed = self._connection.scalar(
            select(func.count(func.distinct(_assessments.c.business_id)))
            .where(_assessments.c.taken_at < end, *self._business_in(_assessments.c.business_id, scope)))
        # The later steps are the assessed businesses of the trained owners (one in ten): only those owners'
        # assessments are read, found by owner (an assessment's owner is its business's, and each business was
        # registered before its assessments), and no business is.
        sessions = _sessions_attended(start, end)
        after = _assessments.c.taken_at > sessions.c.first
        newest = (select(_assessments.c.business_id, _assessments.c.score, after.label("after"),
                         func.row_number().over(partition_by=(_assessments.c.business_id, after),
                                                order_by=(_assessments.c.taken_at.desc(), _assessments.c.id.desc()))
                         .label("newest"))
                  .select_from(_assessments.join(sessions, sessions.c.owner_id == _assessments.c.owner_id))
                  .where(_assessments.c.taken_at < end, *self._business_in(_assessments.c.business_id, scope))
                  .subquery("newest"))
        latest = newest.c.newest == 1
        scores = (select(func.max(case((and_(latest, newest.c.after), newest.c.score))).label("after"),
                         func.max(case((and_(latest, ~newest.c.after), newest.c.score))).label("before"))
                  .group_by(newest.c.business_id).subquery("scores"))
        row = self._connection.execute(
            select(func.count(), func.count(scores.c.after), func.count().filter(scores.c.after > scores.c.before))
        ).one()
        return Path(int(registered or 0), int(assessed or 0), *(int(count) for count in row))


def _sessions_attended(start: datetime, end: datetime) -> Subquery:
    """Per owner who attended a session that started before `end`: the start of the first one (`first`), and of
    the first that started from `start` on (`first_within`; None where there is none)."""
    starts_at = _sessions.c.starts_at
    return (select(_enrollments.c.owner_id, func.min(starts_at).label("first"),
                   func.min(case((starts_at >= start, starts_at))).label("first_within"))
            .select_from(_enrollments.join(_sessions, _sessions.c.id == _enrollments.c.session_id))
            .where(_enrollments.c.status == Status.ATTENDED, starts_at < end)
            .group_by(_enrollments.c.owner_id).subquery("sessions"))


def _added(total: tuple[float, ...], more: Sequence[float]) -> tuple[float, ...]:
    """Counts (or sums) of one group added to those of the groups before."""
    return tuple(before + added for before, added in zip(total, more, strict=True))


def _mean(total: float, count: int) -> float | None:
    return float(total) / count if count else None
