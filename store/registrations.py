"""The registrations as officers see them on the dashboard: filtered, sorted, paged, exported, one at a time.

Every query takes the officer's scope: the province sees every business, a kabupaten/kota officer only
the businesses registered there, whatever else the filter says. One function turns a filter into the
tables to read and the conditions (`_matching`), so a count, a page and an export always agree.
"""

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, String, and_, case, cast, func, insert, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from domain.classes import BusinessClass
from domain.wib import WIB
from store.models import (
    DIMENSION_COLUMNS,
    Announcement,
    Assessment,
    AuditEvent,
    Business,
    Enrollment,
    OutboxMessage,
    Owner,
    Programme,
    TrainingSession,
    as_utc,
)
from store.officers import PROVINCE, actor_of, within
from store.outbox import SessionNews, session_news

NEVER_ASSESSED = "none"  # the level filter's word for businesses without an assessment
BUSINESS_CLASSES = tuple(BusinessClass)  # smallest first
SORTS = ("registered_at", "name", "owner", "kabupaten", "class", "score")
MESSAGES_SHOWN = 50  # a business's page shows the owner's latest outbox rows, not years of them
EXPORT_BATCH = 2_000  # rows fetched at a time while an export streams

_businesses = Business.__table__
_owners = Owner.__table__
_assessments = Assessment.__table__
# The business's newest assessment only: joined on the partial index of the rows flagged latest.
_latest = Assessment.__table__.alias("latest_assessment")
_enrollments = Enrollment.__table__
_sessions = TrainingSession.__table__
_programmes = Programme.__table__
_outbox = OutboxMessage.__table__
_announcements = Announcement.__table__
_audit = AuditEvent.__table__


@dataclass(frozen=True, slots=True)
class RegistrationFilter:
    """Which businesses an officer asks for; `scope` is the officer's reach, never their choice."""

    scope: str
    search: str = ""  # a case-insensitive piece of the business's name, the owner's name or the registration number
    phone: str | None = None  # the owner's, in E.164
    nik: str | None = None  # the owner's: personal data, searched for by the province's officers only
    kabupaten: str | None = None
    kecamatan: str | None = None
    sector: str | None = None
    business_class: str | None = None
    has_nib: bool | None = None
    level: str | None = None  # of the latest assessment, or NEVER_ASSESSED
    registered_from: date | None = None  # WIB calendar days, both ends included
    registered_to: date | None = None

    def as_json(self) -> dict[str, Any]:
        """The fields given, dates as ISO text and the NIK masked: what an export record keeps of the filter."""
        given = {name: value.isoformat() if isinstance(value, date) else value
                 for name, value in asdict(self).items() if value is not None and value != ""}
        return {**given, "nik": mask_nik(self.nik)} if self.nik is not None else given


@dataclass(frozen=True, slots=True)
class RegistrationRow:
    """One line of the registrations list."""

    business_id: int
    registration_number: str | None
    name: str
    owner_id: int
    owner_name: str
    kabupaten_code: str
    kecamatan_code: str
    sector: str
    business_class: str
    nib: str | None
    registered_at: datetime
    level: str | None  # of the latest assessment; None if never assessed
    score: float | None


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One line of an export file, in the file's column order; the NIK masked unless asked for in full."""

    registration_number: str | None
    name: str
    owner_name: str
    nik: str
    phone: str
    sector: str
    sector_note: str | None
    kbli_category: str
    kabupaten_code: str
    kecamatan_code: str
    address: str
    nib: str | None
    year_started: int
    workers: int
    modal_usaha: int
    monthly_turnover: int
    annual_turnover: int
    business_class: str
    registered_at: datetime
    level: str | None
    score: float | None


@dataclass(frozen=True, slots=True)
class OwnerSummary:
    """The owner of a business as an officer may see them: the NIK masked."""

    id: int
    name: str
    nik: str
    phone: str
    phone_verified: bool
    registered_at: datetime
    # Whether they receive announcements: at most one of the answers is set (store/models.py's Owner).
    announcements_asked_at: datetime | None
    announcements_accepted_at: datetime | None
    announcements_stopped_at: datetime | None


@dataclass(frozen=True, slots=True)
class AssessmentEntry:
    taken_at: datetime
    score: float
    level: str
    dimensions: dict[str, float | None]  # DIMENSION_COLUMNS -> 0-100, None where no item of it was answered


@dataclass(frozen=True, slots=True)
class EnrollmentEntry:
    programme_name: str
    session_code: str
    starts_at: datetime
    place: str
    kabupaten_code: str
    status: str
    since: datetime


@dataclass(frozen=True, slots=True)
class MessageEntry:
    """A message the owner was sent (or is to be): an announcement's raw text, or the row's own."""

    kind: str
    channel: str
    status: str
    sent_at: datetime | None
    delivered_at: datetime | None
    error: str | None
    text: str | None
    session: SessionNews | None = None  # a message about a session: written from it, as the worker writes it


