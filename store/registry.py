"""The named queries the conversations need: the flows reach the database only through these."""

from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from domain.channels import TELEGRAM, WHATSAPP
from domain.classes import classify_monthly
from store.announcements import Announcements
from store.assessments import Assessments
from store.dialects import DIALECTS
from store.exports import Exports
from store.follow_ups import SURVEY_KINDS, FollowUps
from store.knowledge import Knowledge
from store.logins import Logins
from store.models import (
    FIGURE_COLUMNS,
    AuditEvent,
    Business,
    BusinessFigure,
    Consent,
    Conversation,
    DeliveryStatus,
    InboundMessage,
    Owner,
    as_utc,
)
from store.officers import OfficerInfo, Officers
from store.outbox import Outbox, Outgoing
from store.problems import Problems
from store.progress import Progress
from store.questions import Questions
from store.registrations import Registrations
from store.statistics import Statistics
from store.training import Audience, Training


@dataclass(frozen=True, slots=True)
class OwnerDetails:
    """Who the owner is, as they gave it; the names are the owners table's columns."""

    name: str
    nik: str
    phone: str
    phone_verified: bool


@dataclass(frozen=True, slots=True)
class BusinessDetails:
    """One business as its owner described it; the names are the businesses table's columns."""

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


@dataclass(frozen=True, slots=True)
class WaitingMessage:
    """A message as it waits in the registry for its chat's turn; the fields of an Inbound, and its order."""

    channel: str
    address: str
    message_id: str
    sequence: int
    text: str
    verified_phone: str | None
    attachment: str | None
    received_at: datetime | None = None


@dataclass(eq=False)
class ConversationState:
    """Where one chat stands: its flow, step and answers (per flow), language and owner."""

    id: int
    flow: str
    step: str
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    language: str = "id"
    owner_id: int | None = None
    screen: dict[str, Any] | None = None  # the choices last shown: Conversation.screen


# Every message runs these, so they are Core statements on the tables, built once; only their
# parameters change. (ORM-enabled statements cost several times more per call.)
_conversations = Conversation.__table__
_inbound_messages = InboundMessage.__table__
_delivery_statuses = DeliveryStatus.__table__
_owners = Owner.__table__
_businesses = Business.__table__
_figures = BusinessFigure.__table__
_LOCK_CONVERSATION = (
    select(_conversations.c.id, _conversations.c.flow, _conversations.c.step, _conversations.c.answers,
           _conversations.c.language, _conversations.c.owner_id, _conversations.c.screen)
    .where(_conversations.c.channel == bindparam("channel"), _conversations.c.address == bindparam("address"))
    .with_for_update()
)
_SAVE_CONVERSATION = (
    update(_conversations)
    .where(_conversations.c.id == bindparam("conversation_id"))
    .values(flow=bindparam("flow"), step=bindparam("step"), answers=bindparam("answers"),
            language=bindparam("language"), owner_id=bindparam("owner_id"), screen=bindparam("screen"),
            updated_at=bindparam("updated_at"))
)
_OWNER_WITH_VERIFIED_PHONE = (
    select(_owners.c.id, _owners.c.name)
    .where(_owners.c.phone == bindparam("phone"), _owners.c.phone_verified.is_(True))
    .order_by(_owners.c.id)
    .limit(1)
)
_INSERT_INBOUND = {
    name: dialect.insert(_inbound_messages).on_conflict_do_nothing().returning(_inbound_messages.c.channel)
    for name, dialect in DIALECTS.items()
}
_INBOUND_HANDLED_AT = (
    select(_inbound_messages.c.handled_at)
    .where(_inbound_messages.c.channel == bindparam("channel"),
           _inbound_messages.c.provider_message_id == bindparam("provider_message_id"))
)
_WAITING_INBOUND = (
    select(_inbound_messages.c.sequence, _inbound_messages.c.provider_message_id, _inbound_messages.c.text,
           _inbound_messages.c.verified_phone, _inbound_messages.c.attachment, _inbound_messages.c.received_at)
    .where(_inbound_messages.c.channel == bindparam("channel"), _inbound_messages.c.address == bindparam("address"),
           _inbound_messages.c.handled_at.is_(None))
    .order_by(_inbound_messages.c.sequence, _inbound_messages.c.received_at)
)
_FINISH_INBOUND = (
    update(_inbound_messages)
    .where(_inbound_messages.c.channel == bindparam("message_channel"),
           _inbound_messages.c.provider_message_id == bindparam("message_id"))
    .values(handled_at=bindparam("handled_at"), replies=bindparam("stored_replies"), address=None, text=None,
            verified_phone=None, attachment=None)
)
_NEW_CONVERSATION = {name: dialect.insert(_conversations).on_conflict_do_nothing() for name, dialect in DIALECTS.items()}


