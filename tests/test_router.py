"""The words understood at every step, however they are said."""

import pytest

from flows.conversation import Conversations
from flows.messages import LONGEST_TEXT, TOO_LONG, Inbound
from flows.router import MAX_TEXT
from store.db import Database
from transcript import Chat, Clock


@pytest.mark.parametrize(("says", "expected"), [
    ("daftar", "Apakah Anda setuju?"),
    ("saya mau daftar", "Apakah Anda setuju?"),
    ("Mau daftar!", "Apakah Anda setuju?"),
    ("mendaftar", "Apakah Anda setuju?"),
    ("MENU", "Menu utama"),
    ("bantuan", "Kata yang bisa Anda ketik kapan saja"),
    ("tolong", "Kata yang bisa Anda ketik kapan saja"),
    ("help", "Kata yang bisa Anda ketik kapan saja"),
    ("kembali", "Anda sudah di menu utama."),
    ("batal", "Tidak ada yang perlu dibatalkan."),
    ("data saya", "Belum ada data terdaftar"),
    ("ubah data", "Belum ada data terdaftar"),
    ("hapus data saya", "Kami tidak menyimpan data apa pun tentang Anda."),
    ("bahasa en", "from now on I will write in English"),
    ("Selamat pagi", "Selamat datang di TABE"),
    ("apa ini?", "Kata yang bisa Anda ketik kapan saja"),
        ("makasih ya", "Sama-sama!"),
        ("btw gimana cara daftar merek di djki?", "merek.dgip.go.id"),
        ("jadwl", "Belum ada data terdaftar"),
])
def test_words_at_the_menu(database: Database, says: str, expected: str) -> None:
    assert expected in Chat(Conversations(database, Clock())).say(says)


def test_whatever_ends_at_the_menu_shows_it(database: Database) -> None:
    chat = Chat(Conversations(database, Clock()))
    for says in ["data saya", "ubah data", "hapus data saya", "batal", "kembali"]:
        assert "Menu utama" in chat.say(says), says


@pytest.mark.parametrize("length", [MAX_TEXT + 1, LONGEST_TEXT + 1, 10**6])
def test_a_message_longer_than_any_answer_is_told_so_and_the_question_asked_again(database: Database,
                                                                                  length: int) -> None:
    chat = Chat(Conversations(database, Clock()))
    chat.say("daftar")
    answer = chat.say("panjang " * (length // 8 + 1))
    assert "Pesan itu terlalu panjang" in answer and "Apakah Anda setuju?" in answer
    assert "Pertanyaan 1 dari 13" in chat.say("ya")  # and nothing was lost


def test_a_text_longer_than_any_channel_carries_goes_no_further_than_the_door() -> None:
    inbound = Inbound("telegram", "1", "1", "a" * (LONGEST_TEXT + 1))
    assert (inbound.text, inbound.attachment) == ("", TOO_LONG)
    assert Inbound("telegram", "1", "1", "a" * LONGEST_TEXT).text == "a" * LONGEST_TEXT
