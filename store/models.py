"""The registry's tables: owners, their businesses, conversations, consents, training, the outbox, bookkeeping."""

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """Every moment is stored in UTC: SQLite keeps the wall time and drops the zone; naive ones are UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: DateTime(timezone=True)}


class Owner(Base):
    """A person who registered at least one business; everything personal about them is here."""

    __tablename__ = "owners"
    __table_args__ = {"sqlite_autoincrement": True}  # an erased owner's id is never given again

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    nik: Mapped[str] = mapped_column(String(16), unique=True, index=True)  # one person, one registration
    phone: Mapped[str] = mapped_column(String(20), index=True)
    phone_verified: Mapped[bool] = mapped_column(default=False)
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Receiving announcements is a purpose of its own: asked once, at the end of registration (or of an owner
    # registered before it was asked), and answered any time with "berhenti" or "mulai". At most one of the
    # answers is set, the latest; neither means the owner has not said yes, and is sent none. Each answer is
    # also kept as a Consent row, as proof.
    announcements_asked_at: Mapped[datetime | None]  # when the question was put to them: it is put once
    announcements_accepted_at: Mapped[datetime | None]  # said yes (or "mulai")
    announcements_stopped_at: Mapped[datetime | None]  # said no (or "berhenti")

    businesses: Mapped[list["Business"]] = relationship(
        back_populates="owner", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Business.id",
    )
    consents: Mapped[list["Consent"]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class Business(Base):
    """One registered UMKM with the answers it was registered with and its computed class."""

    __tablename__ = "businesses"
    __table_args__ = {"sqlite_autoincrement": True}  # the registration number is made from the id

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"), index=True)
    registration_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(40))
    sector_note: Mapped[str | None] = mapped_column(String(200))  # the owner's words for "Lainnya"
    kbli_category: Mapped[str] = mapped_column(String(8))
    kabupaten_code: Mapped[str] = mapped_column(String(5))  # indexed below, with what the dashboard counts by
    kecamatan_code: Mapped[str] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(Text)
    nib: Mapped[str | None] = mapped_column(String(13))
    year_started: Mapped[int]
    workers: Mapped[int]
    modal_usaha: Mapped[int] = mapped_column(BigInteger)
    monthly_turnover: Mapped[int] = mapped_column(BigInteger)
    annual_turnover: Mapped[int] = mapped_column(BigInteger)
    business_class: Mapped[str] = mapped_column(String(12), index=True)
    registered_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    closed_at: Mapped[datetime | None]  # when its owner told a data update it no longer operates

    owner: Mapped[Owner] = relationship(back_populates="businesses")


# The dashboard counts businesses by kabupaten, class and sector, and by month, over 100,000 rows: these indexes
# hold all it reads, so the counts never sort or read the table.
Index("ix_businesses_kabupaten_class_sector", Business.kabupaten_code, Business.business_class, Business.sector)
Index("ix_businesses_kabupaten_registered", Business.kabupaten_code, Business.registered_at)


class BusinessFigure(Base):
    """A business's figures as they stood from one moment: at registration, after a correction, after an update.

    Kept whole each time, so the class (and capital, turnover, workers) at any date is the latest row before it.
    """

    __tablename__ = "business_figures"
    __table_args__ = (Index("ix_business_figures_business_recorded", "business_id", "recorded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(12))  # "registration", "correction", "update"
    modal_usaha: Mapped[int] = mapped_column(BigInteger)
    monthly_turnover: Mapped[int] = mapped_column(BigInteger)
    annual_turnover: Mapped[int] = mapped_column(BigInteger)
    workers: Mapped[int]
    business_class: Mapped[str] = mapped_column(String(12))
    previous_class: Mapped[str | None] = mapped_column(String(12))  # the class before these figures; None at first


# A business can only have moved class over a period if a row within it changed its class: those rows, few among
# 300,000, are found by time on their own, with the classes they changed from and to, so the index alone is read.
# Written "IS TRUE", the index's predicate and the queries' condition (the same) are estimated by PostgreSQL from
# the statistics migration 0016 keeps on the comparison: a comparison of two columns has none of its own, and was
# taken for 80% of the rows, not 3%.
CHANGED_CLASS = (BusinessFigure.business_class != BusinessFigure.previous_class).is_(True)
Index("ix_business_figures_class_changes", BusinessFigure.recorded_at, BusinessFigure.business_id,
      BusinessFigure.previous_class, BusinessFigure.business_class,
      postgresql_where=CHANGED_CLASS, sqlite_where=CHANGED_CLASS)
FIGURE_COLUMNS = ("modal_usaha", "monthly_turnover", "annual_turnover", "workers", "business_class")


class Consent(Base):
    """Proof of one consent answer: which purpose, which text version, what and when."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    text_version: Mapped[str] = mapped_column(String(40))
    accepted: Mapped[bool]
    answered_at: Mapped[datetime]


