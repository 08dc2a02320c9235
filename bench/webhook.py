"""Registrations through the real Telegram webhook over HTTP, and WhatsApp's through Twilio and through Meta's
Cloud API: messages per second, and latency.

Simulated owners register by POSTing real-format Telegram Update JSON to `/telegram/webhook` of
`tabe serve`, as Telegram delivers updates (secret token header, keep-alive connections). An owner
sends the 17 messages of a registration in order, each only after the answer to the previous one,
and every answer is checked: it must be the next question, and the last one must carry the "UMKM-"
registration number. A non-200 or an unexpected answer is a failure, and a run with any failure is
not a valid measurement. Afterwards the registry must hold one business per owner.

Each configuration gets fresh processes, each pinned to a core (`plan_cores`): the fake Telegram
Bot API (tests/fake_telegram.py), the server(s) under test, and this process, the load generator:
raw HTTP/1.1 keep-alive connections on uvloop, --connections of them (Telegram's default webhook
max_connections is 40) shared by all owners, alternating between servers when there are two.

Each configuration is measured, after a warm-up of --warmup registrations, under two loads:
- closed loop: --owners owners registering at once, each message sent as soon as a connection is
  free: messages/s, and p50/p99 of the time from sending a message to its answer;
- open loop: --rate messages/s due on a fixed schedule for --seconds, --lanes owners registering at
  a time (each gets lanes/rate seconds per answer) and at every step of the registration at once;
  latency counts from the time a message was due, so a server or generator falling behind is
  charged for it (no coordinated omission).

Configurations (`--configurations`):
- ours: `tabe serve` on a fresh migrated SQLite file (WAL, synchronous=NORMAL); ours-2: two
  `tabe serve` processes on different ports sharing that file. Each message is committed before it
  is answered; the reply rides back in the webhook's response.
- ours-twilio: the same server, the owners on WhatsApp through Twilio: signed form posts to
  `/whatsapp/webhook` (X-Twilio-Signature); replies with buttons or a list go through the fake
  Twilio (tests/fake_twilio.py: the Content API once per screen, then the REST API), the rest as
  TwiML in the response; the generator reads the former back from the fake (`/_fake/taken/NUMBER`).
- ours-cloud: the same server, the owners on WhatsApp through Meta's Cloud API: signed JSON
  notifications to `/whatsapp/cloud/webhook` (X-Hub-Signature-256), the replies sent to the fake
  Graph API (tests/fake_whatsapp_cloud.py, on the load generator's core) before the webhook answers;
  the generator reads them back from the fake (`/_fake/taken/NUMBER`) to check them.
  On WhatsApp an owner says "halo" rather than /start, and confirms the number WhatsApp vouched for.
- ceiling: a bare Starlette endpoint with the same uvicorn settings that only parses the update
  (json.loads and Update.de_json) and answers 200 with an empty body.
- baseline: the same conversation on python-telegram-bot's ConversationHandler with PicklePersistence,
  replying with sendMessage to the fake Bot API (bench/ptb_baseline.py); updates one at a time, as PTB
  asks of ConversationHandler; baseline-concurrent: with concurrent_updates=True.

Run: `.venv/bin/python bench/webhook.py [--owners 600] [--connections 40] [--rate 300] [--seconds 20]`.
"""

import argparse
import asyncio
import functools
import hashlib
import hmac
import json
import logging
import math
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode

import ptb_baseline
import uvicorn
import uvloop
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Bot, Update
from twilio.request_validator import RequestValidator

from bot.sample import new_nik

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TOKEN = "123456789:AAE-fake-token-for-loopback-tests-only"
SECRET = "bench-webhook-secret"
WEBHOOK_PATH = "/telegram/webhook"
DATE = 1795000000  # a Unix time, as Telegram sends it
FIRST_CHAT = 700_000_001
CONFIGURATIONS = ("ours", "ours-2", "ours-twilio", "ours-cloud", "ceiling", "baseline", "baseline-concurrent")
PUBLIC = "https://tabe.example.id"  # what Twilio was told, and signs
TWILIO_SID, TWILIO_TOKEN, TWILIO_FROM = "AC" + "0" * 32, "bench-auth-token", "whatsapp:+14155238886"
CLOUD_NUMBER_ID, CLOUD_TOKEN, CLOUD_SECRET = "106540352242922", "bench-cloud-token", "bench-app-secret"
# What an owner types on WhatsApp where the Telegram script differs: there is no /start, and WhatsApp vouches
# for the sender's number, so the bot asks to confirm it.
WHATSAPP_WORDS = {"/start": "halo", "0812 3456 7890": "ya"}
STARTUP_SECONDS = 60


