"""WhatsApp through Meta's Cloud API: the verification challenge, signed notifications in Meta's format, forgeries
and malformed bodies refused, replies and the outbox through the fake Graph API, one owner whichever provider."""

import asyncio
import json
import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fake_whatsapp_cloud import DEFAULT_TEMPLATE, FakeCloudApi
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from whatsapp_cloud_phone import (
    APP_SECRET,
    VERIFY_TOKEN,
    WEBHOOK,
    CloudPhone,
    cloud_settings,
    message,
    notification,
    signature,
    status,
    wamid,
)
from whatsapp_rows import chat_blocked, outbox_row, sent_row

from bot.app import create_app, describe
from bot.channels import CHANNELS
from bot.delivery import Courier, Outcome, Pacer, Verdict
from bot.settings import CLOUD_API, Settings
from bot.whatsapp_cloud import CloudSender, cloud_outcome
from domain.outbox import NO_TEMPLATE
from server import Server
from store.db import Database
from store.models import Conversation, DeliveryStatus, OutboxMessage
from store.outbox import Outgoing
from transcript import START, Clock, check
from whatsapp_phone import SENDER, WhatsAppPhone, whatsapp_settings

TRANSCRIPTS = Path(__file__).parent / "transcripts"


@pytest.fixture
def fake_cloud() -> Iterator[FakeCloudApi]:
    with FakeCloudApi() as fake:
        yield fake


@pytest.fixture
def phone(database: Database, fake_cloud: FakeCloudApi) -> Iterator[CloudPhone]:
    settings = cloud_settings(database, fake_cloud)
    with Server(create_app(settings, database, clock=Clock(START))) as server, \
            httpx.Client(base_url=server.base_url) as client:
        yield CloudPhone(client, settings, fake_cloud)


def text(words: str, message_id: str | None = None) -> dict[str, Any]:
    return message("text", {"body": words}, message_id=message_id)


# -- turning it on ----------------------------------------------------------------------------------


def test_the_provider_setting_turns_exactly_one_whatsapp_on(sqlite_database: Database,
                                                            fake_cloud: FakeCloudApi) -> None:
    cloud = cloud_settings(sqlite_database, fake_cloud)
    both = whatsapp_settings(sqlite_database, whatsapp_provider=CLOUD_API, **{
        name: getattr(cloud, name) for name in ("whatsapp_cloud_phone_number_id", "whatsapp_cloud_access_token",
                                                "whatsapp_cloud_app_secret", "whatsapp_cloud_verify_token")})
    assert describe(both)[1:] == ["WhatsApp: off (set WHATSAPP_PROVIDER=twilio to turn it on)",
                                  "WhatsApp (Cloud API): on"]
    assert describe(Settings(whatsapp_provider=CLOUD_API))[2] == (
        "WhatsApp (Cloud API): off (set WHATSAPP_CLOUD_PHONE_NUMBER_ID, WHATSAPP_CLOUD_ACCESS_TOKEN, "
        "WHATSAPP_CLOUD_APP_SECRET, WHATSAPP_CLOUD_VERIFY_TOKEN to turn it on)")
    with Server(create_app(both, sqlite_database, clock=Clock(START))) as server:
        assert httpx.post(server.base_url + "/whatsapp/webhook", data={"Body": "halo"}).status_code == 404
        assert httpx.post(server.base_url + WEBHOOK, content=b"{}").status_code == 403
    twilio = whatsapp_settings(sqlite_database)
    with Server(create_app(twilio, sqlite_database, clock=Clock(START))) as server:
        assert httpx.post(server.base_url + WEBHOOK, content=b"{}").status_code == 404


# -- Meta's verification of the webhook's address -----------------------------------------------------