class Conversation(Base):
    """Where one chat address stands: the flow, the step and the answers given so far."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(100))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("owners.id", ondelete="SET NULL"), index=True
    )
    language: Mapped[str] = mapped_column(String(5), default="id")
    flow: Mapped[str] = mapped_column(String(40), default="menu")
    step: Mapped[str] = mapped_column(String(40), default="start")
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The choices of the last reply that had any ({"key": screen_key, "choices": [[number, label], ...]}), so a
    # press on a button is read as exactly its choice, and a press on older buttons is known to be one.
    screen: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    blocked_at: Mapped[datetime | None]  # when the user blocked the bot on this channel; None once back


class InboundMessage(Base):
    """A provider message id already seen, so a retried delivery changes nothing twice.

    Where several processes serve one registry, a message is first written here as waiting, with
    what it said, so whichever process holds its chat next handles the chat's waiting messages in
    the order they were sent. Once handled, what it said is cleared; the answer stays only until
    the request that brought the message, if another process's, has collected it.
    """

    __tablename__ = "inbound_messages"

    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    provider_message_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    address: Mapped[str | None] = mapped_column(String(100))
    sequence: Mapped[int | None] = mapped_column(BigInteger)  # the provider's order, else the arrival time in µs
    text: Mapped[str | None] = mapped_column(Text)
    verified_phone: Mapped[str | None] = mapped_column(String(20))
    attachment: Mapped[str | None] = mapped_column(String(20))
    handled_at: Mapped[datetime | None]
    replies: Mapped[list[Any] | None] = mapped_column(JSON)


# Only waiting messages are looked up by chat, and few wait at any time: a partial index stays small.
_waiting = InboundMessage.handled_at.is_(None)
Index("ix_inbound_messages_waiting", InboundMessage.channel, InboundMessage.address, InboundMessage.sequence,
      postgresql_where=_waiting, sqlite_where=_waiting)


class AuditEvent(Base):
    """That something was done to personal data, by whom and when; never the data itself."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(100))