# ---- what an owner says, and what the answer must say -------------------------------------------

def registration(nik: str) -> list[tuple[str, str]]:
    """The 17 messages of one registration, each with a piece of text its answer must contain."""
    answers = ["Budi Santoso", nik, "0812 3456 7890", "Warung Makan Bu Sari", "Kuliner (makanan dan minuman)",
               "Kotawaringin Timur", "Baamang", "Jl. Tjilik Riwut Km 5 No. 12", "Belum punya", "2019", "3",
               "15 juta"]
    questions = [(answer, f"Pertanyaan {number + 2} dari 13") for number, answer in enumerate(answers)]
    return [("/start", "Menu utama"), ("Daftarkan usaha saya", "Apakah Anda setuju?"),
            ("Ya, saya setuju", "Pertanyaan 1 dari 13"), *questions, ("2,5 jt", "Mohon periksa jawaban Anda"),
            ("Ya, simpan", "UMKM-")]


MESSAGES_PER_REGISTRATION = len(registration(""))


@dataclass(frozen=True)
class Owner:
    chat_id: int
    script: list[tuple[str, str]]


class Door(Protocol):
    """A webhook as its provider calls it: the request for an owner's message, and the owner's answer to it."""

    path: str

    def request(self, chat_id: int, words: str) -> tuple[bytes, bytes]:
        """The body of the request, and its Content-Type and signature header lines."""
        ...

    async def answer(self, chat_id: int, response: bytes) -> bytes:
        """What the owner received for the message, from the webhook's response (or the provider's fake)."""
        ...


class Updates:
    """Telegram Update JSON for a chat's text message; update_ids are unique for the whole run (they dedupe)."""

    path = WEBHOOK_PATH

    def __init__(self) -> None:
        self.next_id = 1

    def request(self, chat_id: int, words: str) -> tuple[bytes, bytes]:
        update_id, self.next_id = self.next_id, self.next_id + 1
        person = {"id": chat_id, "is_bot": False, "first_name": "Budi", "language_code": "id"}
        message: dict[str, Any] = {"message_id": update_id, "from": person,
                                   "chat": {"id": chat_id, "first_name": "Budi", "type": "private"},
                                   "date": DATE, "text": words}
        if words.startswith("/"):
            message["entities"] = [{"offset": 0, "length": len(words.split()[0]), "type": "bot_command"}]
        headers = f"Content-Type: application/json\r\nX-Telegram-Bot-Api-Secret-Token: {SECRET}\r\n".encode()
        return json.dumps({"update_id": update_id, "message": message}).encode(), headers

    async def answer(self, _chat_id: int, response: bytes) -> bytes:
        return response  # the reply rides back in the response


def whatsapp_number(chat_id: int) -> str:
    """An owner's WhatsApp number, digits only: one per chat id, a real Indonesian mobile number's shape."""
    return f"62817{chat_id % 10**8:08d}"


class Taken:
    """The replies a provider's fake took for an owner's number through its REST API, read back from it."""

    def __init__(self, fake_port: int, connections: int) -> None:
        self.fake: asyncio.Queue[Connection] = asyncio.Queue()
        for _connection in range(connections):
            self.fake.put_nowait(Connection(fake_port))

    async def taken(self, chat_id: int) -> bytes:
        connection = await self.fake.get()
        try:
            status, taken = await connection.send(f"GET /_fake/taken/{whatsapp_number(chat_id)}".encode(), b"", b"")
        finally:
            self.fake.put_nowait(connection)
        if status != 200:
            raise HttpError(f"the provider's fake answered {status}")
        return taken


class TwilioForms(Taken):
    """Twilio's signed form posts of an owner's WhatsApp message; the replies are the buttons and lists the fake
    Twilio took for the owner's number, and the TwiML of the response."""

    path = "/whatsapp/webhook"

    def __init__(self, fake_port: int, connections: int) -> None:
        super().__init__(fake_port, connections)
        self.validator = RequestValidator(TWILIO_TOKEN)
        self.next_id = 1

    def request(self, chat_id: int, words: str) -> tuple[bytes, bytes]:
        message_sid, self.next_id = f"SM{self.next_id:032x}", self.next_id + 1
        number = whatsapp_number(chat_id)
        fields = {"MessageSid": message_sid, "AccountSid": TWILIO_SID, "From": f"whatsapp:+{number}",
                  "To": TWILIO_FROM, "Body": WHATSAPP_WORDS.get(words, words), "NumMedia": "0", "ProfileName": "Budi",
                  "WaId": number}
        signature = self.validator.compute_signature(PUBLIC + self.path, fields)
        headers = f"Content-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: {signature}\r\n".encode()
        return urlencode(fields).encode(), headers

    async def answer(self, chat_id: int, response: bytes) -> bytes:
        return await self.taken(chat_id) + response


