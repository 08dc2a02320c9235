"""A reply's choices as WhatsApp's buttons or list, within WhatsApp's limits, or the numbered text when neither fits."""

import pytest

from bot.whatsapp_screens import BODY, Screen, screen
from flows.messages import Choice, Reply, choice_id, numbered, screen_key


def _titles(shown: Screen | None) -> list[tuple[str, str]]:
    assert shown is not None
    return [(option.title, option.description) for option in shown.options]


def test_up_to_three_short_choices_are_reply_buttons_carrying_their_ids() -> None:
    reply = Reply("Apakah Anda setuju?", numbered(["Ya, saya setuju", "Tidak"]))
    shown = screen(reply)
    assert shown is not None and not shown.is_list
    key = screen_key(reply.choices, "id")
    assert [(option.id, option.title) for option in shown.options] == [(choice_id(key, 1), "Ya, saya setuju"),
                                                                        (choice_id(key, 2), "Tidak")]
    assert shown.body == "Apakah Anda setuju?" and shown.key == key


def test_four_to_ten_choices_are_a_list_with_long_labels_shortened_and_whole_beneath() -> None:
    reply = Reply("Apa jenis usaha Anda?", numbered(["Kuliner (makanan dan minuman)", "Warung dan toko", "Jasa",
                                                      "Lainnya"]))
    shown = screen(reply)
    assert shown is not None and shown.is_list and shown.button == "Pilih"
    assert _titles(shown) == [("Kuliner (makanan dan mi…", "Kuliner (makanan dan minuman)"), ("Warung dan toko", ""),
                              ("Jasa", ""), ("Lainnya", "")]
    assert all(len(option.title) <= 24 for option in shown.options)


def test_a_button_label_too_long_for_a_button_makes_a_list() -> None:
    shown = screen(Reply("Menu", numbered(["Penilaian mandiri usaha saya", "Data saya"])))
    assert shown is not None and shown.is_list
    assert _titles(shown)[0] == ("Penilaian mandiri usaha…", "Penilaian mandiri usaha saya")


def test_two_buttons_that_would_read_alike_make_a_list() -> None:
    shown = screen(Reply("Pilih", (Choice(1, "Ya"), Choice(None, "Ya"))))
    assert shown is not None and shown.is_list


def test_the_list_button_speaks_the_readers_language() -> None:
    shown = screen(Reply("Menu", numbered(["One", "Two", "Three", "Four"]), language="en"))
    assert shown is not None and shown.button == "Choose"


@pytest.mark.parametrize("reply", [
    Reply("Kabupaten?", numbered([f"Kabupaten {n}" for n in range(1, 12)])),  # eleven: more than a list holds
    Reply("x" * (BODY + 1), numbered(["Ya", "Tidak"])),  # more words than a message with buttons holds
    Reply("Nama usaha?"),  # nothing to press
], ids=["eleven choices", "long body", "no choices"])
def test_what_no_button_or_list_can_hold_goes_as_numbered_text(reply: Reply) -> None:
    assert screen(reply) is None


def test_a_description_is_cut_to_whatsapps_72_characters() -> None:
    label = "Sebuah pilihan yang sangat panjang sekali, lebih panjang dari tujuh puluh dua huruf, sungguh"
    shown = screen(Reply("Pilih", numbered([label, "B", "C", "D"])))
    assert shown is not None
    assert len(shown.options[0].description) == 72 and shown.options[0].description.endswith("…")