class DeliveryStatus(Base):
    """What a provider reported about a message we sent: queued, sent, delivered, read, failed."""

    __tablename__ = "delivery_statuses"
    __table_args__ = (Index("ix_delivery_statuses_message", "channel", "provider_message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    provider_message_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class Assessment(Base):
    """One self-assessment of a business, kept so a retake can show the change."""

    __tablename__ = "assessments"
    # Each business's assessments in order, with their level and score: a business's latest, and the businesses
    # assessed up to a day ("naik kelas"), are read from this index alone, not the rows with their points.
    __table_args__ = (Index("ix_assessments_business", "business_id", "taken_at", "id", "level", "score"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"), index=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"))
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)
    points: Mapped[dict[str, int]] = mapped_column(JSON)  # item key -> points, for the items answered
    score: Mapped[float] = mapped_column(Float)
    level: Mapped[str] = mapped_column(String(20))
    # Only the newest assessment of a business counts in the dashboard's figures; kept as a flag so they
    # need no "newest per business" search over every assessment.
    latest: Mapped[bool] = mapped_column(default=True)
    # The share of its possible points each dimension got (0-100), None where no item of it was answered:
    # columns, so an average per dimension over 100,000 businesses is one scan, not 1.6 million JSON reads.
    legalitas: Mapped[float | None] = mapped_column(Float)
    keuangan: Mapped[float | None] = mapped_column(Float)
    pasar: Mapped[float | None] = mapped_column(Float)
    digital: Mapped[float | None] = mapped_column(Float)
    produk: Mapped[float | None] = mapped_column(Float)
    sdm: Mapped[float | None] = mapped_column(Float)
    # The assessment this one replaced (the business's one before it; None for its first), as the figures keep
    # the class they replaced: a change of level or score over a period is the sum of the steps the assessments
    # within it took, and the one before the period is the one the period's first replaced.
    previous_level: Mapped[str | None] = mapped_column(String(20))
    previous_score: Mapped[float | None] = mapped_column(Float)
    previous_taken_at: Mapped[datetime | None]


DIMENSION_COLUMNS = ("legalitas", "keuangan", "pasar", "digital", "produk", "sdm")
_latest = Assessment.latest.is_(True)
Index("ix_assessments_latest", Assessment.business_id, postgresql_where=_latest, sqlite_where=_latest)
# The retakes (the assessments that replaced one), with what "naik kelas" reads of them: only these can have
# changed a level or a score.
_retake = Assessment.previous_level.is_not(None)
Index("ix_assessments_retakes", Assessment.taken_at, Assessment.business_id, Assessment.previous_taken_at,
      Assessment.previous_level, Assessment.level, Assessment.previous_score, Assessment.score,
      postgresql_where=_retake, sqlite_where=_retake)


class Programme(Base):
    """A training programme of the Dinas and who may join it; an empty list means everyone.

    The lists are space-separated codes (kabupaten "62.02", class "mikro", sector "kuliner",
    dimension "keuangan"), so one indexed row says everything the programme list filters on.
    """

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # the import file's name for it
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    organiser: Mapped[str] = mapped_column(String(200))
    dimensions: Mapped[str] = mapped_column(String(100))
    kabupaten_codes: Mapped[str] = mapped_column(String(200), default="")
    business_classes: Mapped[str] = mapped_column(String(60), default="")
    sectors: Mapped[str] = mapped_column(String(200), default="")


class TrainingSession(Base):
    """One session of a programme: when (stored in UTC, shown in WIB), where, and how many seats."""

    __tablename__ = "training_sessions"
    __table_args__ = (UniqueConstraint("programme_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))  # the import file's name for it, within its programme
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(300))
    kabupaten_code: Mapped[str] = mapped_column(String(5), index=True)
    capacity: Mapped[int]
    signup_deadline: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]  # a cancelled session is kept, so its owners' history still names it


class Enrollment(Base):
    """An owner's place in a session: registered, waitlisted, cancelled or attended.

    `since` orders the waiting list: the time the owner last joined the session.
    """

    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("session_id", "owner_id"),
        Index("ix_enrollments_session_status", "session_id", "status", "since"),
        # With the session: each owner's first sessions attended ("naik kelas") are read from the index alone.
        Index("ix_enrollments_owner_status", "owner_id", "status", "session_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12))
    since: Mapped[datetime] = mapped_column(default=utcnow)


class Evaluation(Base):
    """What an owner who attended a session thought of it, asked the morning after; a question left unanswered
    stays empty, and `answered_at` is when the last answer came."""

    __tablename__ = "evaluations"
    __table_args__ = (UniqueConstraint("session_id", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"), index=True)
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    usefulness: Mapped[int | None]  # 1-5
    trainer: Mapped[int | None]  # 1-5
    will_apply: Mapped[str | None] = mapped_column(Text)  # what the owner will apply in their business
    comment: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]


class Survey(Base):
    """A follow-up the Dinas starts for a segment of owners ("pemutakhiran data", "penilaian ulang"): who started
    it, whom it was for, and how many it was sent to; each owner's part is a follow-up."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), index=True)
    author: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(5), index=True)
    segment: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    recipients: Mapped[int] = mapped_column(default=0)
    # The dashboard's form carries a key of its own, so pressing "start" twice starts it once.
    request_key: Mapped[str | None] = mapped_column(String(64), unique=True)


class FollowUp(Base):
    """One owner asked something from our side (a session's evaluation, a survey): whether they took it up, put it
    off ("nanti": asked once more later), stopped it ("berhenti") or finished it.

    The owner's next message after it was sent is read as their answer to it.
    """

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"))
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))  # indexed below
    # A survey asks about one business of the owner's: one follow-up per business.
    business_id: Mapped[int | None] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    asks: Mapped[int] = mapped_column(default=1)  # how many times its first question was sent
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    ask_again_at: Mapped[datetime | None]  # after "nanti"
    finished_at: Mapped[datetime | None]


# The worker looks for follow-ups put off until now; the rest are done with and pile up.
_put_off = FollowUp.status == "later"
Index("ix_follow_ups_later", FollowUp.ask_again_at, postgresql_where=_put_off, sqlite_where=_put_off)
# A survey's follow-ups, and one owner's among them (the first, for the message that starts it): found by both at once.
Index("ix_follow_ups_survey_owner", FollowUp.survey_id, FollowUp.owner_id)
# A survey's follow-ups are written as the worker takes its messages: once per business, however often it takes one.
Index("uq_follow_ups_survey_business", FollowUp.survey_id, FollowUp.business_id, unique=True)


class OutboxMessage(Base):
    """A message to an owner that nobody is waiting for, written with the change that causes it.

    Workers claim due rows, send them on the row's channel and record what happened. A key makes
    a message that must go once (a reminder per session and owner) impossible to queue twice. An
    announcement's rows hold no text of their own: it is the announcement's, in the row's language.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    priority: Mapped[int] = mapped_column(default=0)  # lower goes first: one owner's news before a broadcast
    announcement_id: Mapped[int | None] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"), index=True)
    # A message about a session holds no text of its own either: it is written from the session as it is when sent.
    session_id: Mapped[int | None] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"))
    # A survey's first question neither: it is the survey kind's, in the row's language.
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(5), default="id")
    text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]  # when the provider reported it on the phone (WhatsApp only)
    provider_message_id: Mapped[str | None] = mapped_column(String(100))
    provider: Mapped[str | None] = mapped_column(String(10))  # who carried it, once sent ("telegram", "twilio", …)
    template: Mapped[bool | None]  # once sent: whether it went as the approved template (outside WhatsApp's 24 hours)
    error: Mapped[str | None] = mapped_column(String(200))


# A row names an announcement, a session or a survey, or none, and has a provider's id once sent: each of these is
# indexed for the rows that have one only, so a broadcast of 100,000 rows writes no index entries of the others.
for _named in (OutboxMessage.announcement_id, OutboxMessage.session_id, OutboxMessage.survey_id,
               OutboxMessage.provider_message_id):
    Index(f"ix_outbox_{_named.key}", _named, postgresql_where=_named.is_not(None), sqlite_where=_named.is_not(None))


# Workers look only for rows still to send, in the order they go; sent ones pile up and must not
# slow the search. Claims gone stale (their worker died) are looked for apart, by claim time.
_pending = OutboxMessage.status == "pending"
Index("ix_outbox_pending", OutboxMessage.priority, OutboxMessage.due_at, OutboxMessage.id,
      postgresql_where=_pending, sqlite_where=_pending)
_sending = OutboxMessage.status == "sending"
Index("ix_outbox_sending", OutboxMessage.claimed_at, postgresql_where=_sending, sqlite_where=_sending)


class Announcement(Base):
    """What an officer (or the command line) announced, to whom, and who was left out and why.

    `segment` says who was chosen, as the officer chose; `scope` is the author's reach at the time.
    The counts of those left out are taken when the announcement is queued.
    """

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), index=True)
    author: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(5), index=True)
    segment: Mapped[dict[str, Any]] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    recipients: Mapped[int] = mapped_column(default=0)
    stopped: Mapped[int] = mapped_column(default=0)  # owners who said no to announcements, or "berhenti"
    not_asked: Mapped[int] = mapped_column(default=0)  # owners who never said yes or no to announcements
    blocked: Mapped[int] = mapped_column(default=0)  # owners whose every chat blocked the bot or cannot be reached
    no_chat: Mapped[int] = mapped_column(default=0)  # owners known only from the browser or terminal chat
    # The dashboard's compose form carries a key of its own, so pressing "send" twice announces once.
    request_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    send_at: Mapped[datetime | None]  # the moment the officer chose to send it; None: at once
    cancelled_at: Mapped[datetime | None]  # cancelled before it went: none of its rows were sent