class CloudNotifications(Taken):
    """Meta's signed notifications of an owner's WhatsApp message; the replies are what the fake Graph API took
    for the owner's number meanwhile, read back from it."""

    path = "/whatsapp/cloud/webhook"

    def __init__(self, fake_port: int, connections: int) -> None:
        super().__init__(fake_port, connections)
        self.next_id = 1

    def request(self, chat_id: int, words: str) -> tuple[bytes, bytes]:
        message_id, self.next_id = f"wamid.HBgN{self.next_id:032X}", self.next_id + 1
        number = whatsapp_number(chat_id)
        message = {"from": number, "id": message_id, "timestamp": str(DATE), "type": "text",
                   "text": {"body": WHATSAPP_WORDS.get(words, words)}}
        value = {"messaging_product": "whatsapp",
                 "metadata": {"display_phone_number": "15550783881", "phone_number_id": CLOUD_NUMBER_ID},
                 "contacts": [{"profile": {"name": "Budi"}, "wa_id": number}], "messages": [message]}
        body = json.dumps({"object": "whatsapp_business_account",
                           "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}]})
        signature = hmac.new(CLOUD_SECRET.encode(), body.encode(), hashlib.sha256).hexdigest()
        return body.encode(), f"Content-Type: application/json\r\nX-Hub-Signature-256: sha256={signature}\r\n".encode()

    async def answer(self, chat_id: int, _response: bytes) -> bytes:
        return await self.taken(chat_id)


# ---- the load generator's HTTP client --------------------------------------------------------------

class HttpError(Exception):
    pass


class Connection:
    """One keep-alive HTTP/1.1 connection to a webhook; one request at a time, as Telegram sends them."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.host = f"Host: 127.0.0.1:{port}\r\n".encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, request_line: bytes, headers: bytes, body: bytes) -> tuple[int, bytes]:
        """A request ("POST /path"), its header lines, and its body; the status and the body of the answer."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(b"%s HTTP/1.1\r\n%s%sContent-Length: %d\r\n\r\n%s"
                          % (request_line, self.host, headers, len(body), body))
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            return status, await self.reader.readexactly(_content_length(head))
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as error:
            self.close()  # the next request opens a new one
            raise HttpError(repr(error)) from error

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    raise ValueError("no Content-Length in the response")  # uvicorn sends one for every Starlette Response


# ---- load ------------------------------------------------------------------------------------------

@dataclass
class Load:
    """What one phase of load saw."""

    messages: int = 0
    failures: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # seconds
    steps: list[int] = field(default_factory=list)  # the step each latency belongs to
    lags: list[float] = field(default_factory=list)  # open loop: how late the generator's timer woke, seconds
    seconds: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # process name -> share of one core
    window: tuple[float, float] = (0.0, 0.0)  # Unix times the measurement began and ended

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    def ms(self, fraction: float, values: list[float] | None = None) -> float:
        """A percentile in milliseconds (fraction 0.99 is p99, 1.0 the maximum)."""
        ordered = sorted(self.latencies if values is None else values)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000 if ordered else math.nan

    def slowest_step(self) -> tuple[int, float]:
        """The step whose answers have the highest p99, and that p99 in milliseconds."""
        by_step: dict[int, list[float]] = {}
        for step, latency in zip(self.steps, self.latencies, strict=True):
            by_step.setdefault(step, []).append(latency)
        return max(((step, self.ms(0.99, latencies)) for step, latencies in by_step.items()), key=lambda x: x[1])


class Generator:
    """Owners talking to the webhook(s) through a shared pool of connections."""

    def __init__(self, ports: list[int], connections: int, expect_text: bool, door: Door) -> None:
        self.pool: asyncio.Queue[Connection] = asyncio.Queue()
        for index in range(connections):  # alternate between servers, like a load balancer would
            self.pool.put_nowait(Connection(ports[index % len(ports)]))
        self.expect_text = expect_text  # the ceiling answers an empty body
        self.door = door
        self.request_line = f"POST {door.path}".encode()

    async def say(self, owner: Owner, step: int, load: Load, since: float | None = None) -> bool:
        """Send one message and check its answer; latency counts from `since` (the schedule) when given."""
        words, expected = owner.script[step]
        body, headers = self.door.request(owner.chat_id, words)
        connection = await self.pool.get()
        sent = time.perf_counter()
        try:
            status, response = await connection.send(self.request_line, headers, body)
        except HttpError as error:
            load.failures.append(f"chat {owner.chat_id} step {step}: {error}")
            return False
        finally:
            self.pool.put_nowait(connection)
        answered = time.perf_counter()
        try:
            answer = await self.door.answer(owner.chat_id, response)
        except HttpError as error:
            load.failures.append(f"chat {owner.chat_id} step {step}, reading the answer: {error}")
            return False
        load.latencies.append(answered - (sent if since is None else since))
        load.steps.append(step)
        load.messages += 1
        if status != 200 or (self.expect_text and expected.encode() not in answer):
            load.failures.append(f"chat {owner.chat_id} step {step} ({words!r}): {status} {answer[:300]!r}")
            return False
        return True

    async def say_steps(self, owner: Owner, steps: range, load: Load) -> bool:
        """Messages one after another, each as soon as the last is answered; False at the first failure."""
        for step in steps:
            if not await self.say(owner, step, load):
                return False  # the conversation is off its script: its later answers would all fail too
        return True

    async def closed_loop(self, owners: list[Owner], load: Load) -> None:
        """Every owner at once; each sends its next message as soon as the last one is answered."""
        started = time.perf_counter()
        await asyncio.gather(*(self.say_steps(owner, range(MESSAGES_PER_REGISTRATION), load) for owner in owners))
        load.seconds = time.perf_counter() - started

    async def open_loop(self, lanes: list[list[Owner]], rate: float, seconds: float, load: Load,
                        meter: "CpuMeter") -> None:
        """Messages due at a fixed rate for `seconds`, latency from the time each was due.

        Lane i's owners register one after another; its messages are due at slots i, i + L, i + 2L, ...
        (L lanes, a slot every 1/rate s), so an owner has L/rate s to be answered before its next
        message is due. Lanes start at different steps (their first owners said their first messages
        before the clock started), so the answers due at any moment are to every kind of question, not
        a wave of the same one. After the window, owners still registering finish unmeasured, at once.
        """
        unmeasured = Load()
        phases = lane_phases(len(lanes))
        await asyncio.gather(*(self.say_steps(lane[0], range(phase), unmeasured)
                               for lane, phase in zip(lanes, phases, strict=True)))
        start = time.perf_counter() + 0.05
        slots = int(rate * seconds)
        measuring, measured = [len(lanes)], asyncio.Event()  # lanes with messages still due; set when none has

        async def run(index: int, owners: list[Owner], phase: int) -> None:
            turns = [(owner, step) for position, owner in enumerate(owners)
                     for step in range(phase if position == 0 else 0, MESSAGES_PER_REGISTRATION)]
            due = len(range(index, slots, len(lanes)))  # this lane's slots in the window
            ok = True
            for number, (owner, step) in enumerate(turns[:due]):
                at = start + (index + number * len(lanes)) / rate
                if at > time.perf_counter():  # else the last answer came late: the server's lateness, not ours
                    await asyncio.sleep(at - time.perf_counter())
                    load.lags.append(max(0.0, time.perf_counter() - at))
                if not (ok := await self.say(owner, step, load, since=at)):
                    break
            measuring[0] -= 1
            if not measuring[0]:
                measured.set()
            await measured.wait()  # finishing sooner would queue ahead of messages still due
            if ok and turns[due:]:  # the lane's last owner, mid-registration when the window closed
                owner, step = turns[due]
                await self.say_steps(owner, range(step, MESSAGES_PER_REGISTRATION), unmeasured)

        async def window() -> None:
            await asyncio.sleep(max(0.0, start - time.perf_counter()))
            meter.start()
            await asyncio.sleep(max(0.0, start + seconds - time.perf_counter()))
            meter.stop(load)

        await asyncio.gather(window(), *(run(index, owners, phase)
                                         for index, (owners, phase) in enumerate(zip(lanes, phases, strict=True))))
        load.seconds = seconds
        load.failures += unmeasured.failures

    def close(self) -> None:
        while not self.pool.empty():
            self.pool.get_nowait().close()


def lane_phases(lanes: int) -> list[int]:
    """The step each open-loop lane's first owner is at when the clock starts: spread evenly over the steps."""
    return [lane * MESSAGES_PER_REGISTRATION // lanes for lane in range(lanes)]


def lane_sizes(rate: float, seconds: float, lanes: int) -> list[int]:
    """How many owners each open-loop lane needs for its messages due in the window."""
    slots = int(rate * seconds)
    return [math.ceil((phase + len(range(lane, slots, lanes))) / MESSAGES_PER_REGISTRATION)
            for lane, phase in enumerate(lane_phases(lanes))]


class CpuMeter:
    """The CPU each process used over a stretch of time, as a share of one core."""

    def __init__(self, services: list["Service"]) -> None:
        self.pids: dict[str, int | str] = {service.name: service.process.pid for service in services}
        self.pids["load generator"] = "self"
        self.before: dict[str, float] = {}
        self.started = self.began = 0.0

    def start(self) -> None:
        self.before = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        self.before["stolen by the host"] = stolen_seconds()
        self.started, self.began = time.perf_counter(), time.time()

    def stop(self, load: Load) -> None:
        wall = time.perf_counter() - self.started
        now = {name: cpu_seconds(pid) for name, pid in self.pids.items()} | {"stolen by the host": stolen_seconds()}
        load.cpu = {name: (now[name] - self.before[name]) / wall for name in now}
        load.window = (self.began, time.time())


# ---- processes -------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pid: int | str) -> float:
    """User and system CPU time of a process, all its threads, from the kernel."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stolen_seconds() -> float:
    """CPU time the hypervisor gave to others while this machine's cores wanted it, all cores together."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    return int(fields[8]) / os.sysconf("SC_CLK_TCK")


@dataclass
class Service:
    """A process of the benchmark, pinned to `cores`, with its output in a log file."""

    name: str
    process: "subprocess.Popen[bytes]"
    log: Path
    cores: set[int]

    def stop(self) -> float:
        """Stop it as an operator would (SIGTERM: uvicorn shuts down gracefully); returns how long that took."""
        started = time.perf_counter()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return time.perf_counter() - started

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def start_service(name: str, argv: list[str], env: dict[str, str], cores: set[int], directory: Path,
                  ready_url: str) -> Service:
    log = directory / f"{name}.log"
    with log.open("wb") as output:
        # Pinned before exec, so every thread the process starts later is pinned too.
        process = subprocess.Popen(argv, env={**os.environ, **env}, cwd=directory, stdout=output,
                                   stderr=subprocess.STDOUT, preexec_fn=functools.partial(os.sched_setaffinity, 0, cores))
    service = Service(name, process, log, cores)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{service.tail()}")
        try:
            with urllib.request.urlopen(ready_url, timeout=1) as answer:
                if answer.status == 200:
                    return service
        except OSError:
            time.sleep(0.05)
    service.stop()
    raise RuntimeError(f"{name} did not answer {ready_url} within {STARTUP_SECONDS} s:\n{service.tail()}")


def plan_cores(cores: list[int], servers: int) -> tuple[list[set[int]], set[int]]:
    """Cores for each server, and for the load generator with the fake Bot API.

    Servers take cores from the first; the load generator and the fake take the last. On two cores and two
    servers the second server shares its core with the load generator: there is no third core to give.
    """
    if len(cores) == 1:
        return [set(cores)] * servers, set(cores)
    return [{cores[index % len(cores)]} for index in range(servers)], {cores[-1]}


# ---- the ceiling, and running a comparison server as its own process -----------------------------

def ceiling_app() -> Starlette:
    """Only what every Telegram webhook must do: read the update. 200, empty body."""
    bot = Bot(TOKEN)

    async def webhook(request: Request) -> Response:
        Update.de_json(json.loads(await request.body()), bot)
        return Response()

    async def health(_request: Request) -> Response:
        return Response("ok")

    return Starlette(routes=[Route(WEBHOOK_PATH, webhook, methods=["POST"]),
                             Route("/healthz", health, methods=["GET"])])


def serve(role: str, port: int, pickle_path: str) -> None:
    """`--serve ceiling|baseline|baseline-concurrent`: run that server here, with `tabe serve`'s uvicorn settings."""
    if role == "ceiling":
        app = ceiling_app()
    else:
        # As PTB's example: INFO logging, but not a line per HTTP request to the Bot API.
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("httpx").setLevel(logging.WARNING)
        app = ptb_baseline.create_app(TOKEN, os.environ["TELEGRAM_API_BASE_URL"], SECRET, pickle_path,
                                      concurrent=role == "baseline-concurrent")
    uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, proxy_headers=True, log_level="info")


# ---- one configuration -----------------------------------------------------------------------------

@dataclass
class Result:
    configuration: str
    pinning: str
    closed: Load
    open: Load
    committed: str  # what the database (or the pickle file) holds afterwards
    notes: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)  # registrations answered but not committed

    @property
    def failures(self) -> list[str]:
        return self.closed.failures + self.open.failures + self.lost


