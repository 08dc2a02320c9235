"""WhatsApp through Twilio: signed webhooks in, TwiML out, forgeries refused, retries answered once."""

import json
import xml.etree.ElementTree as ElementTree
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from whatsapp_rows import chat_blocked, outbox_row, sent_row

from bot.app import create_app
from bot.delivery import Pacer, Verdict
from bot.settings import Settings
from bot.whatsapp import WhatsAppSender, twilio_outcome
from fake_twilio import FakeTwilio
from server import Server
from store.db import Database
from store.models import Conversation, DeliveryStatus, TwilioContent
from store.outbox import Outgoing
from transcript import START, Clock, check
from whatsapp_phone import PUBLIC, SENDER, WhatsAppPhone, whatsapp_settings

TRANSCRIPTS = Path(__file__).parent / "transcripts"
@pytest.fixture
def whatsapp(database: Database) -> Iterator[WhatsAppPhone]:
    settings = whatsapp_settings(database)
    with Server(create_app(settings, database, clock=Clock(START))) as server, httpx.Client(base_url=server.base_url) as client:
        yield WhatsAppPhone(client, settings)


def test_a_whole_registration_over_whatsapp_confirms_the_senders_number(whatsapp: WhatsAppPhone) -> None:
    check(TRANSCRIPTS / "registration_happy_path.txt", whatsapp.say)


def test_a_request_signed_for_the_public_address_validates_behind_a_tls_proxy(whatsapp: WhatsAppPhone) -> None:
    # The request reaches the server as http://127.0.0.1:…; Twilio signed https://tabe.example.id/….
    assert whatsapp.client.base_url.scheme == "http"
    assert whatsapp.say("halo")


@pytest.mark.parametrize("path", ["/whatsapp/webhook", "/whatsapp/status"])
def test_forged_and_unsigned_requests_are_refused(whatsapp: WhatsAppPhone, path: str) -> None:
    fields = whatsapp.message("halo") | {"MessageStatus": "delivered"}
    unsigned = whatsapp.client.post(path, data=fields)
    forged = whatsapp.client.post(path, data=fields, headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"})
    signed_for_elsewhere = whatsapp.post(path, fields, signed_url="https://evil.example.com" + path)
    tampered = whatsapp.client.post(path, data=fields | {"Body": "hapus data saya"}, headers={
        "X-Twilio-Signature": whatsapp.validator.compute_signature(PUBLIC + path, fields)})
    assert [r.status_code for r in (unsigned, forged, signed_for_elsewhere, tampered)] == [403, 403, 403, 403]


def test_a_forged_request_is_refused_before_its_fields_are_judged(whatsapp: WhatsAppPhone) -> None:
    fields = whatsapp.message("halo", ProfileName="x" * 5000)
    assert whatsapp.client.post("/whatsapp/webhook", data=fields,
                                headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}).status_code == 403
    assert whatsapp.post("/whatsapp/webhook", fields).status_code == 400  # signed, but no profile name is that long