class ChannelPace(Base):
    """When a channel may next send, shared by every worker so that together they keep its rate."""

    __tablename__ = "channel_pace"

    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    next_at: Mapped[datetime]


class Officer(Base):
    """An officer of the Dinas who may announce to owners within their scope.

    Recognised by a phone number their channel vouches for (WhatsApp) or by their Telegram user id;
    scope is the province ("62") or one kabupaten/kota code ("62.02"). Removing an officer only
    deactivates them, so the record of who announced what keeps its author.
    """

    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    telegram_id: Mapped[str | None] = mapped_column(String(40), index=True)
    scope: Mapped[str] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(default=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginLink(Base):
    """A one-time link into the dashboard: only its token's hash is kept, and it is good once, for minutes."""

    __tablename__ = "login_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class DashboardSession(Base):
    """An officer logged in to the dashboard: the cookie carries the token, the registry its hash.

    Kept here rather than only in the cookie so that logging out, or removing the officer, ends it at once.
    """

    __tablename__ = "dashboard_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class Export(Base):
    """One download of registry data: who, when, which filter, how many rows, and why full NIKs if so."""

    __tablename__ = "exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    # The officer's scope as they exported: who may see the record stays the same when their scope changes.
    scope: Mapped[str] = mapped_column(String(5))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]  # None: the download broke off (rows says how far it got)
    what: Mapped[str] = mapped_column(String(40))  # "registrations", "participants"
    format: Mapped[str] = mapped_column(String(8))
    filter: Mapped[dict[str, Any]] = mapped_column(JSON)
    rows: Mapped[int] = mapped_column(default=0)
    full_nik: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str | None] = mapped_column(Text)