@dataclass(frozen=True)
class Plan:
    """The same owners, in the same order, for every configuration."""

    warmup: list[Owner]
    closed: list[Owner]
    lanes: list[list[Owner]]  # the open loop's
    connections: int
    rate: float
    seconds: float

    @property
    def owners(self) -> int:
        return len(self.warmup) + len(self.closed) + sum(map(len, self.lanes))


async def drive(ports: list[int], plan: Plan, services: list[Service], expect_text: bool,
                door: Door) -> tuple[Load, Load]:
    """Warm-up, then the closed loop, then the open loop; each load notes the CPU every process used."""
    generator = Generator(ports, plan.connections, expect_text, door)
    warmup, closed, opened = Load(), Load(), Load()
    meter = CpuMeter(services)
    try:
        await generator.closed_loop(plan.warmup, warmup)  # imports, caches, connections, the file's first pages
        meter.start()
        await generator.closed_loop(plan.closed, closed)
        meter.stop(closed)
        await generator.open_loop(plan.lanes, plan.rate, plan.seconds, opened, meter)
    finally:
        generator.close()
    closed.failures += warmup.failures
    return closed, opened


def run_configuration(name: str, plan: Plan, cores: list[int], directory: Path) -> Result:
    directory.mkdir()
    servers = 2 if name == "ours-2" else 1
    server_cores, client_cores = plan_cores(cores, servers)
    os.sched_setaffinity(0, client_cores)  # this process is the load generator
    fake_port, ports = free_port(), [free_port() for _server in range(servers)]
    origin = f"http://127.0.0.1:{fake_port}"
    database, pickle_path = directory / "registry.sqlite3", directory / "baseline.pickle"
    env, door, fake = channel(name, f"sqlite:///{database}", fake_port, plan.connections)
    services = [start_service(fake[0], [sys.executable, str(ROOT / "tests" / fake[1]), "--port", str(fake_port),
                                        *fake[2:]], env, client_cores, directory, f"{origin}/_fake/stats")]
    notes: list[str] = []
    closed = opened = Load()  # until measured
    try:
        for index, argv in enumerate(server_commands(name, ports, env, directory, pickle_path)):
            services.append(start_service(f"server {index + 1}" if servers > 1 else "server", argv, env,
                                          server_cores[index], directory, f"http://127.0.0.1:{ports[index]}/healthz"))
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            closed, opened = runner.run(drive(ports, plan, services, name != "ceiling", door))
        committed, registered = what_was_committed(name, database, ports[0], pickle_path)
    finally:
        for service in reversed(services):
            stopped = service.stop()
            if name.startswith("baseline") and service.name == "server":
                notes.append(pickle_writes(service, {"closed loop": closed.window, "open loop": opened.window},
                                           stopped, ptb_baseline.pickled_registrations(str(pickle_path))))
    pinning = ", ".join(f"{service.name} on core {','.join(map(str, sorted(service.cores)))}" for service in services)
    lost = [] if registered in (None, plan.owners) else [f"{plan.owners:,} owners registered, {committed}"]
    return Result(name, pinning + f", load generator on core {','.join(map(str, sorted(client_cores)))}", closed,
                  opened, f"{committed} ({plan.owners:,} owners)", notes, lost)


