"""Hostile requests at every door, by whole classes, through real servers on loopback.

Whatever arrives, a malformed request gets 400 (413 when it is too large to read), a signed or secret-checked
one from an owner gets a kind answer, and nothing gets a 500, a 503 or an apology: any JSON in any field of a
Telegram update, any text in any field of what Twilio signs, any browser body, bodies too large to read, and
texts longer than a channel allows.
"""

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import telegram_updates as tg
from bot.app import create_app
from bot.bodies import LARGEST_BODY
from bot.browser import COOKIE
from bot.settings import Settings
from fake_telegram import FakeTelegram
from flows.i18n import Text
from flows.messages import LONGEST_TEXT, SORRY
from hostile_input import JSON_VALUES, NUMBER_SIGNS
from server import Server
from store.db import Database
from telegram_user import SECRET, TelegramUser
from transcript import Clock
from whatsapp_phone import SENDER, WhatsAppPhone, whatsapp_settings

CHAT = 123456789
APOLOGY = Text()(SORRY)
TOLD_TOO_LONG = "Pesan itu terlalu panjang"  # locales/id: "That message is too long for me. Please answer briefly."
NIK = "6202054107900001"
# Server tests are a few dozen requests each: enough to meet each class, few enough to stay quick.
A_FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@dataclass
class Doors:
    """One server with every channel on: an owner's Telegram and WhatsApp, and the browser chat's endpoint."""

    telegram: TelegramUser
    whatsapp: WhatsAppPhone
    browser: httpx.Client  # with the page's cookie, which names the browser's chat
    settings: Settings

    def browse(self, body: object) -> httpx.Response:
        return self.browser.post("/chat/messages", json=body)


@pytest.fixture
def doors(database: Database, fake_telegram: FakeTelegram) -> Iterator[Doors]:
    settings = whatsapp_settings(database, telegram_bot_token=fake_telegram.token, telegram_webhook_secret=SECRET,
                                 telegram_api_base_url=fake_telegram.origin)
    with Server(create_app(settings, database, clock=Clock())) as server, httpx.Client(base_url=server.base_url) as client:
        # The cookie is marked secure, as PUBLIC_BASE_URL is https: over the test's plain http it is handed on by hand.
        chat = client.get("/").cookies[COOKIE]
        with httpx.Client(base_url=server.base_url, cookies={COOKIE: chat}) as browser:
            yield Doors(TelegramUser(client, fake_telegram, CHAT), WhatsAppPhone(client, settings), browser, settings)


# -- bodies too large to read, at every door ------------------------------------------------------

REQUESTS = {  # each door's path and the headers that let a body be read at all
    "telegram": ("/telegram/webhook", {"X-Telegram-Bot-Api-Secret-Token": SECRET, "content-type": "application/json"}),
    "whatsapp": ("/whatsapp/webhook", {"X-Twilio-Signature": "c2lnbmVk",
                                       "content-type": "application/x-www-form-urlencoded"}),
    "browser": ("/chat/messages", {"content-type": "application/json"}),
}
CHUNK = 64 * 1024


