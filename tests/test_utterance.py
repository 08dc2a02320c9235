"""What a message is by its words alone: a question, a social message, the bare words of a command."""

import pytest

from domain.words import GOODBYE, GREETING, OK, SALAM, THANKS
from flows.utterance import EMOJI, Said


@pytest.mark.parametrize(("text", "social"), [
    ("makasih ya", THANKS), ("terima kasih banyak bu", THANKS), ("thanks kak 🙏", THANKS), ("makasiiih", THANKS),
    ("assalamualaikum", SALAM), ("assalamualaikum, makasih", SALAM), ("pagi bu", GREETING), ("halo kak", GREETING),
    ("ok", OK), ("oke siap", OK), ("bye", GOODBYE), ("🙏", THANKS), ("😊", EMOJI), ("👍👍", OK), ("wkwk makasih", THANKS),
    ("makasih, saya mau daftar", None), ("Siti Rahmah", None), ("ya", None), ("2", None), ("", None),
    ("wkwkwk", EMOJI), ("P", GREETING), ("tabe", GREETING), ("salamat pagi", GREETING), ("mantap", OK),
    ("Assalamu'alaikum wr wb", SALAM), ("kak", None),
])
def test_social(text: str, social: str | None) -> None:
    assert Said(text).social == social


@pytest.mark.parametrize(("text", "asking"), [
    ("gimana cara daftar?", True), ("btw gimana cara daftar merek di djki?", True), ("kapan ada pelatihan di sampit", True),
    ("saya mau pinjaman modal KUR, bisa dibantu?", True), ("maksudnya modal itu termasuk gerobak gak", True),
    ("apa ini?", True), ("2 juta", False), ("?", False), ("Warung Bu Sari", False), ("daftar", False),
    ("hai, sy Rina dari Sampit, mau daftar usaha kue", True), ("mau daftar usaha", False),
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


@pytest.mark.parametrize(("text", "how"), [
    ("apa ini?", True), ("gimana caranya?", True), ("terus gimana?", True), ("gratis gak?", False),
    ("nunggunya lama gak?", False), ("ini", False),
])
def test_asks_how_this_works(text: str, how: bool) -> None:
    assert Said(text).asks_how_this_works is how


@pytest.mark.parametrize(("text", "none_yet"), [
    ("blm ada nama", True), ("belum punya", True), ("kadada", True), ("Toko Belum Tutup", False), ("Sari", False),
])
def test_says_none_yet(text: str, none_yet: bool) -> None:
    assert Said(text).says_none_yet is none_yet