def channel(name: str, database_url: str, fake_port: int, connections: int) -> tuple[dict[str, str], Door,
                                                                                       tuple[str, ...]]:
    """The servers' settings, how the owners' messages reach them, and the provider's fake (its name, its script in
    tests/ and its arguments), for the configuration's channel."""
    origin = f"http://127.0.0.1:{fake_port}"
    if name == "ours-cloud":
        return ({"DATABASE_URL": database_url, "WHATSAPP_PROVIDER": "cloud",
                 "WHATSAPP_CLOUD_PHONE_NUMBER_ID": CLOUD_NUMBER_ID, "WHATSAPP_CLOUD_ACCESS_TOKEN": CLOUD_TOKEN,
                 "WHATSAPP_CLOUD_APP_SECRET": CLOUD_SECRET, "WHATSAPP_CLOUD_VERIFY_TOKEN": "bench-verify-token",
                 "WHATSAPP_CLOUD_API_BASE_URL": f"{origin}/v23.0"},
                CloudNotifications(fake_port, connections),
                ("fake Graph API", "fake_whatsapp_cloud.py", "--phone-number-id", CLOUD_NUMBER_ID, "--access-token",
                 CLOUD_TOKEN))
    telegram = {"DATABASE_URL": database_url, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET,
                "TELEGRAM_API_BASE_URL": origin}
    if name == "ours-twilio":
        return ({"DATABASE_URL": database_url, "TWILIO_ACCOUNT_SID": TWILIO_SID, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
                 "TWILIO_WHATSAPP_FROM": TWILIO_FROM, "PUBLIC_BASE_URL": PUBLIC, "TWILIO_API_BASE_URL": origin,
                 "TWILIO_CONTENT_API_BASE_URL": origin},
                TwilioForms(fake_port, connections),
                ("fake Twilio", "fake_twilio.py", "--account-sid", TWILIO_SID, "--auth-token", TWILIO_TOKEN))
    return telegram, Updates(), ("fake Bot API", "fake_telegram.py", "--token", TOKEN)