@pytest.mark.parametrize("door", REQUESTS)
def test_a_body_bigger_than_any_message_is_refused_unread(doors: Doors, door: str) -> None:
    path, headers = REQUESTS[door]
    declared = doors.browser.post(path, content=b"x" * (LARGEST_BODY + 1), headers=headers)
    # Without a Content-Length the server counts what arrives: read whole, this would be merely malformed (400).
    streamed = doors.browser.post(path, content=(b"x" * CHUNK for _ in range(64 * LARGEST_BODY // CHUNK)),
                                  headers=headers)
    assert (declared.status_code, streamed.status_code) == (413, 413)


# -- Telegram ----------------------------------------------------------------------------------

UPDATES = [tg.text(CHAT, "halo"), tg.text(CHAT, "/start@tabe_test_bot brosur"), tg.contact(CHAT, "6281234567890"),
           tg.photo(CHAT, "Warung Bu Sari"), tg.sticker(CHAT), tg.location(CHAT), tg.voice(CHAT), tg.edited(CHAT, "x"),
           tg.button_press(CHAT), tg.membership(CHAT, "kicked"), tg.group_text(CHAT, "halo")]
LEFT_OUT = object()  # the field is not there at all


def _fields(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """The path of every field in an update, nested ones and list items included."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, inner in items:
        yield (*path, key)
        yield from _fields(inner, (*path, key))


FIELDS = [(update, path) for update in UPDATES for path in _fields(update)]


def _with(update: dict[str, Any], path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    changed = copy.deepcopy(update)
    parent = changed
    for key in path[:-1]:
        parent = parent[key]
    if value is LEFT_OUT:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return changed


@A_FEW
@given(field=st.sampled_from(FIELDS), value=st.one_of(st.just(LEFT_OUT), JSON_VALUES))
@example(field=(UPDATES[0], ("message", "text")), value=5)
@example(field=(UPDATES[0], ("message", "text")), value=["halo"])
@example(field=(UPDATES[0], ("message", "text")), value={"halo": 1})
@example(field=(UPDATES[0], ("message", "chat", "id")), value="123456789")
@example(field=(UPDATES[0], ("message", "chat", "id")), value=1.5)
@example(field=(UPDATES[0], ("message", "chat", "id")), value=True)
@example(field=(UPDATES[0], ("update_id",)), value=2**64)
@example(field=(UPDATES[1], ("message", "entities", 0, "length")), value="6")
@example(field=(UPDATES[2], ("message", "contact", "phone_number")), value="99912345678")  # no country has 999
def test_any_json_in_any_field_of_an_update_gets_200_or_400_and_no_apology(
        doors: Doors, field: tuple[dict[str, Any], tuple[str | int, ...]], value: object) -> None:
    update, path = field
    before = len(doors.telegram.fake.calls_to("sendMessage"))
    response = doors.telegram.post(json.dumps(_with(update, path, value)).encode())
    assert response.status_code in (200, 400), response.text
    sent = [str(call.params.get("text")) for call in doors.telegram.fake.calls_to("sendMessage")[before:]]
    assert not any(APOLOGY in text for text in [response.text, *sent])


def test_a_text_longer_than_telegram_allows_is_told_so(doors: Doors) -> None:
    answer = doors.telegram.say("panjang " * (LONGEST_TEXT // 8 + 1))
    assert TOLD_TOO_LONG in answer and "Menu utama" in answer


# -- WhatsApp ----------------------------------------------------------------------------------

SENDERS = st.one_of(st.text(max_size=30), st.text(max_size=20).map(lambda text: "whatsapp:" + text),
                    st.from_regex(r"whatsapp:\+[0-9]{0,17}", fullmatch=True))


@A_FEW
@given(sender=SENDERS)
@example(sender="whatsapp:abc")
@example(sender="whatsapp:+abc")
@example(sender="whatsapp:+1")
@example(sender="whatsapp:+❶")
def test_any_signed_sender_gets_answers_or_400_up_to_the_phone_question(doors: Doors, sender: str) -> None:
    responses = [doors.whatsapp.post("/whatsapp/webhook", doors.whatsapp.message(text) | {"From": sender})
                 for text in ("daftar", "ya", "Budi Santoso", NIK)]
    assert {response.status_code for response in responses} in ({200}, {400})
    assert not any(APOLOGY in response.text for response in responses)


@pytest.mark.parametrize("sender", ["whatsapp:+1", "whatsapp:+0", "whatsapp:+000000000000000", "whatsapp:+99912345678",
                                    "whatsapp:+6281"])
def test_a_sender_whose_number_is_no_phone_is_asked_it_and_never_stuck(doors: Doors, sender: str) -> None:
    owner = WhatsAppPhone(doors.whatsapp.client, doors.settings, sender)
    for says in ("daftar", "ya", "Budi Santoso"):
        owner.say(says)
    assert "Berapa nomor HP usaha Anda?" in owner.say(NIK)  # not vouched for: asked, as anyone is
    assert "Pertanyaan 4 dari 13" in owner.say("0812-3456-7890")


TEXTS = st.one_of(st.text(max_size=40), st.text(alphabet=st.sampled_from(NUMBER_SIGNS), min_size=1, max_size=6))


@A_FEW
@given(field=st.sampled_from(["MessageSid", "From", "To", "Body", "ButtonText", "NumMedia", "MediaContentType0",
                              "Latitude", "Longitude", "ProfileName", "WaId"]), value=TEXTS)
@example(field="MessageSid", value="SM\x00")
@example(field="NumMedia", value="❶")
def test_any_text_in_any_field_of_a_signed_message_gets_an_answer_or_400(doors: Doors, field: str, value: str) -> None:
    response = doors.whatsapp.post("/whatsapp/webhook", doors.whatsapp.message("halo") | {field: value})
    assert response.status_code in (200, 400) and APOLOGY not in response.text


@A_FEW
@given(field=st.sampled_from(["MessageSid", "MessageStatus", "ErrorCode", "To"]), value=TEXTS)
@example(field="ErrorCode", value="❶")
@example(field="ErrorCode", value="²")
@example(field="ErrorCode", value="٦٣٠١٤")  # 63014 in Arabic-Indic digits
@example(field="ErrorCode", value="\x00")
def test_any_text_in_any_field_of_a_status_callback_is_recorded_or_400(doors: Doors, field: str, value: str) -> None:
    fields = {"MessageSid": "SM" + "c" * 32, "MessageStatus": "failed", "AccountSid": "AC" + "0" * 32, "To": SENDER,
              "From": "whatsapp:+14155238886", "ErrorCode": "63016", field: value}
    status = doors.whatsapp.post("/whatsapp/status", fields).status_code
    assert status == 204 if field == "ErrorCode" else status in (204, 400)  # an unreadable code still tells the status


@pytest.mark.parametrize("length", [LONGEST_TEXT + 1, 60_000])
def test_a_message_longer_than_whatsapp_allows_is_told_so(doors: Doors, length: int) -> None:
    doors.whatsapp.say("daftar")
    answer = doors.whatsapp.say("😀" * length)
    assert TOLD_TOO_LONG in answer and "Apakah Anda setuju?" in answer


# -- the browser chat --------------------------------------------------------------------------

@A_FEW
@given(body=st.one_of(JSON_VALUES, st.fixed_dictionaries({"id": JSON_VALUES, "text": JSON_VALUES}),
                      st.fixed_dictionaries({"id": st.from_regex(r"[A-Za-z0-9_-]{1,48}", fullmatch=True),
                                             "text": st.text()})))
def test_any_json_body_gets_replies_or_400(doors: Doors, body: object) -> None:
    response = doors.browse(body)
    assert response.status_code in (200, 400), response.text
    assert APOLOGY not in response.text


@pytest.mark.parametrize("depth", [1000, 100_000])
@pytest.mark.parametrize(("opening", "closing"), [("[", "]"), ('{"id": ', "}")], ids=["lists", "objects"])
def test_a_body_nested_deeper_than_anyone_writes_gets_400(doors: Doors, depth: int, opening: str, closing: str) -> None:
    body = opening * depth + "1" + closing * depth
    response = doors.browser.post("/chat/messages", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400


@pytest.mark.parametrize("length", [LONGEST_TEXT + 1, 200_000])
def test_a_message_longer_than_the_browser_allows_is_told_so(doors: Doors, length: int) -> None:
    doors.browse({"id": "m1", "text": "daftar"})
    response = doors.browse({"id": "m2", "text": "x" * length})
    texts = [reply["text"] for reply in response.json()["replies"]]
    assert TOLD_TOO_LONG in texts[0] and "Apakah Anda setuju?" in texts[-1]
