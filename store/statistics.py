"""The dashboard's overview: how many owners and businesses, where, what kind, since when, how far along.

Everything is counted inside the officer's scope, from indexes that hold what is counted
(ix_businesses_kabupaten_class_sector, ix_businesses_registered_at and its kabupaten twin), so that the
province's 100,000 businesses are counted without reading the table or sorting it.
"""

import itertools
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Connection, and_, func, select
from sqlalchemy.sql.elements import ColumnElement

from domain.assessment import LEVELS
from domain.regions import kabupaten_list, kecamatan_of
from domain.wib import WIB
from store.models import DIMENSION_COLUMNS, Assessment, Business, Enrollment, Programme, TrainingSession, as_utc
from store.officers import PROVINCE, within
from store.registrations import BUSINESS_CLASSES
from store.training import Status

_businesses = Business.__table__
_assessments = Assessment.__table__
_programmes = Programme.__table__
_sessions = TrainingSession.__table__
_enrollments = Enrollment.__table__


@dataclass(frozen=True, slots=True)
class ProgrammeFill:
    """A programme's sessions within the scope, their seats, and how many hold, wait for or used one."""

    id: int
    code: str
    name: str
    sessions: int
    capacity: int
    registered: int
    waitlisted: int
    attended: int
    absent: int  # marked as not come: the seat stays taken, the session being over

    @property
    def fill_rate(self) -> float | None:
        """The share of the seats taken (registered, attended or absent); None without a seat in the scope."""
        return (self.registered + self.attended + self.absent) / self.capacity if self.capacity else None


@dataclass(frozen=True, slots=True)
class Overview:
    owners: int  # with at least one business in scope
    businesses: int
    by_kabupaten: list[tuple[str, int]]  # every kabupaten/kota of the scope, in code order, zeros included
    by_kecamatan: list[tuple[str, int]]  # a kabupaten/kota's every kecamatan, zeros included; none for the province
    by_class: list[tuple[str, int]]  # smallest class first, zeros included
    by_sector: list[tuple[str, int]]  # the sectors registered, most businesses first
    by_month: list[tuple[str, int]]  # "YYYY-MM" (WIB) from the first registration's month to now's, zeros included
    assessed: int  # businesses with at least one assessment
    levels: list[tuple[str, int]]  # of the latest assessments, in LEVELS order, zeros included
    average_score: float | None  # of the latest assessments
    dimension_averages: dict[str, float | None]  # of the latest assessments, per DIMENSION_COLUMNS
    programmes: list[ProgrammeFill]  # those with a session in scope, by code


