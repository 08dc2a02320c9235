"""Driving conversations as an owner would, and checking them against written transcripts.

A transcript is plain text: `> ` lines are what the owner sends, `< ` lines are words the bot's
answer to it must contain, `!< ` lines are words it must not contain, `@as ADDRESS` (first) picks
who is chatting (a phone number stands for a channel-verified sender), `@programmes FILE` loads
training programmes first (a file in tests/programmes/, or `sample` for the sample programmes),
`@wait N days` (or hours) moves the clock on, `@channel whatsapp` (after `@as` with a phone number) chats
over WhatsApp's address for that number instead of the terminal (both show choices as a numbered list), and `#`
lines are notes. In `< ` and `!< ` lines,
`{start:date}` stands for the day the transcript starts ("Jumat, 27 November 2026") and
`{start:moment}` for that moment ("Jumat, 27 November 2026 pukul 09.00 WIB"), and `{start:year-N}` for
the year N years before it ("3 tahun lalu"), so a transcript holds no date of its own.

Transcripts start at START: Friday 27 November 2026, 09.00 WIB (FIXED_START), or the moment
TABE_TEST_CLOCK gives (ISO 8601), so the same transcripts, and the channels' tests that hand START
to their servers, can be played under other clocks. A transcript that loads programmes starts at
FIXED_START whatever the clock: its programmes' sessions have fixed dates, as have other tests'.

Before the first message, `@officer SCOPE` makes the chatting phone an active officer's (SCOPE is
`provinsi`, or a kabupaten/kota by code or name), and each `@owners N KABUPATEN SECTOR CLASS [HOW]`
registers N other owners with such a business, chatting on Telegram and saying yes to announcements, or as
HOW says: `stopped` (said "berhenti"), `unasked` (registered before announcements were asked about, and never
answered), `blocked` (blocked the bot) or `browser` (only ever used the browser). `@enrolled N PROGRAMME SESSION
STATUS` gives N more such owners (in Palangka Raya, "lainnya", mikro) a place each in a session of the programmes
loaded, `registered` or `waitlisted`, taken at the start: full sessions and waiting lists to meet.

A second person can take part: `@colleague SCOPE` adds an active officer of SCOPE chatting on Telegram, whose
messages are `officer> ` lines (their answers checked by the `< ` lines after them, as the owner's are), and an
`outbox>` line looks at what was queued for the owner's chat since the last look (as the worker writes it when
it sends it, joined). Meanwhile `file> NAME` applies a programme file of tests/programmes/ (a session moved or
cancelled), `worker>` queues what a worker's tick finds due (reminders, the morning after a session, follow-ups put
off), `hadir> PROGRAMME SESSION` marks the chatting owner as having attended and `survey> KIND` starts a survey of
that kind (`pemutakhiran`, `penilaian_ulang`) for the businesses of the chatting owner's kabupaten/kota and has a
worker take its messages (which writes their follow-ups), its answer how many owners it was sent to, each at the
transcript's clock.
"""

import os
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import delete, func, insert, select, update

from bot.cli import describe_import
from bot.delivery import message_text
from bot.render import as_plain_text
from bot.sample import seed
from bot.worker import queue_due_follow_ups, queue_due_reminders
from domain.channels import PUSH_CHANNELS, TELEGRAM, TERMINAL, WHATSAPP
from domain.invalid import Invalid
from flows.conversation import Conversations
from flows.messages import Inbound
from flows.parsing import parse_phone
from flows.programme_file import apply_programmes, exact_kabupaten, read_programme_file, save_programmes
from store.announcements import Segment
from store.db import Database
from store.follow_ups import Kind
from store.models import Assessment, Business, Conversation, Enrollment, OutboxMessage, Owner
from store.officers import PROVINCE
from store.registry import Registry

# Jumat 09.00 WIB: fixed on purpose, as the programme files and the tests built on them hold sessions on fixed
# dates (2027) that must lie ahead of it. Transcripts without programmes and the channels' tests start at START,
# which TABE_TEST_CLOCK moves (`make clocks`).
FIXED_START = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)
START = datetime.fromisoformat(os.environ["TABE_TEST_CLOCK"]) if os.environ.get("TABE_TEST_CLOCK") else FIXED_START
WIB = timezone(timedelta(hours=7))
# Written here rather than taken from the code under test, so a wrong date in a reply cannot go unseen.
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")


def long_date(moment: datetime) -> str:
    """A moment's day in Kalimantan Tengah, as the bot writes it: "Jumat, 27 November 2026"."""
    day = moment.astimezone(WIB)
    return f"{DAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year}"