def server_commands(name: str, ports: list[int], env: dict[str, str], directory: Path,
                    pickle_path: Path) -> list[list[str]]:
    """The command of each server process; ours on a freshly migrated database, as a deployment's release step."""
    if name.startswith("ours"):
        subprocess.run([str(BIN / "tabe"), "db", "upgrade"], env={**os.environ, **env}, cwd=directory, check=True,
                       capture_output=True)
        return [[str(BIN / "tabe"), "serve", "--host", "127.0.0.1", "--port", str(port)] for port in ports]
    return [[sys.executable, __file__, "--serve", name, "--port", str(port), "--pickle", str(pickle_path)]
            for port in ports]


def what_was_committed(name: str, database: Path, port: int, pickle_path: Path) -> tuple[str, int | None]:
    """Read while the servers still run, so it is what a crash at this moment would leave; and the count to check."""
    if name.startswith("ours"):
        businesses = count_businesses(database)
        return f"{businesses:,} businesses in the database", businesses
    if name == "ceiling":
        return "nothing: it only parses", None
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_bench/stats") as answer:
        stats = json.loads(answer.read())
    return (f"{ptb_baseline.pickled_registrations(str(pickle_path)):,} registrations in the pickle file, "
            f"{stats['registrations']:,} in memory"), stats["registrations"]