@dataclass(frozen=True, slots=True)
class BusinessRecord:
    """Everything an officer's page of one business shows."""

    id: int
    registration_number: str | None
    name: str
    sector: str
    sector_note: str | None
    kbli_category: str
    kabupaten_code: str
    kecamatan_code: str
    address: str
    nib: str | None
    year_started: int
    workers: int
    modal_usaha: int
    monthly_turnover: int
    annual_turnover: int
    business_class: str
    registered_at: datetime
    owner: OwnerSummary
    assessments: list[AssessmentEntry]  # oldest first
    enrollments: list[EnrollmentEntry]  # the owner's in sessions held in the scope, by session start
    messages: list[MessageEntry]  # the owner's the scope may see, newest first, at most MESSAGES_SHOWN


def mask_nik(nik: str) -> str:
    """A NIK as it may be shown: "6202**********0001" (first 4 and last 4 digits kept)."""
    # Ten stars, exactly as in the domain reference's example, so every screen shows the same form.
    return f"{nik[:4]}{'*' * 10}{nik[-4:]}"


def wib_day_start(day: date) -> datetime:
    """The UTC moment a WIB calendar day begins: 1 March starts at 28 February 17.00 UTC."""
    return as_utc(datetime.combine(day, time(), WIB))


class Registrations:
    """The dashboard's registration queries of one unit of work."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._connection = connection
        self._dialect = connection.dialect.name
        self.now = now

    def count(self, where: RegistrationFilter) -> int:
        source, conditions = _matching(where, self._dialect)
        return int(self._connection.scalar(select(func.count()).select_from(source).where(*conditions)) or 0)

    def audit_nik_search(self, officer_id: int, found: int) -> None:
        """Record that an officer searched by NIK and how many businesses it found: who and when, never the NIK."""
        self._connection.execute(insert(_audit).values(at=self.now, actor=actor_of(officer_id), action="nik_searched",
                                                       subject=f"found:{found}"))

    def page(self, where: RegistrationFilter, sort: str = "registered_at", descending: bool = True,
             offset: int = 0, limit: int = 50) -> list[RegistrationRow]:
        """One page of the matching businesses, in `sort` order and then by id, so pages never overlap."""
        if sort not in SORTS:
            raise ValueError(f"unknown sort {sort!r}; one of {', '.join(SORTS)}")
        source, conditions = _matching(where, self._dialect, owner=sort == "owner", latest=sort == "score")
        # The order is found on the few columns it needs; only the page's rows are then read whole.
        ids = list(self._connection.scalars(
            select(_businesses.c.id).select_from(source).where(*conditions)
            .order_by(*_order(sort, descending)).offset(offset).limit(limit)))
        if not ids:
            return []
        rows = self._connection.execute(
            select(_businesses.c.id, _businesses.c.registration_number, _businesses.c.name, _businesses.c.owner_id,
                   _owners.c.name, _businesses.c.kabupaten_code, _businesses.c.kecamatan_code,
                   _businesses.c.sector, _businesses.c.business_class, _businesses.c.nib,
                   _businesses.c.registered_at, _latest.c.level, _latest.c.score)
            .select_from(_with_latest(_with_owner(_businesses)))
            .where(_businesses.c.id.in_(ids)))
        found = {row[0]: RegistrationRow(*row[:10], as_utc(row[10]), row[11], row[12]) for row in rows}
        return [found[business_id] for business_id in ids]

    def export_rows(self, where: RegistrationFilter, full_nik: bool) -> Iterator[ExportRow]:
        """Every matching business by id, fetched a batch at a time: read it while the unit of work is open."""
        source, conditions = _matching(where, self._dialect, owner=True, latest=True)
        columns = (_businesses.c.registration_number, _businesses.c.name, _owners.c.name, _owners.c.nik,
                   _owners.c.phone, _businesses.c.sector, _businesses.c.sector_note, _businesses.c.kbli_category,
                   _businesses.c.kabupaten_code, _businesses.c.kecamatan_code, _businesses.c.address,
                   _businesses.c.nib, _businesses.c.year_started, _businesses.c.workers, _businesses.c.modal_usaha,
                   _businesses.c.monthly_turnover, _businesses.c.annual_turnover, _businesses.c.business_class,
                   _businesses.c.registered_at, _latest.c.level, _latest.c.score)
        # Options of this statement only: set on the connection they would stay for the rest of the unit of work.
        # On PostgreSQL this is a server-side cursor; pysqlite's cursor reads on demand by itself.
        rows = self._connection.execute(
            select(*columns).select_from(source).where(*conditions).order_by(_businesses.c.id),
            execution_options={"stream_results": True, "yield_per": EXPORT_BATCH})
        for row in rows:
            yield ExportRow(row[0], row[1], row[2], row[3] if full_nik else mask_nik(row[3]), *row[4:18],
                            as_utc(row[18]), row[19], row[20])

    def business(self, business_id: int, scope: str) -> BusinessRecord | None:
        """One business with its owner, assessments, the owner's sessions and messages; None outside `scope`.

        An owner may have businesses in several kabupaten/kota: a kabupaten/kota officer sees only the owner's
        sessions held in theirs, and only the messages of their own or the province's affairs.
        """
        business = self._connection.execute(
            select(_businesses).where(_businesses.c.id == business_id,
                                      *within(_businesses.c.kabupaten_code, scope))).mappings().first()
        if business is None:
            return None
        owner_id = business["owner_id"]
        owner = self._connection.execute(
            select(_owners.c.id, _owners.c.name, _owners.c.nik, _owners.c.phone, _owners.c.phone_verified,
                   _owners.c.registered_at, _owners.c.announcements_asked_at, _owners.c.announcements_accepted_at,
                   _owners.c.announcements_stopped_at).where(_owners.c.id == owner_id)).one()
        return BusinessRecord(
            **{name: business[name] for name in _BUSINESS_FIELDS},
            registered_at=as_utc(business["registered_at"]),
            owner=OwnerSummary(owner.id, owner.name, mask_nik(owner.nik), owner.phone, owner.phone_verified,
                               as_utc(owner.registered_at), *(_maybe_utc(moment) for moment in owner[6:])),
            assessments=self._assessments_of(business_id),
            enrollments=self.enrollments_of(owner_id, scope),
            messages=self._messages_to(owner_id, scope))

    def _assessments_of(self, business_id: int) -> list[AssessmentEntry]:
        rows = self._connection.execute(
            select(_assessments.c.taken_at, _assessments.c.score, _assessments.c.level,
                   *(_assessments.c[dimension] for dimension in DIMENSION_COLUMNS))
            .where(_assessments.c.business_id == business_id)
            .order_by(_assessments.c.taken_at, _assessments.c.id))
        return [AssessmentEntry(as_utc(row[0]), row[1], row[2], dict(zip(DIMENSION_COLUMNS, row[3:], strict=True)))
                for row in rows]

    def enrollments_of(self, owner_id: int, scope: str) -> list[EnrollmentEntry]:
        """The owner's places in the training sessions of the scope, the earliest session first."""
        rows = self._connection.execute(
            select(_programmes.c.name, _sessions.c.code, _sessions.c.starts_at, _sessions.c.place,
                   _sessions.c.kabupaten_code, _enrollments.c.status, _enrollments.c.since)
            .select_from(_enrollments.join(_sessions, _sessions.c.id == _enrollments.c.session_id)
                         .join(_programmes, _programmes.c.id == _sessions.c.programme_id))
            .where(_enrollments.c.owner_id == owner_id, *within(_sessions.c.kabupaten_code, scope))
            .order_by(_sessions.c.starts_at, _enrollments.c.id))
        return [EnrollmentEntry(row[0], row[1], as_utc(row[2]), row[3], row[4], row[5], as_utc(row[6]))
                for row in rows]

    def _messages_to(self, owner_id: int, scope: str) -> list[MessageEntry]:
        rows = self._connection.execute(
            select(_outbox.c.kind, _outbox.c.channel, _outbox.c.status, _outbox.c.sent_at, _outbox.c.delivered_at,
                   _outbox.c.error, func.coalesce(_outbox.c.text, _announcements.c.text),
                   _programmes.c.name.label("programme_name"), _sessions.c.starts_at, _sessions.c.place,
                   _sessions.c.kabupaten_code)
            .select_from(_outbox.outerjoin(_announcements, _announcements.c.id == _outbox.c.announcement_id)
                         .outerjoin(_sessions, _sessions.c.id == _outbox.c.session_id)
                         .outerjoin(_programmes, _programmes.c.id == _sessions.c.programme_id))
            .where(_outbox.c.owner_id == owner_id, *_messages_within(owner_id, scope))
            .order_by(_outbox.c.due_at.desc(), _outbox.c.id.desc()).limit(MESSAGES_SHOWN))
        return [MessageEntry(row[0], row[1], row[2], _maybe_utc(row[3]), _maybe_utc(row[4]), row[5], row[6],
                             session_news(row)) for row in rows]