def long_moment(moment: datetime) -> str:
    """"Jumat, 27 November 2026 pukul 09.00 WIB"."""
    return f"{long_date(moment)} pukul {moment.astimezone(WIB):%H.%M} WIB"


YEARS_BEFORE = re.compile(r"\{start:year-(\d+)\}")


def dated(words: str, start: datetime) -> str:
    """A transcript's expected words with its start's date, moment and years filled in."""
    year = start.astimezone(WIB).year
    words = YEARS_BEFORE.sub(lambda found: str(year - int(found[1])), words)
    return words.replace("{start:date}", long_date(start)).replace("{start:moment}", long_moment(start))


class Clock:
    """A clock the test moves by hand; it starts at FIXED_START unless told otherwise."""

    def __init__(self, now: datetime = FIXED_START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class Chat:
    """One owner chatting with the bot."""

    def __init__(self, conversations: Conversations, address: str = "budi", channel: str = TERMINAL) -> None:
        self.conversations = conversations
        self.channel = channel
        try:
            self.verified_phone: str | None = parse_phone(address)
        except Invalid:
            self.verified_phone = None
        if channel == WHATSAPP and self.verified_phone is None:
            raise ValueError("@channel whatsapp needs `@as` with a phone number: WhatsApp's address is one")
        self.address = f"whatsapp:{self.verified_phone}" if channel == WHATSAPP else address

    def say(self, text: str, message_id: str | None = None) -> str:
        """Send one message; the bot's replies as the owner reads them in a text-only chat."""
        inbound = Inbound(self.channel, self.address, message_id or uuid.uuid4().hex, text,
                          verified_phone=self.verified_phone)
        return "\n\n".join(as_plain_text(reply) for reply in self.conversations.handle(inbound))


@dataclass
class Exchange:
    line: int
    says: str
    expected: list[str]
    unexpected: list[str]
    wait_before: timedelta = timedelta()
    speaker: str = ""  # "": the owner; OFFICER: the colleague; OUTBOX: what was queued for the owner meanwhile


@dataclass(frozen=True)
class Owners:
    """Other registered owners, all with one kind of business, reachable on Telegram unless `how` says."""

    count: int
    kabupaten: str
    sector: str
    business_class: str
    how: str = "telegram"  # or "stopped", "unasked", "blocked", "browser"


@dataclass
class Transcript:
    address: str
    programmes: Path | None
    exchanges: list[Exchange]
    channel: str = TERMINAL
    officer_scope: str | None = None
    owners: list[Owners] = field(default_factory=list)
    enrolled: list[tuple[int, str, str, str]] = field(default_factory=list)  # count, programme, session, status
    colleague_scope: str | None = None


OFFICER, OUTBOX = "officer", "outbox"
FILE, WORKER, ATTENDED, SURVEY = "file", "worker", "hadir", "survey"  # what the Dinas and the worker do meanwhile
COLLEAGUE_TELEGRAM_ID = "7000001"


PROGRAMME_FILES = Path(__file__).parent / "programmes"
SAMPLE_PROGRAMMES = Path(__file__).parent.parent / "bot" / "sample_programmes.yaml"


def read_transcript(path: Path) -> Transcript:
    transcript, waiting = Transcript("budi", None, []), timedelta()
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if raw.startswith("@as "):
            transcript.address = raw.removeprefix("@as ").strip()
        elif raw.startswith("@programmes "):
            name = raw.removeprefix("@programmes ").strip()
            transcript.programmes = SAMPLE_PROGRAMMES if name == "sample" else PROGRAMME_FILES / name
        elif raw.startswith("@officer "):
            scope = raw.removeprefix("@officer ").strip()
            transcript.officer_scope = PROVINCE if scope == "provinsi" else exact_kabupaten(scope)
        elif raw.startswith("@colleague "):
            scope = raw.removeprefix("@colleague ").strip()
            transcript.colleague_scope = PROVINCE if scope == "provinsi" else exact_kabupaten(scope)
        elif raw.startswith(tuple(f"{speaker}>" for speaker in (OFFICER, OUTBOX, FILE, WORKER, ATTENDED, SURVEY))):
            speaker, _, says = raw.partition(">")
            transcript.exchanges.append(Exchange(number, says.removeprefix(" "), [], [], waiting, speaker))
            waiting = timedelta()
        elif raw.startswith("@owners "):
            count, kabupaten, *rest = raw.removeprefix("@owners ").split()
            transcript.owners.append(Owners(int(count), exact_kabupaten(kabupaten), *rest))
        elif raw.startswith("@enrolled "):
            count, programme, session, status = raw.removeprefix("@enrolled ").split()
            transcript.enrolled.append((int(count), programme, session, status))
        elif raw.startswith("@channel "):
            transcript.channel = raw.removeprefix("@channel ").strip()
        elif raw.startswith("@wait "):
            amount, unit = raw.removeprefix("@wait ").split()
            waiting += timedelta(**{unit.rstrip("s") + "s": int(amount)})
        elif raw.startswith(">"):
            transcript.exchanges.append(Exchange(number, raw[1:].removeprefix(" "), [], [], waiting))
            waiting = timedelta()
        elif raw.startswith("< "):
            transcript.exchanges[-1].expected.append(raw[2:])
        elif raw.startswith("!< "):
            transcript.exchanges[-1].unexpected.append(raw[3:])
        elif raw.strip() and not raw.startswith("#"):
            raise ValueError(f"{path.name}:{number}: cannot read {raw!r}")
    return transcript


def play(database: Database, path: Path, clock: Clock | None = None) -> None:
    """Send every owner line of the transcript on the conversation's own path and check each answer."""
    transcript = read_transcript(path)
    clock = clock or Clock(START if transcript.programmes is None else FIXED_START)
    if transcript.programmes is not None:
        apply_programmes(database, *read_programme_file(transcript.programmes))
    for owners in transcript.owners:
        add_owners(database, owners, clock())
    for count, programme, session, status in transcript.enrolled:
        enrol_owners(database, count, programme, session, status, clock())
    chat = Chat(Conversations(database, clock), transcript.address, transcript.channel)
    if transcript.officer_scope is not None:
        if chat.verified_phone is None:
            raise ValueError(f"{path.name}: @officer needs `@as` with a phone number, which recognises the officer")
        with database.transaction(clock()) as registry:
            registry.officers.add("Petugas Dinas", chat.verified_phone, None, transcript.officer_scope, actor="test")
    others = speakers(database, transcript, clock(), chat.address,
                      lambda telegram_id: Chat(Conversations(database, clock), telegram_id, TELEGRAM).say)
    others.update(the_dinas_and_the_worker(database, clock, chat.address))
    check(path, chat.say, clock.advance, start=clock(), others=others)


def the_dinas_and_the_worker(database: Database, clock: Clock, address: str) -> dict[str, Callable[[str], str]]:
    """What happens away from the chat, each at the transcript's clock: `file> NAME` applies a programme file of
    tests/programmes/ as `tabe programs import` does (its summary is the answer), `worker>` queues what is due as a
    worker's tick does (how many), `hadir> PROGRAMME SESSION` marks the chatting owner as having attended, and
    `survey> KIND` starts a survey for the chatting owner's kabupaten/kota (how many owners it was sent to)."""

    def apply_file(name: str) -> str:
        with database.transaction(clock()) as registry:
            return describe_import(save_programmes(registry, *read_programme_file(PROGRAMME_FILES / name)))

    def tick(_says: str) -> str:
        return str(queue_due_reminders(database, clock()) + queue_due_follow_ups(database, clock()))

    def chatting_owner(registry: Registry) -> int:
        return int(registry.session.execute(select(Conversation.owner_id).where(
            Conversation.address == address)).scalar_one())

    def attended(says: str) -> str:
        programme, session = says.split()
        with database.transaction(clock()) as registry:
            owner_id = chatting_owner(registry)
            session_id = registry.training.session_id(registry.training.programme_id(programme), session)
            return registry.training.mark_attendance(session_id, [owner_id], True, PROVINCE, "test").outcome

    def survey(says: str) -> str:
        with database.transaction(clock()) as registry:
            [kabupaten, *_others] = registry.audience(chatting_owner(registry)).kabupaten_codes
            survey_id, recipients = registry.follow_ups.start_survey(
                Kind(says.strip()), Segment(PROVINCE, kabupaten=kabupaten), PUSH_CHANNELS, "test")
            # A worker's next tick takes its messages, writing their follow-ups.
            registry.follow_ups.ask_surveyed(registry.session.scalars(
                select(OutboxMessage.id).where(OutboxMessage.survey_id == survey_id)).all())
        return str(recipients)

    return {FILE: apply_file, WORKER: tick, ATTENDED: attended, SURVEY: survey}


def speakers(database: Database, transcript: Transcript, now: datetime, address: str,
             colleague: Callable[[str], Callable[[str], str]],
             colleague_id: str = COLLEAGUE_TELEGRAM_ID) -> dict[str, Callable[[str], str]]:
    """The transcript's other speakers: the outbox of the owner's chat at `address` and, after `@colleague`, an
    active officer of that scope on Telegram (Telegram id `colleague_id`), who speaks through `colleague(its id)`."""
    others: dict[str, Callable[[str], str]] = {OUTBOX: Outbox(database, address).since_last_look}
    if transcript.colleague_scope is not None:
        with database.transaction(now) as registry:
            registry.officers.add("Petugas Rekan", None, colleague_id, transcript.colleague_scope, actor="test")
        others[OFFICER] = colleague(colleague_id)
    return others


class Outbox:
    """What the outbox queued for one chat address, a look at a time."""

    def __init__(self, database: Database, address: str) -> None:
        self.database, self.address, self.seen = database, address, 0

    def since_last_look(self, _says: str) -> str:
        """The messages queued since, as the worker writes them when it sends them."""
        with self.database.transaction() as registry:
            rows = registry.outbox.queued_for(self.address, self.seen)
        self.seen = max([self.seen, *(row.id for row in rows)])
        return "\n\n".join(message_text(row) for row in rows)


def check(path: Path, say: Callable[[str], str], wait: Callable[[timedelta], None] | None = None,
          start: datetime = START, others: dict[str, Callable[[str], str]] | None = None) -> None:
    """Send every owner line through `say` (any channel's, its clock started at `start`), and the other speakers'
    through `others`, and check each answer."""
    for exchange in read_transcript(path).exchanges:
        if exchange.wait_before:
            if wait is None:
                raise ValueError(f"{path.name}:{exchange.line}: this channel's test cannot move the clock")
            wait(exchange.wait_before)
        if exchange.speaker and exchange.speaker not in (others or {}):
            raise ValueError(f"{path.name}:{exchange.line}: this channel's test has no {exchange.speaker!r}")
        answer = (others or {})[exchange.speaker](exchange.says) if exchange.speaker else say(exchange.says)
        for words in map(lambda expected: dated(expected, start), exchange.expected):
            assert words in answer, f"{path.name}:{exchange.line}: {words!r} not in the answer to {exchange.says!r}:\n{answer}"
        for words in map(lambda unexpected: dated(unexpected, start), exchange.unexpected):
            assert words not in answer, f"{path.name}:{exchange.line}: {words!r} in the answer to {exchange.says!r}:\n{answer}"


def enrol_owners(database: Database, count: int, programme: str, session: str, status: str, now: datetime) -> None:
    """Register `count` more owners, each holding a place (`status`) in a session named by its programme's code and
    its own, taken `now`."""
    ids = add_owners(database, Owners(count, "62.71", "lainnya", "mikro"), now)
    with database.transaction(now) as registry:
        programme_id = registry.training.programme_id(programme)
        session_id = registry.training.session_id(programme_id, session) if programme_id is not None else None
        if session_id is None:
            raise ValueError(f"@enrolled: no session {session!r} of a programme {programme!r}")
        registry.session.execute(insert(Enrollment), [
            {"session_id": session_id, "owner_id": owner_id, "status": status, "since": now} for owner_id in ids])


def add_owners(database: Database, owners: Owners, now: datetime) -> list[int]:
    """Register sample owners with the business and the chat `owners` describes; their ids."""
    with database.engine.connect() as connection:
        first = (connection.scalar(select(func.max(Owner.id))) or 0) + 1
    seed(database, owners.count, seed=first)  # a seed of their own: other owners' names and phones
    ids = list(range(first, first + owners.count))
    channel = "browser" if owners.how == "browser" else "telegram"
    with database.transaction(now) as registry:
        registry.session.execute(update(Business).where(Business.owner_id.in_(ids)).values(
            kabupaten_code=owners.kabupaten, sector=owners.sector, business_class=owners.business_class))
        registry.session.execute(delete(Conversation).where(Conversation.owner_id.in_(ids)))  # the sample's chats
        # and its assessments: these owners are only what the directive says they are
        registry.session.execute(delete(Assessment).where(Assessment.owner_id.in_(ids)))
        for owner_id in ids:
            state = registry.open_conversation(channel, f"owner-{owner_id}")
            state.owner_id = owner_id
            registry.save_conversation(state)
            if owners.how == "blocked":
                registry.set_blocked(channel, f"owner-{owner_id}", True)
            if owners.how == "stopped":
                registry.announcements.stop(owner_id, "test")
        if owners.how == "unasked":
            registry.session.execute(update(Owner).where(Owner.id.in_(ids)).values(announcements_accepted_at=None))
    return ids