def test_a_webhook_address_with_a_query_string_validates(database: Database) -> None:
    settings = whatsapp_settings(database)
    with Server(create_app(settings, database, clock=Clock(START))) as server, httpx.Client(base_url=server.base_url) as client:
        phone = WhatsAppPhone(client, settings)
        fields = phone.message("halo")
        signature = phone.validator.compute_signature(PUBLIC + "/whatsapp/webhook?source=twilio", fields)
        response = client.post("/whatsapp/webhook?source=twilio", data=fields,
                               headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200 and "Selamat datang" in response.text


def test_a_status_callback_that_cannot_be_recorded_is_asked_again(whatsapp: WhatsAppPhone, database: Database,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def registry_down(*_args: object) -> None:
        raise OperationalError("INSERT", {}, Exception("the registry is down"))

    monkeypatch.setattr(Database, "transaction", registry_down)
    fields = {"MessageSid": "SM" + "b" * 32, "MessageStatus": "delivered", "AccountSid": "AC" + "0" * 32}
    assert whatsapp.post("/whatsapp/status", fields).status_code == 503


def test_malformed_requests_get_400(whatsapp: WhatsAppPhone) -> None:
    signature = {"X-Twilio-Signature": "c2lnbmVk"}
    not_a_form = whatsapp.client.post("/whatsapp/webhook", content=b'{"Body": "halo"}',
                                      headers=signature | {"content-type": "application/json"})
    no_sid = whatsapp.post("/whatsapp/webhook", {k: v for k, v in whatsapp.message("halo").items() if k != "MessageSid"})
    not_whatsapp = whatsapp.post("/whatsapp/webhook", whatsapp.message("halo") | {"From": "+6281234567890"})
    no_status = whatsapp.post("/whatsapp/status", {"MessageSid": "SM" + "1" * 32})
    assert [r.status_code for r in (not_a_form, no_sid, not_whatsapp, no_status)] == [400, 400, 400, 400]


def test_a_retried_message_is_answered_once_and_changes_nothing_twice(whatsapp: WhatsAppPhone,
                                                                    database: Database) -> None:
    whatsapp.say("halo")
    register = whatsapp.message("1")  # at the menu, "1" registers; at the consent question, it agrees
    assert "Apakah Anda setuju?" in whatsapp.send(register)[-1]
    assert whatsapp.send(register) == []  # Twilio retried: no second answer
    with Session(database.engine) as session:
        conversation = session.scalars(select(Conversation)).one()
    assert (conversation.flow, conversation.step) == ("registration", "consent")


@pytest.mark.parametrize(("extra", "words"), [
    ({"NumMedia": "1", "MediaContentType0": "audio/ogg", "MediaUrl0": "https://api.twilio.com/media/1"},
     "pesan suara"),
    ({"NumMedia": "1", "MediaContentType0": "image/webp", "MediaUrl0": "https://api.twilio.com/media/2"}, "Stiker"),
    ({"NumMedia": "1", "MediaContentType0": "image/jpeg", "MediaUrl0": "https://api.twilio.com/media/3"},
     "hanya bisa membaca pesan teks"),
    ({"Latitude": "-2.2136", "Longitude": "113.9108"}, "lokasi"),
], ids=["voice", "sticker", "photo", "location"])
def test_what_is_not_text_gets_a_kind_word_and_the_question_again(whatsapp: WhatsAppPhone, extra: dict[str, str],
                                                                  words: str) -> None:
    answers = whatsapp.send(whatsapp.message("", **extra))
    assert words in answers[0]
    assert "Menu utama" in answers[-1]


def test_status_callbacks_are_recorded(whatsapp: WhatsAppPhone, database: Database) -> None:
    for status, error in (("sent", None), ("delivered", None), ("failed", "63016")):
        fields = {"MessageSid": "SM" + "a" * 32, "MessageStatus": status, "AccountSid": "AC" + "0" * 32,
                  "To": SENDER, "From": "whatsapp:+14155238886", **({"ErrorCode": error} if error else {})}
        assert whatsapp.post("/whatsapp/status", fields).status_code == 204
    with Session(database.engine) as session:
        rows = session.scalars(select(DeliveryStatus).order_by(DeliveryStatus.id)).all()
    assert [(row.provider_message_id, row.status, row.error_code) for row in rows] == [
        ("SM" + "a" * 32, "sent", None), ("SM" + "a" * 32, "delivered", None), ("SM" + "a" * 32, "failed", "63016")]


def test_without_credentials_whatsapp_is_off(sqlite_database: Database) -> None:
    with Server(create_app(Settings(database_url=sqlite_database.url), sqlite_database, clock=Clock(START))) as server:
        assert httpx.post(server.base_url + "/whatsapp/webhook", data={"Body": "halo"}).status_code == 404


# -- the outbox's way out: Twilio's REST API ---------------------------------------------------------


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio(account_sid="AC" + "0" * 32, auth_token="secret-token") as fake:
        yield fake


@pytest.fixture
async def sender(sqlite_database: Database, fake_twilio: FakeTwilio) -> AsyncIterator[WhatsAppSender]:
    """The worker's sender, made in the loop as its aiohttp session needs, and closed after."""
    sender = WhatsAppSender(whatsapp_settings(sqlite_database, twilio_api_base_url=fake_twilio.base_url), Pacer(10),
                            Clock())
    yield sender
    await sender.close()


def written_now(text: str) -> Outgoing:
    """An outbox row to SENDER, who wrote a moment ago: inside WhatsApp's 24 hours."""
    return Outgoing(id=1, channel="whatsapp", address=SENDER, text=text, attempts=1, kind="seat", language="id",
                    heard_at=START)


async def test_messages_nobody_waits_for_go_through_the_rest_api(sender: WhatsAppSender,
                                                                fake_twilio: FakeTwilio) -> None:
    outcome = await sender.send(written_now("Pelatihan QRIS hari Selasa."), "Pelatihan QRIS hari Selasa.")
    [message] = fake_twilio.messages
    assert (outcome.verdict, outcome.detail) == (Verdict.SENT, message.sid) and message.sid.startswith("SM")
    assert (message.to, message.from_, message.body) == (SENDER, "whatsapp:+14155238886", "Pelatihan QRIS hari Selasa.")
    assert message.status_callback == PUBLIC + "/whatsapp/status"


async def test_a_number_not_on_whatsapp_is_unreachable(sender: WhatsAppSender, fake_twilio: FakeTwilio) -> None:
    fake_twilio.not_on_whatsapp(SENDER)
    outcome = await sender.send(written_now("Halo"), "Halo")
    assert (outcome.verdict, outcome.detail) == (Verdict.UNREACHABLE, "Twilio 400 error 63003")
    assert fake_twilio.messages == []


@pytest.mark.parametrize(("status", "code", "verdict"), [
    (429, 20429, Verdict.SLOW_DOWN), (400, 63003, Verdict.UNREACHABLE), (400, 21211, Verdict.UNREACHABLE),
    (400, 21610, Verdict.UNREACHABLE), (400, 21614, Verdict.UNREACHABLE), (400, 63024, Verdict.UNREACHABLE),
    (400, 21617, Verdict.FAILED), (500, 20500, Verdict.RETRY), (503, 20503, Verdict.RETRY),
    (401, 20003, Verdict.RETRY),
])
def test_twilio_refusals_are_classified(status: int, code: int, verdict: Verdict) -> None:
    assert twilio_outcome(status, code).verdict == verdict


# -- status callbacks and the outbox ----------------------------------------------------------------


def report(whatsapp: WhatsAppPhone, message_sid: str, status: str, error_code: str | None = None) -> int:
    fields = {"MessageSid": message_sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32, "To": SENDER,
              "From": "whatsapp:+14155238886", "ChannelPrefix": "whatsapp", **({"ErrorCode": error_code} if error_code else {})}
    return whatsapp.post("/whatsapp/status", fields).status_code


@pytest.mark.parametrize(("statuses", "becomes"), [
    (["sent", "delivered"], ("delivered", None)), (["delivered", "read"], ("delivered", None)),
    (["failed"], ("failed", "failed 63016")), (["undelivered"], ("failed", "undelivered 63016")),
    (["delivered", "failed"], ("failed", "failed 63016")), (["failed", "delivered"], ("failed", "failed 63016")),
], ids=["delivered", "read", "failed", "undelivered", "failed-after-delivered", "failure-not-undone"])
def test_a_status_callback_updates_its_outbox_row(whatsapp: WhatsAppPhone, database: Database,
                                                  statuses: list[str], becomes: tuple[str, str | None]) -> None:
    message_id = sent_row(database, "SM" + "c" * 32)
    for status in statuses:
        assert report(whatsapp, "SM" + "c" * 32, status, "63016" if status in ("failed", "undelivered") else None) \
            == 204
    assert outbox_row(database, message_id) == becomes
    assert not chat_blocked(database)  # 63016, outside the 24 hours, says nothing about the number


def test_a_status_that_comes_before_the_worker_records_the_send_counts_when_it_does(whatsapp: WhatsAppPhone,
                                                                                   database: Database) -> None:
    message_id = sent_row(database, None)  # Twilio took it and called back; the worker has not committed yet
    assert report(whatsapp, "SM" + "d" * 32, "delivered") == 204
    assert outbox_row(database, message_id) == ("sending", None)
    with database.transaction() as registry:
        registry.outbox.sent([(message_id, "whatsapp", "SM" + "d" * 32, "twilio", False)])
    assert outbox_row(database, message_id) == ("delivered", None)


@pytest.mark.parametrize("code", ["63003", "63024", "21610"])
def test_a_failure_saying_the_number_cannot_be_reached_marks_the_chat(whatsapp: WhatsAppPhone, database: Database,
                                                                      code: str) -> None:
    message_id = sent_row(database, "SM" + "e" * 32)
    assert report(whatsapp, "SM" + "e" * 32, "undelivered", code) == 204
    assert outbox_row(database, message_id) == ("failed", f"undelivered {code}")
    assert chat_blocked(database)


# -- replies with buttons and lists: Content resources through Twilio's Content API ---------------------------

WHATSAPP_TRANSCRIPTS = sorted((TRANSCRIPTS / "whatsapp").glob("*.txt"))


@pytest.fixture
def buttons(database: Database, fake_twilio: FakeTwilio) -> Iterator[WhatsAppPhone]:
    """An owner's WhatsApp whose replies with choices come as Twilio's quick replies and list pickers."""
    settings = whatsapp_settings(database, fake_twilio)
    with Server(create_app(settings, database, clock=Clock(START))) as server, httpx.Client(base_url=server.base_url) as client:
        yield WhatsAppPhone(client, settings, fake=fake_twilio)


@pytest.mark.parametrize("path", WHATSAPP_TRANSCRIPTS, ids=[path.stem for path in WHATSAPP_TRANSCRIPTS])
def test_whatsapp_transcripts_with_buttons_and_lists(buttons: WhatsAppPhone, path: Path) -> None:
    check(path, buttons.say)


def test_the_typed_transcript_reads_the_same_with_buttons(buttons: WhatsAppPhone) -> None:
    # Typed numbers and names answer as ever; the numbered lines of a choice of three became buttons.
    buttons.say("halo")
    assert "Apakah Anda setuju?\n[Ya, saya setuju]\n[Tidak]" in buttons.say("1")
    assert "Pertanyaan 1 dari 13" in buttons.say("Ya, saya setuju")


def test_each_distinct_screen_is_made_once_and_kept_in_the_registry(buttons: WhatsAppPhone, fake_twilio: FakeTwilio,
                                                                     database: Database) -> None:
    for says in ("halo", "bantuan", "menu", "halo"):
        buttons.say(says)
    second = WhatsAppPhone(buttons.client, whatsapp_settings(database, fake_twilio), "whatsapp:+6281399990000",
                           fake=fake_twilio)
    second.say("halo")
    menus = [message for message in fake_twilio.messages if message.content_sid]
    assert len({message.content_sid for message in menus}) == len(fake_twilio.contents)
    with Session(database.engine) as session:
        kept = session.scalars(select(TwilioContent)).all()
    assert sorted(content.content_sid for content in kept) == sorted(fake_twilio.contents)
    menu = next(content for content in fake_twilio.contents.values()
                if "Daftarkan usaha saya" in json.dumps(content["types"]))
    assert menu["types"]["twilio/quick-reply"]["body"] == "{{1}}"  # the screen's words go as its variable
    assert menu["language"] == "id"


def test_a_screen_that_cannot_be_made_goes_as_numbered_text_and_is_made_next_time(
        buttons: WhatsAppPhone, fake_twilio: FakeTwilio, caplog: pytest.LogCaptureFixture) -> None:
    fake_twilio.fail_contents(1)
    first = buttons.say("halo")
    assert "1. Daftarkan usaha saya" in first and "Balas 1, 2, atau 3." in first
    assert "Twilio 500 error 20500" in caplog.text and "Daftarkan" not in caplog.text and "6281234567890" not in caplog.text
    assert "[Daftarkan usaha saya]" in buttons.say("menu")


def test_a_reply_the_rest_api_refuses_comes_back_in_the_twiml(buttons: WhatsAppPhone, fake_twilio: FakeTwilio) -> None:
    fake_twilio.rate_limit_next(5)
    fields = buttons.message("halo")
    response = buttons.post("/whatsapp/webhook", fields)
    texts = [message.text or "" for message in ElementTree.fromstring(response.text).iter("Message")]
    assert texts[0].startswith("Halo! Selamat datang") and "1. Daftarkan usaha saya" in texts[-1]


def test_a_press_is_read_by_its_id_whatever_its_words(buttons: WhatsAppPhone, fake_twilio: FakeTwilio) -> None:
    buttons.say("halo")
    register = buttons.screens[-1][0]
    answer = buttons.send(buttons.message("Tidak", ButtonPayload=register.id, ButtonText="Tidak"))
    assert "Apakah Anda setuju?" in answer[-1]
    forged_id = buttons.send(buttons.message("1", ButtonPayload="0123456789ab.1", ButtonText="Ya"))
    assert forged_id[0] == "Tombol itu milik pesan sebelumnya." and "Apakah Anda setuju?" in forged_id[-1]
    # A template's own button (its payload none of our ids) is read by its words, as before.
    template_button = buttons.send(buttons.message("", ButtonPayload="ANNOUNCEMENT_STOP", ButtonText="Ya, saya setuju"))
    assert "Pertanyaan 1 dari 13" in template_button[-1]
