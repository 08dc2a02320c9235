import dataclasses

import pytest

from domain.regions import Region, aliases, kabupaten_list, kecamatan_of, region
from domain.text import normalise_name

KABUPATEN_CODES = [
    "62.01", "62.02", "62.03", "62.04", "62.05", "62.06", "62.07",
    "62.08", "62.09", "62.10", "62.11", "62.12", "62.13", "62.71",
]


def test_kabupaten_list_holds_the_14_kabupaten_kota_in_code_order() -> None:
    assert [place.code for place in kabupaten_list()] == KABUPATEN_CODES


def test_every_kabupaten_belongs_to_the_province() -> None:
    assert {place.parent_code for place in kabupaten_list()} == {"62"}


@pytest.mark.parametrize(
    ("code", "name", "short_name"),
    [
        ("62.02", "Kabupaten Kotawaringin Timur", "Kotawaringin Timur"),
        ("62.03", "Kabupaten Kapuas", "Kapuas"),
        ("62.71", "Kota Palangkaraya", "Palangkaraya"),
        ("62.02.05", "Baamang", "Baamang"),
        ("62.02.01", "Kota Besi", "Kota Besi"),
        ("62", "Kalimantan Tengah", "Kalimantan Tengah"),
    ],
)
def test_region_names_and_short_names(code: str, name: str, short_name: str) -> None:
    place = region(code)
    assert (place.name, place.short_name) == (name, short_name)


def test_kecamatan_of_kotawaringin_timur_are_in_code_order() -> None:
    places = kecamatan_of("62.02")
    assert len(places) == 17
    assert [place.code for place in places] == sorted(place.code for place in places)
    assert places[0] == Region("62.02.01", "Kota Besi", "62.02")
    assert {place.parent_code for place in places} == {"62.02"}


def test_all_136_kecamatan_are_loaded() -> None:
    assert sum(len(kecamatan_of(code)) for code in KABUPATEN_CODES) == 136


def test_kecamatan_of_an_unknown_code_is_empty() -> None:
    assert kecamatan_of("99.99") == ()


@pytest.mark.parametrize("code", ["", "62.99", "6202", "62.02.99"])
def test_unknown_region_code_raises_key_error(code: str) -> None:
    with pytest.raises(KeyError):
        region(code)


def test_region_is_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        region("62.02").name = "Sampit"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("alias", "code"),
    [
        ("kotim", "62.02"),
        ("sampit", "62.02"),
        ("p raya", "62.71"),
        ("palangka raya", "62.71"),
        ("dusel", "62.04.06"),
        ("mb ketapang", "62.02.06"),
    ],
)
def test_aliases_are_normalised_and_point_at_codes(alias: str, code: str) -> None:
    assert (alias, code) in aliases()


def test_every_alias_points_at_a_known_region() -> None:
    for _alias, code in aliases():
        region(code)


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("P. Raya", "p raya"),
        ("  Kab.  KAPUAS ", "kab kapuas"),
        ("Gn. Bintang Awai", "gn bintang awai"),
        ("\uff33\uff41\uff4d\uff50\uff49\uff54", "sampit"),
        ("", ""),
    ],
)
def test_normalise_name(text: str, normalised: str) -> None:
    assert normalise_name(text) == normalised
