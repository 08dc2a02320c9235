"""The words understood at every step, however they are said."""

import pytest

from flows.conversation import Conversations
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
    ("apa ini?", "Maaf, saya belum mengerti."),
])
def test_words_at_the_menu(database: Database, says: str, expected: str) -> None:
    assert expected in Chat(Conversations(database, Clock())).say(says)


def test_whatever_ends_at_the_menu_shows_it(database: Database) -> None:
    chat = Chat(Conversations(database, Clock()))
    for says in ["data saya", "ubah data", "hapus data saya", "batal", "kembali"]:
        assert "Menu utama" in chat.say(says), says
