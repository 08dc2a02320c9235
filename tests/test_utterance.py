"""What a message is by its words alone: a question, a social message, the bare words of a command."""

import pytest

from domain.words import GOODBYE, GREETING, OK, SALAM, THANKS
from flows.utterance import EMOJI, Said


@pytest.mark.parametrize(("text", "social"), [
    ("makasih ya", THANKS), ("terima kasih banyak bu", THANKS), ("thanks kak 🙏", THANKS), ("makasiiih", THANKS),
    ("assalamualaikum", SALAM), ("assalamualaikum, makasih", SALAM), ("pagi bu", GREETING), ("halo kak", GREETING),
    ("ok", OK), ("oke siap", OK), ("bye", GOODBYE), ("🙏", THANKS), ("😊", EMOJI), ("👍👍", OK), ("wkwk makasih", THANKS),
    ("makasih, saya mau daftar", None), ("Siti Rahmah", None), ("ya", None), ("2", None), ("", None),
])
def test_social(text: str, social: str | None) -> None:
    assert Said(text).social == social


@pytest.mark.parametrize(("text", "asking"), [
    ("gimana cara daftar?", True), ("btw gimana cara daftar merek di djki?", True), ("kapan ada pelatihan di sampit", True),
    ("saya mau pinjaman modal KUR, bisa dibantu?", True), ("maksudnya modal itu termasuk gerobak gak", True),
    ("apa ini?", True), ("2 juta", False), ("?", False), ("Warung Bu Sari", False), ("daftar", False),
])
def test_is_question(text: str, asking: bool) -> None:
    assert Said(text).is_question is asking


@pytest.mark.parametrize(("text", "bare"), [
    ("saya mau daftar", "daftar"), ("Mau daftar!", "daftar"), ("ulun handak bedaftar", "bedaftar"),
    ("jadwal saya dong kak", "jadwal saya"), ("menu dong", "menu"), ("/daftar", "/daftar"), ("?", "?"),
    ("data saya", "data saya"),
])
def test_bare_words_of_a_command(text: str, bare: str) -> None:
    assert Said(text).bare == bare