class Secret(Base):
    """A secret every process of one registry must share, made once (the dashboard's cookie signing key)."""

    __tablename__ = "secrets"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))


class KnowledgeEntry(Base):
    """One answer of the knowledge base, with the questions it answers, in each language it is written in.

    The shipped entries arrive with `tabe db upgrade`; officers add, edit and retire entries in the dashboard.
    Each change adds a KnowledgeEntryVersion, so an entry's history is kept whole.
    """

    __tablename__ = "knowledge_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    topic: Mapped[str] = mapped_column(String(30))
    kabupaten_code: Mapped[str | None] = mapped_column(String(5))  # None: true everywhere in the province
    question: Mapped[dict[str, str]] = mapped_column(JSON)  # by language
    answer: Mapped[dict[str, str]] = mapped_column(JSON)  # by language; {contact} and {hours} from settings
    variants: Mapped[dict[str, list[str]]] = mapped_column(JSON)  # other ways owners ask it, by language
    programme_codes: Mapped[list[str]] = mapped_column(JSON, default=list)  # programmes that help
    hands_over: Mapped[bool] = mapped_column(default=False)  # after the answer, offer an officer at once
    source: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100))
    retired_at: Mapped[datetime | None]


class KnowledgeEntryVersion(Base):
    """An entry as it was after one change: who changed it, when, and all of it."""

    __tablename__ = "knowledge_entry_versions"
    __table_args__ = (UniqueConstraint("entry_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("knowledge_entries.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    change: Mapped[str] = mapped_column(String(12))  # "shipped", "added", "edited", "retired", "restored"
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(100))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))


class OwnerQuestion(Base):
    """A question an owner passed to the officers: where it goes, its topic and state, and how it ended.

    Its words are its QuestionMessage rows; erasing the owner erases them and keeps only the counts that the
    province's inventory of problems is made of (topic, kabupaten/kota, times, rating).
    """

    __tablename__ = "questions"
    # The inventory of problems counts questions by when they were asked, whatever their state.
    __table_args__ = (Index("ix_questions_state", "status", "kabupaten_code", "created_at"),
                      Index("ix_questions_created_at", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id", ondelete="SET NULL"),
                                                        index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id", ondelete="SET NULL"), index=True)
    kabupaten_code: Mapped[str] = mapped_column(String(5))
    topic: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10), default="open")  # "open", "answered", "closed"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    active_at: Mapped[datetime] = mapped_column(default=utcnow)  # its last message, either side
    answered_at: Mapped[datetime | None]  # the first officer's reply
    closed_at: Mapped[datetime | None]
    closed_why: Mapped[str | None] = mapped_column(String(12))  # "officer", "quiet", "erased"
    assigned_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    rating: Mapped[int | None]  # 1-5, the owner's answer to "did this help?"


class QuestionMessage(Base):
    """One message in a question's thread: the owner's words, or an officer's reply and how it went out."""

    __tablename__ = "question_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))  # None: the owner wrote it
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    shown_at: Mapped[datetime | None]  # a reply held for the owner's next message (outside WhatsApp's 24 hours)


# Every message an owner sends looks for replies held for them: the few waiting are indexed on their own.
_held = QuestionMessage.shown_at.is_(None) & QuestionMessage.officer_id.is_not(None)
Index("ix_question_messages_held", QuestionMessage.question_id, postgresql_where=_held, sqlite_where=_held)


class AskedQuestion(Base):
    """An owner's own question as the bot read it, and what came of it: the measure of the knowledge base."""

    __tablename__ = "asked_questions"
    __table_args__ = (Index("ix_asked_questions_at", "asked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id", ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id", ondelete="SET NULL"), index=True)
    kabupaten_code: Mapped[str | None] = mapped_column(String(5))
    text: Mapped[str] = mapped_column(Text)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("knowledge_entries.id", ondelete="SET NULL"))
    # "answered", then "helped" or "not_helped"; "choice" (two close entries offered), "not_found"
    outcome: Mapped[str] = mapped_column(String(12))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id", ondelete="SET NULL"))
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)


class TwilioContent(Base):
    """A Twilio Content resource made for one screen of choices (its key: language, body and choices), made once."""

    __tablename__ = "twilio_contents"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_sid: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