class NikTaken(Exception):
    """The NIK is already another owner's."""


class Registry:
    """One unit of work on the registry; it commits or rolls back as a whole."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self.now = as_utc(now)  # SQLite compares moments as text: every one in the same zone
        self._connection = connection
        self._dialect = connection.dialect.name
        self._session: Session | None = None

    @property
    def identity(self) -> str:
        """Which registry this is, for what a process keeps of it between units of work."""
        return self._connection.engine.url.render_as_string(hide_password=True)

    @property
    def session(self) -> Session:
        """An ORM session inside this unit of work, for the rarer writes; made when first needed.

        The messages' hot path stays on Core statements, which cost a fraction of a session's
        bookkeeping; whatever uses the session flushes before it returns.
        """
        if self._session is None:
            self._session = Session(bind=self._connection, expire_on_commit=False)
        return self._session

    @cached_property
    def training(self) -> Training:
        return Training(self._connection, self.now)

    @cached_property
    def assessments(self) -> Assessments:
        return Assessments(self._connection, self.now)

    def claim_outbox(self, limit: int, channels: tuple[str, ...], claimed_before: datetime) -> list[Outgoing]:
        """A worker's batch of rows to send (Outbox.claim), a survey's follow-ups written as its messages are taken,
        and those with nothing left to ask left out (cancelled)."""
        taken = self.outbox.claim(limit, channels, claimed_before)
        surveyed = [row.id for row in taken if row.kind in SURVEY_KINDS]
        if not surveyed:
            return taken
        nothing = self.follow_ups.ask_surveyed(surveyed)
        return self.outbox.outgoing([row.id for row in taken], nothing)  # their words name the business asked about

    @cached_property
    def outbox(self) -> Outbox:
        return Outbox(self._connection, self.now)

    @cached_property
    def officers(self) -> Officers:
        return Officers(self._connection, self.now)

    @cached_property
    def announcements(self) -> Announcements:
        return Announcements(self._connection, self.now)

    @cached_property
    def registrations(self) -> Registrations:
        return Registrations(self._connection, self.now)

    @cached_property
    def statistics(self) -> Statistics:
        return Statistics(self._connection, self.now)

    @cached_property
    def exports(self) -> Exports:
        return Exports(self._connection, self.now)

    @cached_property
    def knowledge(self) -> Knowledge:
        return Knowledge(self._connection, self.now)

    @cached_property
    def problems(self) -> Problems:
        return Problems(self._connection, self.now)

    @cached_property
    def follow_ups(self) -> FollowUps:
        return FollowUps(self._connection, self.now)

    @cached_property
    def progress(self) -> Progress:
        return Progress(self._connection, self.now)

    @cached_property
    def questions(self) -> Questions:
        return Questions(self._connection, self.now)

    @cached_property
    def logins(self) -> Logins:
        return Logins(self._connection, self.now)

    def close(self) -> None:
        if self._session is not None:
            self._session.close()

    def claim_inbound(self, channel: str, provider_message_id: str) -> bool:
        """Record a provider message id as handled now; False when it was seen before."""
        inserted = self._connection.execute(
            _INSERT_INBOUND[self._dialect],
            {"channel": channel, "provider_message_id": provider_message_id, "received_at": self.now,
             "handled_at": self.now},
        ).first()
        return inserted is not None

    def queue_inbound(self, message: WaitingMessage) -> bool:
        """Write a message as waiting for its chat's turn; False when it was handled before."""
        inserted = self._connection.execute(_INSERT_INBOUND[self._dialect], {
            "channel": message.channel, "provider_message_id": message.message_id, "received_at": self.now,
            "address": message.address, "sequence": message.sequence, "text": message.text,
            "verified_phone": message.verified_phone, "attachment": message.attachment,
        }).first()
        if inserted is not None:
            return True
        handled_at = self._connection.execute(
            _INBOUND_HANDLED_AT, {"channel": message.channel, "provider_message_id": message.message_id}).scalar()
        return handled_at is None  # still waiting: a redelivery while the first is on its way

    def forget_waiting(self, channel: str, message_ids: Collection[str]) -> None:
        """Drop messages still waiting whose requests gave up, so a resent one is not answered twice."""
        self._connection.execute(delete(_inbound_messages).where(
            _inbound_messages.c.channel == channel, _inbound_messages.c.provider_message_id.in_(message_ids),
            _inbound_messages.c.handled_at.is_(None)))

    def purge_inbound(self, handled_before: datetime, kept_replies_before: datetime) -> int:
        """Forget provider ids handled before `handled_before`, and answers nobody collected; how many ids went."""
        self._connection.execute(update(_inbound_messages).where(
            _inbound_messages.c.replies.is_not(None), _inbound_messages.c.handled_at < kept_replies_before,
        ).values(replies=None))
        return self._connection.execute(delete(_inbound_messages).where(
            _inbound_messages.c.handled_at < handled_before)).rowcount

    def purge_delivery_statuses(self, received_before: datetime) -> int:
        """Forget providers' status callbacks received before `received_before`: each was applied to its outbox row
        when it came (or when the send it raced was recorded); how many went."""
        return self._connection.execute(delete(_delivery_statuses).where(
            _delivery_statuses.c.received_at < received_before)).rowcount

    def waiting_inbound(self, channel: str, address: str) -> list[WaitingMessage]:
        """A chat's messages written as waiting, in the order they were sent."""
        rows = self._connection.execute(_WAITING_INBOUND, {"channel": channel, "address": address})
        return [WaitingMessage(channel, address, row.provider_message_id, row.sequence, row.text or "",
                               row.verified_phone, row.attachment, row.received_at) for row in rows]

    def finish_inbound(self, channel: str, message_id: str, replies: list[Any] | None) -> None:
        """Mark a waiting message handled and forget what it said; keep `replies` for another process."""
        self._connection.execute(_FINISH_INBOUND, {"message_channel": channel, "message_id": message_id,
                                                   "handled_at": self.now, "stored_replies": replies})

    def collect_replies(self, channel: str, message_ids: Collection[str]) -> dict[str, list[Any]]:
        """The replies another process kept for these handled messages, removed as they are read."""
        if not message_ids:
            return {}
        where = (_inbound_messages.c.channel == channel, _inbound_messages.c.provider_message_id.in_(message_ids),
                 _inbound_messages.c.handled_at.is_not(None))
        rows = self._connection.execute(
            select(_inbound_messages.c.provider_message_id, _inbound_messages.c.replies).where(*where)).all()
        self._connection.execute(update(_inbound_messages).where(*where).values(replies=None))
        return {row.provider_message_id: row.replies or [] for row in rows}

    def open_conversation(self, channel: str, address: str) -> ConversationState:
        """Where a chat address stands, locked until this unit of work ends; new ones start at the menu."""
        where = {"channel": channel, "address": address}
        row = self._connection.execute(_LOCK_CONVERSATION, where).first()
        if row is None:
            # The columns' defaults put a new conversation at the menu.
            self._connection.execute(_NEW_CONVERSATION[self._dialect], {**where, "updated_at": self.now})
            row = self._connection.execute(_LOCK_CONVERSATION, where).one()
        return ConversationState(*row)

    def save_conversation(self, state: ConversationState) -> None:
        """Store where the chat now stands; flows with no answers left are dropped."""
        self._connection.execute(_SAVE_CONVERSATION, {
            "conversation_id": state.id, "flow": state.flow, "step": state.step,
            "answers": {flow: answers for flow, answers in state.answers.items() if answers},
            "language": state.language, "owner_id": state.owner_id, "screen": state.screen, "updated_at": self.now,
        })

    def idle_answers(self, flows: Collection[str], idle_before: datetime, limit: int) -> list[tuple[int, dict[str, Any]]]:
        """Up to `limit` conversations that have not moved since `idle_before` and hold answers of one of `flows`:
        their ids and answers, locked (on PostgreSQL, skipping those a message holds)."""
        held = or_(*(_conversations.c.answers[flow].as_string().is_not(None) for flow in flows))
        rows = self._connection.execute(
            select(_conversations.c.id, _conversations.c.answers)
            .where(_conversations.c.updated_at < idle_before, held)
            .order_by(_conversations.c.id).limit(limit).with_for_update(skip_locked=True))
        return [(row.id, row.answers) for row in rows]

    def replace_idle_state(self, conversation_id: int, idle_before: datetime, flow: str, step: str,
                           answers: dict[str, Any]) -> bool:
        """Put an idle conversation at `flow` and `step` with these answers, unless it moved since `idle_before`.

        It keeps its time: it has not moved, and the chat an owner used last is still the one they wrote in.
        """
        return bool(self._connection.execute(update(_conversations).where(
            _conversations.c.id == conversation_id, _conversations.c.updated_at < idle_before,
        ).values(flow=flow, step=step, answers=answers)).rowcount)

    def owner_with_verified_phone(self, phone: str) -> tuple[int, str] | None:
        """The id and name of the registered owner whose verified phone this is, if any."""
        row = self._connection.execute(_OWNER_WITH_VERIFIED_PHONE, {"phone": phone}).first()
        return (row.id, row.name) if row is not None else None

    def audience(self, owner_id: int) -> Audience:
        """The kabupaten, class and sector of each of an owner's businesses: what programmes are open to."""
        rows = self._connection.execute(
            select(_businesses.c.kabupaten_code, _businesses.c.business_class, _businesses.c.sector)
            .where(_businesses.c.owner_id == owner_id).order_by(_businesses.c.id)).all()
        return Audience(tuple((row[0], row[1], row[2]) for row in rows))

    def reachable_chat(self, owner_id: int, channels: Collection[str]) -> tuple[str, str, str] | None:
        """The channel, address and language of the owner's most recent chat on one of these channels.

        Chats where the owner blocked the bot are left out.
        """
        row = self._connection.execute(
            select(_conversations.c.channel, _conversations.c.address, _conversations.c.language)
            .where(_conversations.c.owner_id == owner_id, _conversations.c.channel.in_(channels),
                   _conversations.c.blocked_at.is_(None))
            .order_by(_conversations.c.updated_at.desc(), _conversations.c.id.desc()).limit(1)).first()
        return (row[0], row[1], row[2]) if row is not None else None

    def note_for_next_message(self, conversation_id: int, key: str, value: Any) -> None:
        """Leave in a chat's state what its next message answers, when someone else asked it (an officer's reply
        asks whether it helped); the chat's row is locked as a message's turn locks it."""
        answers = self._connection.execute(select(_conversations.c.answers).where(
            _conversations.c.id == conversation_id).with_for_update()).scalar_one_or_none()
        if answers is None:
            return
        self._connection.execute(update(_conversations).where(_conversations.c.id == conversation_id)
                                 .values(answers={**answers, key: value}))

    def officer_chat(self, officer: OfficerInfo) -> tuple[str, str, str] | None:
        """The channel, address and language of the officer's most recent chat with the bot, unless blocked."""
        addresses = [(TELEGRAM, officer.telegram_id), (WHATSAPP, f"whatsapp:{officer.phone}" if officer.phone else None)]
        mine = [(_conversations.c.channel == channel) & (_conversations.c.address == address)
                for channel, address in addresses if address]
        if not mine:
            return None
        row = self._connection.execute(
            select(_conversations.c.channel, _conversations.c.address, _conversations.c.language)
            .where(or_(*mine), _conversations.c.blocked_at.is_(None))
            .order_by(_conversations.c.updated_at.desc()).limit(1)).first()
        return (row[0], row[1], row[2]) if row is not None else None

    def set_blocked(self, channel: str, address: str, blocked: bool) -> None:
        """Record that a user blocked the bot on a channel (nothing is sent there), or came back."""
        self._connection.execute(
            update(_conversations)
            .where(_conversations.c.channel == channel, _conversations.c.address == address)
            .values(blocked_at=self.now if blocked else None)
        )

    def record_delivery_status(self, channel: str, provider_message_id: str, status: str,
                               error_code: str | None) -> None:
        """Keep what a provider reported about a message we sent, and apply it to the outbox row it is about."""
        self.session.add(DeliveryStatus(channel=channel, provider_message_id=provider_message_id, status=status,
                                        error_code=error_code, received_at=self.now))
        self.session.flush()
        self.outbox.reported(channel, provider_message_id, status, error_code)

    def register_owner(self, owner: OwnerDetails, consent_version: str, consented_at: datetime) -> int:
        """Write a new owner with the proof of their consent; returns the owner's id.

        Raises NikTaken when another owner registered this NIK first, however close the race.
        """
        row = Owner(**asdict(owner), registered_at=self.now)
        row.consents.append(Consent(purpose="registration", text_version=consent_version,
                                    accepted=True, answered_at=consented_at))
        try:
            with self.session.begin_nested():  # a savepoint: the rest of the unit of work survives
                self.session.add(row)
        except IntegrityError:
            raise NikTaken from None
        return row.id

    def register_business(self, owner_id: int, business: BusinessDetails) -> Business:
        """Write an owner's new business and give it its registration number."""
        row = Business(owner_id=owner_id, **asdict(business), registered_at=self.now)
        self.session.add(row)
        self.session.flush()
        row.registration_number = registration_number(business.kabupaten_code, row.id)
        self.session.flush()
        self._record_figures(row, "registration")
        return row

    def correct_registration(self, owner_id: int, business_id: int, owner: OwnerDetails,
                             business: BusinessDetails) -> bool:
        """Replace what an owner corrected; returns whether anything changed. The number stays."""
        owner_row = self.session.get_one(Owner, owner_id)
        business_row = self.session.get_one(Business, business_id)
        if business_row.owner_id != owner_id:
            raise PermissionError("a business can only be corrected by its own owner")
        changes = [(row, name, value) for row, details in ((owner_row, owner), (business_row, business))
                   for name, value in asdict(details).items() if getattr(row, name) != value]
        if not changes:
            return False
        previous_class = business_row.business_class
        for row, name, value in changes:
            setattr(row, name, value)
        self.session.add(AuditEvent(at=self.now, actor="owner", action="registration_corrected",
                                    subject=f"business:{business_id}"))
        self.session.flush()
        if any(row is business_row and name in FIGURE_COLUMNS for row, name, _value in changes):
            self._record_figures(business_row, "correction", previous_class)
        return True

    def update_figures(self, business_id: int, *, modal_usaha: int, monthly_turnover: int, workers: int,
                       source: str = "update") -> str:
        """Put a business's new capital, monthly turnover and workers (a survey's data update) on its row, with
        the annual turnover and class computed as registration computes them, and keep them as dated figures;
        returns the class."""
        business_class, annual_turnover = classify_monthly(modal_usaha, monthly_turnover)
        row = self.session.get_one(Business, business_id)
        previous_class = row.business_class
        row.modal_usaha, row.monthly_turnover, row.workers = modal_usaha, monthly_turnover, workers
        row.annual_turnover, row.business_class = annual_turnover, business_class.value
        self.session.flush()
        self._record_figures(row, source, previous_class)
        return business_class.value

    def give_nib(self, business_id: int, nib: str) -> None:
        """Put the NIB an owner has now (told in a data update) on their business."""
        self.session.get_one(Business, business_id).nib = nib
        self.session.flush()

    def close_business(self, business_id: int) -> None:
        """Its owner says the business no longer operates: it stays registered, marked closed from now; surveys
        ask about it no more."""
        row = self.session.get_one(Business, business_id)
        if row.closed_at is None:
            row.closed_at = self.now
            self.session.flush()

    def _record_figures(self, business: Business, source: str, previous_class: str | None = None) -> None:
        """Keep a business's figures as they now stand, dated now, with the class they replace (None for the
        first): what "naik kelas" is measured from."""
        self._connection.execute(insert(_figures).values(
            business_id=business.id, recorded_at=self.now, source=source, previous_class=previous_class,
            **{name: getattr(business, name) for name in FIGURE_COLUMNS}))

    def nik_belongs_to_another_owner(self, nik: str, owner_id: int | None) -> bool:
        """Whether a registered owner other than `owner_id` has this NIK."""
        found = self._connection.execute(select(_owners.c.id).where(_owners.c.nik == nik)).first()
        return found is not None and found.id != owner_id

    def owner_profile(self, owner_id: int) -> Owner | None:
        """The owner with their businesses, for showing them their own data."""
        return self.session.scalars(
            select(Owner).where(Owner.id == owner_id).options(selectinload(Owner.businesses))
        ).one_or_none()

    def erase_owner(self, owner_id: int, actor: str) -> None:
        """Delete an owner and all that hangs on them; keep only the fact that it happened."""
        owner = self.session.get(Owner, owner_id)
        if owner is None:
            return
        self.announcements.forget_owner(owner_id)
        self.questions.erase_asker(None, owner_id)
        self.session.delete(owner)
        self.session.add(AuditEvent(at=self.now, actor=actor, action="owner_erased", subject=f"owner:{owner_id}"))
        self.session.flush()


def registration_number(kabupaten_code: str, business_id: int) -> str:
    """A number an owner can read out on the phone: kabupaten code, then the row id."""
    return f"UMKM-{kabupaten_code.replace('.', '')}-{business_id:06d}"
