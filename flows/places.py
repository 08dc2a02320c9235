"""Where the business is: the kabupaten/kota and kecamatan questions' choices, reading and showing."""

from collections.abc import Sequence

from domain.invalid import Ambiguous, Invalid
from domain.msgid import N_
from domain.places import kecamatan_named, names_exactly, parse_kabupaten, parse_kecamatan
from domain.regions import Region, kabupaten_list, kecamatan_of, region
from flows.engine import Suggest, Turn


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
    if not exact and names_exactly(text, region(kabupaten)):
        raise Suggest(N_("%(kabupaten)s has several kecamatan: which one is the business in? Reply with its number."),
                      range(len(kecamatan_of(kabupaten))), kabupaten=region(kabupaten).name)
    try:
        return parse_kecamatan(text, kabupaten).code
    except Ambiguous as unclear:
        raise _suggest(unclear.candidates, kecamatan_of(kabupaten)) from None


def show_place(code: str, _turn: Turn) -> str:
    return region(code).name


def _suggest(candidates: Sequence[Region], places: Sequence[Region]) -> Suggest:
    """Offer the equally close places by their numbers in the question's list."""
    codes = [place.code for place in places]
    return Suggest(N_("Which one do you mean? Reply with its number."),
                   [codes.index(candidate.code) for candidate in candidates if candidate.code in codes])