@pytest.mark.parametrize(("params", "answer"), [
    ({"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}, (200, "1158201444")),
    ({"hub.mode": "subscribe", "hub.verify_token": "guessed", "hub.challenge": "1158201444"}, (403, "forbidden")),
    ({"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"}, (403, "forbidden")),
    ({"hub.challenge": "1158201444"}, (403, "forbidden")),
], ids=["right-token", "wrong-token", "wrong-mode", "missing"])
def test_the_verification_challenge_is_echoed_only_for_our_verify_token(phone: CloudPhone, params: dict[str, str],
                                                                       answer: tuple[int, str]) -> None:
    response = phone.client.get(WEBHOOK, params=params)
    assert (response.status_code, response.text) == answer
    assert response.headers["content-type"].startswith("text/plain")


# -- owners' messages -----------------------------------------------------------------------------------


def test_a_whole_registration_as_numbered_text_when_meta_refuses_buttons_and_lists(
        phone: CloudPhone, fake_cloud: FakeCloudApi, caplog: pytest.LogCaptureFixture) -> None:
    fake_cloud.refuse_interactive()
    check(TRANSCRIPTS / "registration_happy_path.txt", phone.say)
    assert {message.type for message in fake_cloud.sent(SENDER)} == {"text"}
    assert "131009" in caplog.text and "Daftarkan" not in caplog.text and "6281234567890" not in caplog.text


WHATSAPP_TRANSCRIPTS = sorted((TRANSCRIPTS / "whatsapp").glob("*.txt"))


@pytest.mark.parametrize("path", WHATSAPP_TRANSCRIPTS, ids=[path.stem for path in WHATSAPP_TRANSCRIPTS])
def test_whatsapp_transcripts_with_buttons_and_lists_over_the_cloud_api(phone: CloudPhone, path: Path) -> None:
    check(path, phone.say)


def test_a_menu_goes_as_buttons_or_a_list_and_a_press_answers_it(phone: CloudPhone,
                                                                 fake_cloud: FakeCloudApi) -> None:
    phone.say("halo")
    menu = fake_cloud.sent(SENDER)[-1]
    assert menu.type == "interactive"
    interactive = menu.payload["interactive"]
    assert "Menu utama" in interactive["body"]["text"]
    first = (interactive["action"]["buttons"][0]["reply"] if interactive["type"] == "button"
             else interactive["action"]["sections"][0]["rows"][0])
    assert first["title"] == "Daftarkan usaha saya"
    answer = phone.say("[Daftarkan usaha saya]")
    assert "Apakah Anda setuju?" in answer


def test_a_redelivered_message_is_answered_once(phone: CloudPhone, database: Database,
                                                fake_cloud: FakeCloudApi) -> None:
    phone.say("halo")
    register = text("1")
    assert "Apakah Anda setuju?" in phone.send(register)[-1]
    assert phone.send(register) == []  # Meta delivered it again: no second answer
    with Session(database.engine) as session:
        conversation = session.scalars(select(Conversation)).one()
    assert (conversation.flow, conversation.step, conversation.address) == ("registration", "consent", SENDER)


@pytest.mark.parametrize(("kind", "content", "words"), [
    ("audio", {"mime_type": "audio/ogg; codecs=opus", "sha256": "x", "id": "1", "voice": True}, "pesan suara"),
    ("sticker", {"mime_type": "image/webp", "sha256": "x", "id": "2", "animated": False}, "Stiker"),
    ("image", {"mime_type": "image/jpeg", "sha256": "x", "id": "3"},
     "hanya bisa membaca pesan teks"),
    ("document", {"mime_type": "application/pdf", "sha256": "x", "id": "4", "filename": "nib.pdf"},
     "hanya bisa membaca pesan teks"),
    ("location", {"latitude": -2.2136, "longitude": 113.9108, "name": "Palangka Raya"}, "lokasi"),
    ("reaction", {"message_id": "wamid.x", "emoji": "👍"}, "hanya bisa membaca pesan teks"),
], ids=["voice", "sticker", "photo", "document", "location", "reaction"])
def test_what_is_not_text_gets_a_kind_word_and_the_question_again(phone: CloudPhone, kind: str,
                                                                  content: dict[str, Any], words: str) -> None:
    answers = phone.send(message(kind, content))
    assert words in answers[0]
    assert "Menu utama" in answers[-1]


def test_a_reply_meta_refuses_is_logged_without_the_owners_words_or_number(
        phone: CloudPhone, database: Database, fake_cloud: FakeCloudApi, caplog: pytest.LogCaptureFixture) -> None:
    fake_cloud.not_on_whatsapp(SENDER)
    with caplog.at_level(logging.ERROR, logger="bot.whatsapp_cloud"):
        assert phone.send(text("halo nama saya Budi")) == []
    [logged] = [record.getMessage() for record in caplog.records if record.name == "bot.whatsapp_cloud"]
    assert "131026" in logged and "Budi" not in logged and "81234567890" not in logged
    assert chat_blocked(database)


def test_a_notification_for_another_business_number_is_not_answered(phone: CloudPhone,
                                                                    fake_cloud: FakeCloudApi) -> None:
    assert phone.post(notification("999999999999999", [text("halo")])).status_code == 200
    assert fake_cloud.requests == []


def test_an_owner_who_wrote_through_twilio_is_the_same_owner_through_the_cloud_api(
        database: Database, fake_cloud: FakeCloudApi) -> None:
    twilio = whatsapp_settings(database)
    with Server(create_app(twilio, database, clock=Clock(START))) as server, \
            httpx.Client(base_url=server.base_url) as client:
        twilio_phone = WhatsAppPhone(client, twilio)
        twilio_phone.say("halo")
        assert "Apakah Anda setuju?" in twilio_phone.say("1")
    settings = cloud_settings(database, fake_cloud)
    with Server(create_app(settings, database, clock=Clock(START))) as server, \
            httpx.Client(base_url=server.base_url) as client:
        assert "Pertanyaan 1 dari 13" in CloudPhone(client, settings, fake_cloud).say("1")
    with Session(database.engine) as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == 1


# -- forged and malformed notifications ----------------------------------------------------------------------


def test_forged_unsigned_and_tampered_notifications_are_refused(phone: CloudPhone, fake_cloud: FakeCloudApi) -> None:
    body = json.dumps(notification(fake_cloud.phone_number_id, [text("halo")])).encode()
    tampered = body.replace(b"halo", b"hapus data saya")

    def post(content: bytes, headers: dict[str, str]) -> int:
        return phone.client.post(WEBHOOK, content=content, headers=headers).status_code

    assert [post(body, {}), post(body, {"X-Hub-Signature-256": "sha256=" + "0" * 64}),
            post(body, {"X-Hub-Signature-256": signature(body, "another-apps-secret")}),
            post(body, {"X-Hub-Signature-256": signature(body)[len("sha256="):]}),
            post(tampered, {"X-Hub-Signature-256": signature(body)})] == [403] * 5
    assert fake_cloud.requests == []


def test_a_forged_body_is_refused_before_it_is_judged(phone: CloudPhone) -> None:
    assert phone.client.post(WEBHOOK, content=b"not json",
                             headers={"X-Hub-Signature-256": "sha256=" + "0" * 64}).status_code == 403
    assert phone.post({"not": "meta's"}, secret=APP_SECRET).status_code == 400


def signed_post(phone: CloudPhone, body: bytes) -> httpx.Response:
    return phone.client.post(WEBHOOK, content=body, headers={"X-Hub-Signature-256": signature(body)})


@pytest.mark.parametrize("body", [
    b"not json", b"\xff\xfe", b"[]", b'"whatsapp_business_account"', b"[" * 100_000 + b"]" * 100_000,
    b'{"object": "page", "entry": []}', b'{"object": "whatsapp_business_account"}',
    b'{"object": "whatsapp_business_account", "entry": {"changes": []}}',
    b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": []}]}]}',
    b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": 7, "value": {}}]}]}',
], ids=["not-json", "not-utf8", "a-list", "a-string", "nested-deep", "another-object", "no-entry", "entry-not-a-list",
        "value-not-an-object", "field-not-a-string"])
def test_bodies_not_in_metas_shape_get_400(phone: CloudPhone, body: bytes) -> None:
    response = signed_post(phone, body)
    assert response.status_code == 400 and "Traceback" not in response.text


@pytest.mark.parametrize("change", [
    {"from": 6281234567890}, {"from": "+6281234567890"}, {"from": "62812345678901234"}, {"id": ["wamid"]},
    {"id": "wamid." + "A" * 200}, {"type": None}, {"text": "halo"}, {"text": {"body": 5}},
    {"type": "interactive", "interactive": {"type": "button_reply", "button_reply": {"id": 1}}},
    {"type": "image", "image": "photo"}, {"type": "location", "location": [1, 2]},
], ids=["from-a-number", "from-with-plus", "from-too-long", "id-a-list", "id-too-long", "type-null", "text-a-string",
        "body-a-number", "press-id-a-number", "image-a-string", "location-a-list"])
def test_messages_with_fields_of_the_wrong_type_get_400(phone: CloudPhone, fake_cloud: FakeCloudApi,
                                                        change: dict[str, Any]) -> None:
    malformed = text("halo") | change
    response = phone.post(notification(fake_cloud.phone_number_id, [text("halo"), malformed]))
    assert response.status_code == 400
    assert fake_cloud.requests == []  # nothing of the notification was answered


@pytest.mark.parametrize("report", [
    {"id": "wamid.x", "status": "delivered", "recipient_id": 62812},
    {"id": "wamid.x", "status": "DELIVERED!", "recipient_id": "6281234567890"},
    {"id": "wamid.x", "status": "failed", "recipient_id": "6281234567890", "errors": [{"code": "131026"}]},
    {"id": "wamid.x", "status": "failed", "recipient_id": "6281234567890", "errors": {"code": 131026}},
], ids=["recipient-a-number", "status-not-a-word", "code-a-string", "errors-not-a-list"])
def test_statuses_with_fields_of_the_wrong_type_get_400(phone: CloudPhone, report: dict[str, Any]) -> None:
    assert phone.notify(statuses=[report]).status_code == 400


def test_a_body_too_large_for_a_notification_gets_413(phone: CloudPhone) -> None:
    body = b'{"object": "whatsapp_business_account", "padding": "' + b"x" * 2_000_000 + b'"}'
    assert signed_post(phone, body).status_code == 413


# -- delivery statuses and the outbox ------------------------------------------------------------------------


@pytest.mark.parametrize(("statuses", "becomes", "blocked"), [
    (["sent", "delivered"], ("delivered", None), False), (["delivered", "read"], ("delivered", None), False),
    (["failed"], ("failed", "failed 131049"), False), (["delivered", "failed"], ("failed", "failed 131049"), False),
    (["failed", "delivered"], ("failed", "failed 131049"), False),
    (["failed/131026"], ("failed", "failed 131026"), True),
], ids=["delivered", "read", "failed", "failed-after-delivered", "failure-not-undone", "undeliverable"])
def test_statuses_move_outbox_rows_as_twilios_do(phone: CloudPhone, database: Database, statuses: list[str],
                                                 becomes: tuple[str, str | None], blocked: bool) -> None:
    message_id = wamid()
    row = sent_row(database, message_id, CLOUD_API, template=True)
    for state in statuses:
        state, _, code = state.partition("/")
        error_code = int(code or 131049) if state == "failed" else None
        assert phone.notify(statuses=[status(message_id, state, error_code=error_code)]).status_code == 200
    assert outbox_row(database, row) == becomes
    assert chat_blocked(database) is blocked
    with Session(database.engine) as session:
        kept = session.scalars(select(DeliveryStatus.status).order_by(DeliveryStatus.id)).all()
    assert kept == [state.partition("/")[0] for state in statuses]


# -- the outbox's way out: the Graph API -------------------------------------------------------------------


@pytest.fixture
async def sender(sqlite_database: Database, fake_cloud: FakeCloudApi) -> AsyncIterator[CloudSender]:
    """The worker's sender, made in the loop as its aiohttp session needs, and closed after."""
    sender = CloudSender(cloud_settings(sqlite_database, fake_cloud), Pacer(80), Clock(START))
    yield sender
    await sender.close()


def row_heard(ago: timedelta | None) -> Outgoing:
    """An outbox row to SENDER, who last wrote `ago` before START (never, with None)."""
    return Outgoing(id=1, channel="whatsapp", address=SENDER, text="Pelatihan QRIS\n\nhari Selasa.", attempts=1,
                    kind="seat", language="id", heard_at=None if ago is None else START - ago)


async def test_inside_the_24_hours_free_text_goes(sender: CloudSender, fake_cloud: FakeCloudApi) -> None:
    outcome = await sender.send(row_heard(timedelta(hours=1)), "Pelatihan QRIS\n\nhari Selasa.")
    [sent] = fake_cloud.sent(SENDER)
    assert (outcome.verdict, outcome.detail, outcome.template) == (Verdict.SENT, sent.id, False)
    assert sent.id.startswith("wamid.") and sent.to == "6281234567890"
    assert sent.payload["text"]["body"] == "Pelatihan QRIS\n\nhari Selasa."


@pytest.mark.parametrize("closed_by", ["our-clock", "metas-clock"])
async def test_outside_the_24_hours_the_template_carries_the_text_on_one_line(
        sender: CloudSender, fake_cloud: FakeCloudApi, closed_by: str) -> None:
    if closed_by == "metas-clock":
        fake_cloud.close_window(SENDER)
    heard = timedelta(days=2) if closed_by == "our-clock" else timedelta(hours=23)
    outcome = await sender.send(row_heard(heard), "Pelatihan QRIS\n\nhari Selasa.\tDaftar:     sekarang")
    [sent] = fake_cloud.sent(SENDER)
    assert (outcome.verdict, outcome.detail, outcome.template) == (Verdict.SENT, sent.id, True)
    template = sent.payload["template"]
    assert (template["name"], template["language"]["code"]) == DEFAULT_TEMPLATE
    assert template["components"][0]["parameters"] == [
        {"type": "text", "text": "Pelatihan QRIS hari Selasa. Daftar: sekarang"}]


async def test_outside_the_24_hours_without_a_template_the_row_fails(sqlite_database: Database,
                                                                      fake_cloud: FakeCloudApi) -> None:
    sender = CloudSender(cloud_settings(sqlite_database, fake_cloud, whatsapp_cloud_template_name=""), Pacer(80),
                         Clock(START))
    try:
        assert await sender.send(row_heard(None), "Halo") == Outcome(Verdict.FAILED, NO_TEMPLATE)
        fake_cloud.close_window(SENDER)
        outcome = await sender.send(row_heard(timedelta(hours=1)), "Halo")
    finally:
        await sender.close()
    assert (outcome.verdict, outcome.detail) == (Verdict.FAILED, "Cloud API 400 error 131047")
    assert fake_cloud.messages == []


async def test_a_number_not_on_whatsapp_is_unreachable(sender: CloudSender, fake_cloud: FakeCloudApi) -> None:
    fake_cloud.not_on_whatsapp(SENDER)
    outcome = await sender.send(row_heard(timedelta(hours=1)), "Halo")
    assert (outcome.verdict, outcome.detail) == (Verdict.UNREACHABLE, "Cloud API 400 error 131026")


async def test_the_rate_limit_slows_the_sender_down(sender: CloudSender, fake_cloud: FakeCloudApi) -> None:
    fake_cloud.rate_limit_next(1)
    outcome = await sender.send(row_heard(timedelta(hours=1)), "Halo")
    assert (outcome.verdict, outcome.detail) == (Verdict.SLOW_DOWN, "Cloud API 400 error 130429")
    assert (await sender.send(row_heard(timedelta(hours=1)), "Halo")).verdict == Verdict.SENT


async def test_a_wrong_token_is_tried_again_later(sqlite_database: Database, fake_cloud: FakeCloudApi) -> None:
    sender = CloudSender(cloud_settings(sqlite_database, fake_cloud, whatsapp_cloud_access_token="expired"),
                         Pacer(80), Clock(START))
    try:
        outcome = await sender.send(row_heard(timedelta(hours=1)), "Halo")
    finally:
        await sender.close()
    assert (outcome.verdict, outcome.detail) == (Verdict.RETRY, "Cloud API 401 error 190")


async def test_a_graph_api_that_cannot_be_reached_is_tried_again(sqlite_database: Database,
                                                                 fake_cloud: FakeCloudApi) -> None:
    sender = CloudSender(cloud_settings(sqlite_database, fake_cloud,
                                        whatsapp_cloud_api_base_url="http://127.0.0.1:9/v23.0"), Pacer(80),
                         Clock(START))
    try:
        outcome = await sender.send(row_heard(timedelta(hours=1)), "Halo")
    finally:
        await sender.close()
    assert outcome.verdict == Verdict.RETRY and outcome.detail.startswith("Client")


async def test_the_worker_sends_through_the_cloud_api_when_it_is_the_provider(sqlite_database: Database,
                                                                              fake_cloud: FakeCloudApi) -> None:
    with sqlite_database.transaction(START) as registry:
        registry.save_conversation(registry.open_conversation("whatsapp", SENDER))
        registry.outbox.queue("seat", None, "whatsapp", SENDER, "Kursi untuk Anda.")
    courier = Courier.for_settings(CHANNELS, cloud_settings(sqlite_database, fake_cloud), sqlite_database,
                                   Clock(START))
    try:
        assert isinstance(courier.senders["whatsapp"], CloudSender)
        assert await courier.send_due(asyncio.Event()) == Counter(sent=1)
    finally:
        await courier.close()
    [sent] = fake_cloud.sent(SENDER)
    with sqlite_database.engine.connect() as connection:
        row = connection.execute(select(OutboxMessage.status, OutboxMessage.provider_message_id,
                                        OutboxMessage.provider, OutboxMessage.template)).one()
    assert (row.status, row.provider_message_id, row.provider, row.template) == ("sent", sent.id, CLOUD_API,
                                                                                 sent.type == "template")


@pytest.mark.parametrize(("status", "code", "verdict"), [
    (400, 130429, Verdict.SLOW_DOWN), (400, 131056, Verdict.SLOW_DOWN), (400, 80007, Verdict.SLOW_DOWN),
    (400, 4, Verdict.SLOW_DOWN), (429, None, Verdict.SLOW_DOWN), (400, 131026, Verdict.UNREACHABLE),
    (400, 131050, Verdict.UNREACHABLE), (400, 131047, Verdict.FAILED), (400, 131009, Verdict.FAILED),
    (404, 132001, Verdict.FAILED), (400, 100, Verdict.FAILED), (500, 131000, Verdict.RETRY),
    (503, 131016, Verdict.RETRY), (401, 190, Verdict.RETRY), (502, None, Verdict.RETRY),
])
def test_metas_refusals_are_classified(status: int, code: int | None, verdict: Verdict) -> None:
    assert cloud_outcome(status, code).verdict == verdict


# -- the fake answers as Meta does ----------------------------------------------------------------------------


@pytest.mark.parametrize(("content", "code"), [
    ({"type": "interactive", "interactive": {"type": "button", "body": {"text": "Pilih"}, "action": {"buttons": [
        {"type": "reply", "reply": {"id": str(n), "title": f"Pilihan {n}"}} for n in range(4)]}}}, 131009),
    ({"type": "interactive", "interactive": {"type": "button", "body": {"text": "Pilih"}, "action": {"buttons": [
        {"type": "reply", "reply": {"id": "1", "title": "Judul yang terlalu panjang"}}]}}}, 131009),
    ({"type": "interactive", "interactive": {"type": "button", "body": {"text": "Pilih"}, "action": {"buttons": [
        {"type": "reply", "reply": {"id": str(n), "title": "Ya"}} for n in range(2)]}}}, 131009),
    ({"type": "interactive", "interactive": {"type": "list", "body": {"text": "Pilih"}, "action": {
        "button": "Pilih", "sections": [{"rows": [{"id": str(n), "title": f"Baris {n}"} for n in range(11)]}]}}},
     131009),
    ({"type": "interactive", "interactive": {"type": "list", "body": {"text": "Pilih"}, "action": {
        "button": "Pilih", "sections": [{"rows": [{"id": "1", "title": "Baris", "description": "x" * 73}]}]}}},
     131009),
    ({"type": "interactive", "interactive": {"type": "button", "body": {"text": "x" * 1025}, "action": {"buttons": [
        {"type": "reply", "reply": {"id": "1", "title": "Ya"}}]}}}, 131009),
    ({"type": "template", "template": {"name": "unknown", "language": {"code": "id"}}}, 132001),
    ({"type": "template", "template": {"name": DEFAULT_TEMPLATE[0], "language": {"code": DEFAULT_TEMPLATE[1]},
                                       "components": [{"type": "body", "parameters": [
                                           {"type": "text", "text": "dua\nbaris"}]}]}}, 132018),
    ({"type": "text", "text": {"body": "x" * 4097}}, 131009),
    ({"type": "sticker", "sticker": {"id": "1"}}, 100),
], ids=["four-buttons", "long-button-title", "same-titles", "eleven-rows", "long-description", "long-body",
        "unknown-template", "newline-in-parameter", "long-text", "unsupported-type"])
async def test_the_fake_refuses_what_meta_refuses(fake_cloud: FakeCloudApi, content: dict[str, Any],
                                                  code: int) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{fake_cloud.base_url}/{fake_cloud.phone_number_id}/messages", json={
            "messaging_product": "whatsapp", "to": "6281234567890", **content},
            headers={"Authorization": f"Bearer {fake_cloud.access_token}"})
    error = response.json()["error"]
    assert (response.status_code >= 400, error["code"]) == (True, code)
    assert error["message"].startswith(f"(#{code})") and error["fbtrace_id"] and error["type"]
    assert fake_cloud.messages == []