def count_businesses(database: Path) -> int:
    with sqlite3.connect(database) as connection:  # a new reader sees every committed transaction (WAL)
        return connection.execute("SELECT count(*) FROM businesses").fetchone()[0]


def pickle_writes(service: Service, windows: dict[str, tuple[float, float]], stopping: float, kept: int) -> str:
    """When the baseline wrote its pickle file: during each measured load, and in all (from its shutdown line)."""
    stats = next((json.loads(line.removeprefix(ptb_baseline.STATS_PREFIX))
                  for line in reversed(service.log.read_text(errors="replace").splitlines())
                  if line.startswith(ptb_baseline.STATS_PREFIX)), None)
    if stats is None:
        return "no pickle statistics were printed at shutdown"
    writes: list[tuple[float, float]] = stats["pickle_writes"]
    during = [f"{len(found)} writes ({sum(seconds for _at, seconds in found):.1f} s) during the {name}"
              for name, (began, ended) in windows.items()
              for found in [[write for write in writes if began <= write[0] <= ended]]]
    return (f"pickle file: {', '.join(during)}; {len(writes)} writes in all ({sum(s for _t, s in writes):.1f} s), "
            f"stopping the server took {stopping:.1f} s; afterwards {kept:,} registrations in the file")


# ---- the report ------------------------------------------------------------------------------------