class Statistics:
    """The dashboard's overview queries of one unit of work."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._connection = connection
        self._dialect = connection.dialect.name
        self.now = now

    def overview(self, scope: str) -> Overview:
        in_scope = within(_businesses.c.kabupaten_code, scope)
        kabupaten: Counter[str] = Counter()
        classes: Counter[str] = Counter()
        sectors: Counter[str] = Counter()
        # Grouped in the order of ix_businesses_kabupaten_class_sector, the groups come straight off the index.
        grouping = (_businesses.c.kabupaten_code, _businesses.c.business_class, _businesses.c.sector)
        for code, business_class, sector, count in self._connection.execute(
                select(*grouping, func.count()).where(*in_scope).group_by(*grouping)):
            kabupaten[code] += count
            classes[business_class] += count
            sectors[sector] += count
        owners = self._connection.scalar(select(func.count(func.distinct(_businesses.c.owner_id))).where(*in_scope))
        assessed, levels, average_score, dimension_averages = self._latest_assessments(scope)
        return Overview(
            owners=int(owners or 0),
            businesses=sum(kabupaten.values()),
            by_kabupaten=[(region.code, kabupaten[region.code]) for region in kabupaten_list()
                          if scope in (PROVINCE, region.code)],
            by_kecamatan=[] if scope == PROVINCE else self._by_kecamatan(scope),
            by_class=[(name, classes[name]) for name in BUSINESS_CLASSES]
            + sorted((name, count) for name, count in classes.items() if name not in BUSINESS_CLASSES),
            by_sector=sorted(sectors.items(), key=lambda item: (-item[1], item[0])),
            by_month=self._by_month(in_scope),
            assessed=assessed,
            levels=list(levels.items()),
            average_score=average_score,
            dimension_averages=dimension_averages,
            programmes=self._programmes(scope),
        )

    def _by_kecamatan(self, kabupaten: str) -> list[tuple[str, int]]:
        """A kabupaten/kota's businesses by kecamatan: what its own officer looks at where the province looks at
        kabupaten."""
        found = dict(self._connection.execute(
            select(_businesses.c.kecamatan_code, func.count()).where(_businesses.c.kabupaten_code == kabupaten)
            .group_by(_businesses.c.kecamatan_code)).all())
        return [(place.code, int(found.get(place.code, 0))) for place in kecamatan_of(kabupaten)]

    def _by_month(self, in_scope: list[ColumnElement[bool]]) -> list[tuple[str, int]]:
        """Registrations in each WIB month from the first to now's, zeros included.

        Each month is counted as a range of registration times, on an index that holds them in order: grouping by
        a month worked out from every row would sort 100,000 rows first.
        """
        return count_by_month(self._connection, _businesses.c.registered_at, in_scope, self.now)

    def _latest_assessments(self, scope: str) -> tuple[int, dict[str, int], float | None, dict[str, float | None]]:
        """The latest assessments in scope: how many, how many at each level, the average score and per dimension."""
        # Counted by filters rather than grouped by level: one pass, no sort. Every assessment's business exists
        # (they go together), so the province needs no join at all.
        source = _assessments if scope == PROVINCE else _assessments.join(
            _businesses, and_(_businesses.c.id == _assessments.c.business_id, _businesses.c.kabupaten_code == scope))
        row = self._connection.execute(
            select(func.count(), *(func.count().filter(_assessments.c.level == level) for level in LEVELS),
                   func.avg(_assessments.c.score),
                   *(func.avg(_assessments.c[dimension]) for dimension in DIMENSION_COLUMNS))
            .select_from(source).where(_assessments.c.latest.is_(True))).one()
        levels = dict(zip(LEVELS, (int(count) for count in row[1:1 + len(LEVELS)]), strict=True))
        averages = [float(value) if value is not None else None for value in row[1 + len(LEVELS):]]
        return int(row[0]), levels, averages[0], dict(zip(DIMENSION_COLUMNS, averages[1:], strict=True))

    def _programmes(self, scope: str) -> list[ProgrammeFill]:
        """The programmes with sessions in scope (held in the officer's kabupaten/kota), and those sessions' seats."""
        status = _enrollments.c.status
        counted = (Status.REGISTERED, Status.WAITLISTED, Status.ATTENDED, Status.ABSENT)
        places = (select(_enrollments.c.session_id,
                         *(func.count().filter(status == name).label(name) for name in counted))
                  .where(status.in_(counted))
                  .group_by(_enrollments.c.session_id).subquery())
        rows = self._connection.execute(
            select(_programmes.c.id, _programmes.c.code, _programmes.c.name, func.count(_sessions.c.id),
                   *(func.coalesce(func.sum(column), 0)
                     for column in (_sessions.c.capacity, places.c.registered, places.c.waitlisted, places.c.attended,
                                    places.c.absent)))
            .select_from(_programmes
                         .join(_sessions, and_(_sessions.c.programme_id == _programmes.c.id,
                                               *within(_sessions.c.kabupaten_code, scope)))
                         .outerjoin(places, places.c.session_id == _sessions.c.id))
            .group_by(_programmes.c.id, _programmes.c.code, _programmes.c.name)
            .order_by(_programmes.c.code))
        return [ProgrammeFill(row[0], row[1], row[2], *(int(value) for value in row[3:])) for row in rows]


def count_by_month(connection: Connection, moment: ColumnElement[datetime], where: list[ColumnElement[bool]],
                   now: datetime) -> list[tuple[str, int]]:
    """The rows `where` chooses in each WIB month ("2026-11") by their `moment`, from the first row's month to
    now's, zeros included; each month counted as a range of moments, in one statement."""
    first = connection.scalar(select(func.min(moment)).where(*where))
    if first is None:
        return []
    months = _months(as_utc(first).astimezone(WIB), max(as_utc(first), now).astimezone(WIB))
    bounds = [_month_start(*month) for month in [*months, _next(months[-1])]]
    counts = connection.execute(select(*(
        select(func.count()).where(*where, moment >= start, moment < end).scalar_subquery()
        for start, end in itertools.pairwise(bounds)))).one()
    return [(f"{year:04d}-{month:02d}", int(count)) for (year, month), count in zip(months, counts, strict=True)]


def _months(first: datetime, last: datetime) -> list[tuple[int, int]]:
    """(year, month) of every month from `first`'s to `last`'s."""
    months = [(first.year, first.month)]
    while months[-1] < (last.year, last.month):
        months.append(_next(months[-1]))
    return months


def _next(month: tuple[int, int]) -> tuple[int, int]:
    year, number = month
    return (year + 1, 1) if number == 12 else (year, number + 1)


def _month_start(year: int, month: int) -> datetime:
    """The first moment of a WIB month, in UTC as the times are stored."""
    return datetime(year, month, 1, tzinfo=WIB).astimezone(timezone.utc)