_BUSINESS_FIELDS = ("id", "registration_number", "name", "sector", "sector_note", "kbli_category", "kabupaten_code",
                    "kecamatan_code", "address", "nib", "year_started", "workers", "modal_usaha", "monthly_turnover",
                    "annual_turnover", "business_class")


def _maybe_utc(moment: datetime | None) -> datetime | None:
    return as_utc(moment) if moment is not None else None


def _messages_within(owner_id: int, scope: str) -> list[ColumnElement[bool]]:
    """The owner's outbox rows a scope may see: every one for the province; for a kabupaten/kota, the
    announcements made for the whole province or for it, and the reminders of sessions held there.

    A reminder is tied to its session by its key (flows/notices.py: "reminder:<session>:<owner>"); a seat
    notice names no session anywhere, so only the province sees it.
    """
    if scope == PROVINCE:
        return []
    reminders_there = (select(literal("reminder:") + cast(_sessions.c.id, String) + literal(f":{owner_id}"))
                       .where(_sessions.c.kabupaten_code == scope))
    return [or_(_announcements.c.scope.in_((PROVINCE, scope)), _outbox.c.key.in_(reminders_there))]


def _with_owner(source: FromClause) -> FromClause:
    return source.join(_owners, _owners.c.id == _businesses.c.owner_id)