def report(results: list[Result], plan: Plan) -> None:
    print(f"\nclosed loop: {len(plan.closed):,} owners registering at once, {MESSAGES_PER_REGISTRATION} messages each, "
          f"over {plan.connections} connections; latency from sending to the answer")
    print("| configuration | messages/s | p50 ms | p99 ms | max ms | failures | committed afterwards | "
          "CPU (share of a core) |")
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for result in results:
        load = result.closed
        print(f"| {result.configuration} | {load.rate:,.0f} | {load.ms(0.5):.1f} | {load.ms(0.99):.1f} | "
              f"{load.ms(1.0):.0f} | {len(load.failures)} | {result.committed} | {cpu_text(load)} |")
    print(f"\nopen loop: {plan.rate:g} messages/s due for {plan.seconds:g} s, {len(plan.lanes)} owners registering at "
          f"a time ({sum(map(len, plan.lanes)):,} in all); latency from the time each message was due")
    print("| configuration | messages | p50 ms | p99 ms | max ms | slowest step, its p99 ms | generator timer lag p99 ms | "
          "failures | CPU (share of a core) |")
    print("|---|---:|---:|---:|---:|---|---:|---:|---|")
    for result in results:
        load = result.open
        step, step_p99 = load.slowest_step() if load.latencies else (0, math.nan)
        print(f"| {result.configuration} | {load.messages:,} | {load.ms(0.5):.1f} | {load.ms(0.99):.1f} | "
              f"{load.ms(1.0):.1f} | {step + 1} ({plan.closed[0].script[step][0]!r}) {step_p99:.1f} | "
              f"{load.ms(0.99, load.lags):.1f} | {len(load.failures)} | {cpu_text(load)} |")
    print()
    for result in results:
        for note in [result.pinning, *result.notes, *(f"FAILED {failure}" for failure in result.failures[:5])]:
            print(f"{result.configuration}: {note}")
    if any(result.failures for result in results):
        print("\nINVALID: some messages failed (see above)")


def cpu_text(load: Load) -> str:
    return ", ".join(f"{name} {share:.0%}" for name, share in load.cpu.items())


def make_plan(args: argparse.Namespace) -> Plan:
    """Owners with their own chat and NIK, the same for every configuration."""
    rng, taken = random.Random(3), set[str]()
    chats = iter(range(FIRST_CHAT, FIRST_CHAT + 10**8))

    def owners(count: int) -> list[Owner]:
        return [Owner(next(chats), registration(new_nik(rng, taken))) for _owner in range(count)]

    lanes = min(args.lanes, int(args.rate * args.seconds))
    return Plan(owners(args.warmup), owners(args.owners),
                [owners(size) for size in lane_sizes(args.rate, args.seconds, lanes)],
                args.connections, args.rate, args.seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--owners", type=int, default=600, help="owners registering in the closed loop")
    parser.add_argument("--connections", type=int, default=40, help="keep-alive connections to the server(s)")
    parser.add_argument("--rate", type=float, default=300, help="open loop: messages per second")
    parser.add_argument("--seconds", type=float, default=20, help="open loop: how long")
    parser.add_argument("--lanes", type=int, default=300, help="open loop: owners registering at a time")
    parser.add_argument("--warmup", type=int, default=20, help="registrations before measuring")
    parser.add_argument("--configurations", default=",".join(CONFIGURATIONS),
                        help=f"comma-separated, from: {', '.join(CONFIGURATIONS)}")
    parser.add_argument("--serve", choices=("ceiling", "baseline", "baseline-concurrent"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--pickle", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.pickle)
        return
    configurations = [name.strip() for name in args.configurations.split(",") if name.strip()]
    unknown = set(configurations) - set(CONFIGURATIONS)
    if unknown:
        parser.error(f"unknown configurations: {', '.join(sorted(unknown))}")
    plan = make_plan(args)
    cores = sorted(os.sched_getaffinity(0))  # before this process pins itself to the load generator's core
    print(f"{len(cores)} cores, load average {os.getloadavg()[0]:.2f}; Python {sys.version.split()[0]}, "
          f"SQLite {sqlite3.sqlite_version}; {plan.owners:,} owners per configuration", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-webhook-") as directory:
        for name in configurations:
            result = run_configuration(name, plan, cores, Path(directory) / name)
            print(f"{name}: {result.closed.rate:,.0f} messages/s closed loop, open loop p99 {result.open.ms(0.99):.1f} ms, "
                  f"{len(result.failures)} failures; {result.committed}", flush=True)
            results.append(result)
    report(results, plan)


if __name__ == "__main__":
    main()
