"""Where the business is: the kabupaten/kota and kecamatan questions' choices, reading and showing."""

from collections.abc import Sequence

from flows.engine import Suggest, Turn
from flows.i18n import N_
from flows.parsing import Ambiguous, Invalid, kecamatan_named, parse_kabupaten, parse_kecamatan
from store.regions import Region, aliases, kabupaten_list, kecamatan_of, normalise_name, region


def kabupaten_labels(_turn: Turn) -> list[str]:
    return [place.short_name for place in kabupaten_list()]


def parse_business_kabupaten(text: str, _turn: Turn) -> str:
    """A kabupaten/kota; the name of one of its kecamatan (or a town in one) leads to it as well."""
    try:
        return parse_kabupaten(text).code
    except Ambiguous as unclear:
        raise _suggest(unclear.candidates, kabupaten_list()) from None
    except Invalid:
        parents = {place.parent_code for place in kecamatan_named(text)}
        if len(parents) == 1:
            return parents.pop()
        if parents:
            raise _suggest([region(code) for code in sorted(parents)], kabupaten_list()) from None
        raise


def kecamatan_labels(turn: Turn) -> list[str]:
    return [place.name for place in kecamatan_of(turn.answers["kabupaten_code"])]


def parse_business_kecamatan(text: str, turn: Turn) -> str:
    """A kecamatan of the chosen kabupaten; its exact name first, so "Kotawaringin Barat" is not
    taken for the kecamatan Kotawaringin Lama."""
    kabupaten = turn.answers["kabupaten_code"]
    exact = [place for place in kecamatan_named(text) if place.parent_code == kabupaten]
    if len(exact) == 1:
        return exact[0].code
    if not exact and _names_kabupaten(text, kabupaten):
        raise Suggest(N_("%(kabupaten)s has several kecamatan: which one is the business in? Reply with its number."),
                      range(len(kecamatan_of(kabupaten))), kabupaten=region(kabupaten).name)
    try:
        return parse_kecamatan(text, kabupaten).code
    except Ambiguous as unclear:
        raise _suggest(unclear.candidates, kecamatan_of(kabupaten)) from None


def _names_kabupaten(text: str, code: str) -> bool:
    """Whether the text is exactly a name of this kabupaten/kota ("Kobar", "kotawaringin barat")."""
    place = region(code)
    names = {normalise_name(place.name), normalise_name(place.short_name)}
    names |= {alias for alias, alias_code in aliases() if alias_code == code}
    words = normalise_name(text).split()
    return " ".join(words) in names or " ".join(words[1:]) in names  # "Kab. Kapuas"


def show_place(code: str, _turn: Turn) -> str:
    return region(code).name


def _suggest(candidates: Sequence[Region], places: Sequence[Region]) -> Suggest:
    """Offer the equally close places by their numbers in the question's list."""
    codes = [place.code for place in places]
    return Suggest(N_("Which one do you mean? Reply with its number."),
                   [codes.index(candidate.code) for candidate in candidates if candidate.code in codes])