def _with_latest(source: FromClause) -> FromClause:
    return source.outerjoin(_latest, and_(_latest.c.business_id == _businesses.c.id, _latest.c.latest.is_(True)))


def _matching(where: RegistrationFilter, dialect: str, *, owner: bool = False,
              latest: bool = False) -> tuple[FromClause, list[ColumnElement[bool]]]:
    """The tables to read and the conditions for the businesses `where` chooses, the scope's first."""
    # The owners and the latest assessments are joined only when a condition (or the caller) needs them:
    # a count over 100,000 businesses then reads the businesses alone.
    conditions = within(_businesses.c.kabupaten_code, where.scope)
    for column, value in ((_businesses.c.kabupaten_code, where.kabupaten),
                          (_businesses.c.kecamatan_code, where.kecamatan),
                          (_businesses.c.sector, where.sector),
                          (_businesses.c.business_class, where.business_class)):
        if value is not None:
            conditions.append(column == value)
    if where.has_nib is not None:
        conditions.append(_businesses.c.nib.is_not(None) if where.has_nib else _businesses.c.nib.is_(None))
    if where.registered_from is not None:
        conditions.append(_businesses.c.registered_at >= wib_day_start(where.registered_from))
    if where.registered_to is not None:
        conditions.append(_businesses.c.registered_at < wib_day_start(where.registered_to + timedelta(days=1)))
    if where.level == NEVER_ASSESSED:
        # A list of the assessed, made once, beats looking for a missing row 100,000 times.
        conditions.append(_businesses.c.id.not_in(
            select(_assessments.c.business_id).where(_assessments.c.latest.is_(True))))
    elif where.level is not None:
        conditions.append(_latest.c.level == where.level)
    for column, value in ((_owners.c.phone, where.phone), (_owners.c.nik, where.nik)):
        if value is not None:  # exact, on the owners' own indexes
            conditions.append(column == value)
    term = where.search.strip()
    if term:
        pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(or_(*(_contains(column, pattern, dialect) for column in (
            _businesses.c.name, _owners.c.name, _businesses.c.registration_number))))
    source: FromClause = _businesses
    if owner or term or where.phone is not None or where.nik is not None:
        source = _with_owner(source)
    if latest or where.level not in (None, NEVER_ASSESSED):
        source = _with_latest(source)
    return source, conditions


def _contains(column: ColumnElement[str], pattern: str, dialect: str) -> ColumnElement[bool]:
    """Whether a column matches a LIKE pattern whatever the letters' case."""
    # SQLite's LIKE ignores the case of ASCII letters by itself (its lower() folds no more than that), and
    # lower() on every row would take more than half the time of a search over 100,000 businesses.
    if dialect == "sqlite":
        return column.like(pattern, escape="\\")
    # On PostgreSQL, lower() and LIKE take three quarters of the time ILIKE does.
    return func.lower(column).like(pattern.lower(), escape="\\")


def _order(sort: str, descending: bool) -> list[ColumnElement[Any]]:
    """The ORDER BY of a sort key, then the business id the same way round; scores never given go last."""
    keys: list[ColumnElement[Any]] = {
        "registered_at": [_businesses.c.registered_at],
        "name": [func.lower(_businesses.c.name)],
        "owner": [func.lower(_owners.c.name)],
        "kabupaten": [_businesses.c.kabupaten_code],
        "class": [case({name: rank for rank, name in enumerate(BUSINESS_CLASSES)}, value=_businesses.c.business_class,
                       else_=literal(len(BUSINESS_CLASSES)))],
        "score": [_latest.c.score],
    }[sort]
    first = [_latest.c.score.is_(None)] if sort == "score" else []
    return first + [key.desc() if descending else key.asc() for key in (*keys, _businesses.c.id)]
