"""The words understood at every step: whole messages and near misses, never a word inside a sentence."""

import pytest

from flows import commands
from flows.commands import close_commands, exact_command, serving
from flows.utterance import Said


@pytest.mark.parametrize(("bare", "word"), [
    ("daftar", commands.REGISTER_BUSINESS), ("bedaftar", commands.REGISTER_BUSINESS), ("menu", commands.MENU),
    ("data saya", commands.MY_DATA), ("stop", commands.STOP), ("stop pengumuman", commands.STOP_ANNOUNCEMENTS),
    ("gak jadi", commands.CANCEL), ("daftar merek", None), ("programnya bagus", None), ("umumkan", None),
])
def test_exact_commands(bare: str, word: str | None) -> None:
    found = exact_command(bare, officer=False)
    assert (found.word if found else None) == word


def test_officer_words_only_from_officers() -> None:
    assert exact_command("umumkan", officer=False) is None
    assert exact_command("umumkan", officer=True).word == commands.ANNOUNCE


@pytest.mark.parametrize(("bare", "words"), [
    ("jadwl", [commands.SCHEDULE]), ("penilain", [commands.ASSESS]), ("progam", [commands.PROGRAMMES]),
    ("data sya", [commands.MY_DATA]), ("bataal", [commands.CANCEL]), ("jam", []), ("halo", []),
    ("warung bu sari", []), ("ya", []),
])
def test_close_misspellings(bare: str, words: list[str]) -> None:
    assert [command.word for command in close_commands(bare, officer=False)] == words


@pytest.mark.parametrize(("question", "word"), [
    ("gimana cara daftar?", commands.REGISTER_BUSINESS), ("gimana cara daftar merek di djki?", None),
    ("kapan ada pelatihan di sampit?", commands.PROGRAMMES), ("jadwal pelatihan saya kapan ya?", commands.SCHEDULE),
    ("saya mau pinjaman modal KUR, bisa dibantu?", None), ("cara lihat nilai usaha saya?", commands.ASSESS),
    ("saya sudah daftar kemarin ya?", commands.MY_DATA), ("kapan ada pelatihan?", commands.PROGRAMMES),
    ("kapan pelatihan yg di sampit?", commands.SCHEDULE), ("berapa biaya daftarnya?", None),
    ("pengumumannya sering gak?", None),
    ("selamat siang pak, saya mau tanya, kalau mau daftarkan usaha katering saya gimana caranya ya, soalnya katanya "
     "ada pelatihan dari dinas", commands.REGISTER_BUSINESS),  # the first topic decides, a later pair does not
])
def test_the_command_that_serves_a_question(question: str, word: str | None) -> None:
    served = serving(Said(question).words, officer=False)
    assert (served.word if served else None) == word


def test_an_officers_question_is_served_by_an_officers_command() -> None:
    words = Said("gimana cara kirim pengumuman ke pelaku usaha di kotim?").words
    assert serving(words, officer=True).word == commands.ANNOUNCE
    assert serving(words, officer=False) is None
