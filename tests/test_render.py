"""Replies as plain text: choices as a numbered list with how to answer."""

import pytest

from bot.render import as_plain_text
from flows.messages import Choice, Reply


def _choices(*numbers: int) -> tuple[Choice, ...]:
    return tuple(Choice(number, f"pilihan {number}") for number in numbers)


@pytest.mark.parametrize(("reply", "last_line"), [
    (Reply("NIB?", _choices(1)), "1. pilihan 1"),  # an option besides typing: no "Balas 1."
    (Reply("Setuju?", _choices(1, 2)), "Balas 1 atau 2."),
    (Reply("Yang mana?", _choices(4, 5, 13)), "Balas 4, 5, atau 13."),
    (Reply("Kabupaten?", _choices(*range(1, 15))), "Balas dengan nomor 1 sampai 14."),
    (Reply("Kecamatan?", _choices(2, 3, 4, 5, 7, 11, 12)), "Balas 2, 3, 4, 5, 7, 11, atau 12."),
    (Reply("Which?", _choices(1, 2, 3), language="en"), "Reply 1, 2, or 3."),
])
def test_numbered_choices(reply: Reply, last_line: str) -> None:
    text = as_plain_text(reply)
    first = reply.choices[0]
    assert text.startswith(f"{reply.text}\n\n{first.number}. {first.label}")
    assert text.splitlines()[-1] == last_line


def test_a_reply_without_choices_is_its_text() -> None:
    assert as_plain_text(Reply("Terima kasih!")) == "Terima kasih!"
