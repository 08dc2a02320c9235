"""One owner across channels: recognised by a phone number a channel vouches for, and only so."""

import uuid

import pytest

from flows.conversation import Conversations
from flows.messages import CONTACT, IDENTITY, Inbound, Reply
from store.db import Database
from transcript import Chat, Clock

PHONE = "+6281234567890"
REGISTRATION = ["halo", "1", "ya", "Budi Santoso", "6202054107900001", "{phone}", "Warung Budi", "1", "Kotim",
                "Baamang", "Jl. Tjilik Riwut No. 5", "belum punya", "2019", "3", "15 juta", "2,5 jt", "ya"]


def _register(conversations: Conversations, chat: Chat, phone_answer: str) -> None:
    for text in REGISTRATION:
        answer = chat.say(text.format(phone=phone_answer))
    assert "UMKM-6202-000001" in answer


def _from_telegram(conversations: Conversations, text: str, verified_phone: str | None) -> str:
    inbound = Inbound("telegram", "555", uuid.uuid4().hex, text, verified_phone=verified_phone)
    return "\n".join(reply.text for reply in conversations.handle(inbound))


@pytest.mark.parametrize(("registered_from", "phone_answer", "shared", "recognised"), [
    (PHONE, "ya", PHONE, True),  # WhatsApp vouched for the number at registration; Telegram vouches now
    (PHONE, "ya", "+6281299998888", False),  # another verified number
    ("siti", "0812 3456 7890", PHONE, False),  # the number was only typed at registration: no proof it is theirs
    (PHONE, "ya", None, False),  # nothing vouched for now
], ids=["same-verified-phone", "other-phone", "typed-at-registration", "no-phone-now"])
def test_a_chat_is_linked_only_by_a_verified_phone_on_both_sides(database: Database, registered_from: str,
                                                                 phone_answer: str, shared: str | None,
                                                                 recognised: bool) -> None:
    conversations = Conversations(database, Clock())
    _register(conversations, Chat(conversations, registered_from), phone_answer)
    answer = _from_telegram(conversations, "data saya", shared)
    assert ("Selamat datang, Budi Santoso!" in answer) is recognised
    assert ("UMKM-6202-000001" in answer) is recognised


def test_a_linked_chat_is_greeted_once(database: Database) -> None:
    conversations = Conversations(database, Clock())
    _register(conversations, Chat(conversations, PHONE), "ya")
    assert "Selamat datang, Budi Santoso!" in _from_telegram(conversations, "halo", PHONE)
    assert "Selamat datang, Budi Santoso!" not in _from_telegram(conversations, "halo", PHONE)


def test_an_owner_who_starts_registering_again_on_another_channel_is_offered_to_share_their_number(
        database: Database) -> None:
    conversations = Conversations(database, Clock())
    _register(conversations, Chat(conversations, PHONE), "ya")

    def telegram(text: str, **extra: str) -> list[Reply]:
        return conversations.handle(Inbound("telegram", "555", uuid.uuid4().hex, text, **extra))

    for text in ["daftar", "ya", "Budi Santoso"]:
        telegram(text)
    [taken] = telegram("6202054107900001")
    assert "NIK ini sudah terdaftar" in taken.text and taken.expects == IDENTITY
    welcome, menu = telegram(PHONE, verified_phone=PHONE, attachment=CONTACT)
    assert "Selamat datang, Budi Santoso!" in welcome.text
    assert "Daftarkan usaha lain" in [choice.label for choice in menu.choices]  # the half-done registration is gone
    assert "UMKM-6202-000001" in "\n".join(reply.text for reply in telegram("data saya"))
