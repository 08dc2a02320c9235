"""Registration's own readings of the answers: consent with a condition, worker counts as owners write
them, the number the channel vouches for, a capital written as a bare number, and what is confirmed before it
is kept."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from domain.invalid import Invalid
from flows.i18n import Text
from flows.registration import (
    doubt_capital,
    doubt_turnover,
    doubt_workers,
    parse_business_phone,
    parse_capital,
    parse_consent,
    parse_workers,
)


class _Text:
    """Numbers and money as the catalogs show them, enough for these readings."""

    @staticmethod
    def number(value: int) -> str:
        return str(value)

    @staticmethod
    def money(value: int) -> str:
        return f"Rp{value:,}".replace(",", ".")


# What these readings look at: the number the channel vouches for, today, how numbers are shown.
TURN = SimpleNamespace(inbound=SimpleNamespace(verified_phone="+6281234567890"), text=_Text(), answers={},
                       today=date(2026, 12, 2))
CONSENT_TURN = SimpleNamespace(now=datetime(2026, 12, 2, 9, 0, tzinfo=UTC), text=Text("id"))


@pytest.mark.parametrize(("text", "agreed"), [
    ("setuju", True), ("setuju, tp data sy jgn disebar ya", True), ("ya asal data saya aman", True),
    ("inggih, asal datanya dirahasiakan", True), ("setuju tapi jangan disebarkan ke orang lain ya kak", True),
    ("tidak setuju", False), ("tidak setuju, tp data jgn disebar", False), ("kada, ulun kada handak", False),
])
def test_consent_with_a_condition_it_already_promises(text: str, agreed: bool) -> None:
    assert bool(parse_consent(text, CONSENT_TURN)) is agreed  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["setuju tapi jangan simpan NIK saya", "setuju tapi data tidak aman", "ya tapi tidak",
                                  "setuju tapi jgn"])
def test_consent_with_another_condition_is_asked_again(text: str) -> None:
    with pytest.raises(Invalid):
        parse_consent(text, CONSENT_TURN)  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "workers"), [
    ("3", 3), ("3 orang", 3), ("lima", 5), ("sendiri", 1), ("sy sendiri aja", 1), ("cuma saya", 1),
    ("ga ada karyawan", 1), ("kadada karyawan, ulun haja", 1), ("tanpa karyawan", 1), ("berdua sama istri", 2),
    ("bertiga", 3), ("saya + 2 karyawan", 3), ("sy dan 2 karyawan", 3), ("2 karyawan + saya", 3), ("2-3 orang", 3),
    ("biasanya 2 orang, saya sama anak", 2),  # the count is everyone: the owner is among the 2
])
def test_workers(text: str, workers: int) -> None:
    assert parse_workers(text, TURN) == workers  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["0", "5 juta", "saya", "banyak"])
def test_workers_rejected(text: str) -> None:
    with pytest.raises(Invalid):
        parse_workers(text, TURN)  # type: ignore[arg-type]


def test_a_range_of_workers_is_confirmed_as_its_higher_end() -> None:
    doubt = doubt_workers("2-3 orang", 3, TURN)  # type: ignore[arg-type]
    assert doubt is not None and doubt.reason.params == {"count": "3"}
    assert doubt_workers("3 orang", 3, TURN) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "phone"), [
    ("ya", "+6281234567890"), ("pakai nomor ini aja", "+6281234567890"), ("nomor ini", "+6281234567890"),
    ("0813 4999 1234", "+6281349991234"),
])
def test_the_number_the_channel_vouches_for(text: str, phone: str) -> None:
    assert parse_business_phone(text, TURN) == phone  # type: ignore[arg-type]


def test_a_question_about_the_number_is_not_the_number() -> None:
    with pytest.raises(Invalid):
        parse_business_phone("nomor ini dipakai buat apa?", TURN)  # type: ignore[arg-type]


def test_a_bare_small_capital_is_millions_and_asked_about() -> None:
    assert parse_capital("15", TURN) == 15_000_000  # type: ignore[arg-type]
    doubt = doubt_capital("15", 15_000_000, TURN)  # type: ignore[arg-type]
    assert doubt is not None and doubt.reason.params == {"amount": "Rp15.000.000"}
    assert parse_capital("15 juta", TURN) == 15_000_000  # type: ignore[arg-type]
    assert doubt_capital("15 juta", 15_000_000, TURN) is None  # type: ignore[arg-type]
    with pytest.raises(Invalid):
        parse_capital("1500", TURN)  # type: ignore[arg-type]  # Rp1.500: a slip, asked again


def test_a_class_named_in_a_doubt_is_words_the_owner_reads() -> None:
    turn = SimpleNamespace(answers={"modal_usaha": 10_000_000, "workers": 7}, text=Text("id"))
    doubt = doubt_turnover("20 juta", 20_000_000, turn)  # type: ignore[arg-type]
    assert doubt is not None and doubt.revisit == "workers"
    assert all(isinstance(value, str | int) for value in doubt.reason.params.values())  # kept as JSON in the state
    assert "Usaha Mikro" in turn.text(doubt.reason.msgid, **doubt.reason.params)
