"""The place-name matcher: a kabupaten/kota or kecamatan of Kalimantan Tengah from what people type ("Kotim",
"Sampit", "P. Raya", "Kab. Kapuas", "kota waringin timur", typos), asking back when two are equally close. The chat
and the programme files use the same rules.
"""

from collections.abc import Callable, Sequence
from functools import cache

from domain.invalid import Ambiguous, Invalid
from domain.msgid import N_
from domain.names import Names, closest, exact_matches, numbered_answer
from domain.regions import Region, aliases, kabupaten_list, kecamatan_of, region
from domain.text import clean, normalise_name

KABUPATEN_PREFIXES = frozenset({"kabupaten", "kab", "kota", "kot", "kotamadya", "kodya"})  # "Kab. Kapuas"
_KECAMATAN_PREFIXES = frozenset({"kecamatan", "kec"})


_COMPASS_IN_ENGLISH = {"east": "timur", "west": "barat", "north": "utara", "south": "selatan", "central": "tengah"}


def _query_variants(text: str, prefixes: frozenset[str]) -> list[str]:
    """The normalised answer, and the same without a leading "Kab."/"Kota"-like word.

    English compass words become Indonesian and go last, as in the names: "east kotawaringin"
    is looked for as "kotawaringin timur".
    """
    words = normalise_name(clean(text)).split()
    compass = [_COMPASS_IN_ENGLISH[word] for word in words if word in _COMPASS_IN_ENGLISH]
    query = " ".join([word for word in words if word not in _COMPASS_IN_ENGLISH] + compass)
    first_word, _, rest = query.partition(" ")
    return [query, rest] if first_word in prefixes else [query]


@cache
def _region_names(place: Region) -> Names:
    alias_names = tuple(alias for alias, code in aliases() if code == place.code)
    return Names(
        loose=(normalise_name(place.short_name), *alias_names),
        exact_only=(normalise_name(place.name),),
    )


_Stage = Callable[[Sequence[str], Sequence[Names]], tuple[int, ...]]


def _matching_regions(stage: _Stage, queries: Sequence[str], places: Sequence[Region]) -> tuple[Region, ...]:
    return tuple(places[index] for index in stage(queries, [_region_names(place) for place in places]))


def _pick_by_number(queries: Sequence[str], places: Sequence[Region]) -> Region | None:
    number = numbered_answer(queries[-1])
    if number is None:
        return None
    if 1 <= number <= len(places):
        return places[number - 1]
    raise Invalid(N_("Please choose a number from 1 to %(count)s, or write the name."), count=len(places))


def _single(found: tuple[Region, ...]) -> Region:
    if len(found) > 1:
        names = ", ".join(place.short_name for place in found)
        raise Ambiguous(N_("Several places match; which one do you mean: %(names)s?"), found, names=names)
    return found[0]


def parse_kabupaten(text: str) -> Region:
    """A kabupaten/kota of Kalimantan Tengah by number, name, alias ("Kotim", "Sampit") or near-miss."""
    queries = _query_variants(text, KABUPATEN_PREFIXES)
    places = kabupaten_list()
    chosen = _pick_by_number(queries, places)
    if chosen is not None:
        return chosen
    found = _matching_regions(closest, queries, places)
    if not found:
        raise Invalid(N_("I could not find that kabupaten or kota in Kalimantan Tengah; please check the spelling."))
    return _single(found)


def _kecamatan_outside(kabupaten_code: str) -> tuple[Region, ...]:
    return tuple(
        place
        for kabupaten in kabupaten_list()
        if kabupaten.code != kabupaten_code
        for place in kecamatan_of(kabupaten.code)
    )


def _reject_kecamatan_elsewhere(found_elsewhere: tuple[Region, ...], kabupaten: Region) -> None:
    """Tell the owner where the kecamatan they named really is, when that is certain."""
    if len(found_elsewhere) == 1:
        place = found_elsewhere[0]
        other = next(k for k in kabupaten_list() if k.code == place.parent_code)
        raise Invalid(
            N_("Kecamatan %(kecamatan)s is in %(other)s, not in %(kabupaten)s."),
            kecamatan=place.name,
            other=other.name,
            kabupaten=kabupaten.name,
        )


def kecamatan_named(text: str) -> tuple[Region, ...]:
    """Every kecamatan in Kalimantan Tengah whose name or alias is exactly this text ("Kumai", "Sampit")."""
    queries = _query_variants(text, _KECAMATAN_PREFIXES)
    return _matching_regions(exact_matches, queries, [place for kabupaten in kabupaten_list()
                                                       for place in kecamatan_of(kabupaten.code)])


def parse_kecamatan(text: str, kabupaten_code: str) -> Region:
    """A kecamatan of the given kabupaten/kota, by number, name, alias ("Dusel") or near-miss.

    kabupaten_code comes from the program, not the owner: an unknown one raises KeyError.
    """
    kabupaten = region(kabupaten_code)
    queries = _query_variants(text, _KECAMATAN_PREFIXES)
    places = kecamatan_of(kabupaten_code)
    chosen = _pick_by_number(queries, places)
    if chosen is not None:
        return chosen
    elsewhere = _kecamatan_outside(kabupaten_code)
    exact_here = _matching_regions(exact_matches, queries, places)
    if exact_here:
        return _single(exact_here)
    # An exact name elsewhere beats a near-miss here: the owner named a real, other kecamatan.
    _reject_kecamatan_elsewhere(_matching_regions(exact_matches, queries, elsewhere), kabupaten)
    found = _matching_regions(closest, queries, places)
    if found:
        return _single(found)
    _reject_kecamatan_elsewhere(_matching_regions(closest, queries, elsewhere), kabupaten)
    raise Invalid(
        N_("I could not find that kecamatan in %(kabupaten)s; please check the spelling."),
        kabupaten=kabupaten.name,
    )


def names_exactly(text: str, place: Region) -> bool:
    """Whether the text is exactly one of the place's names or aliases, by the matcher's own exact rule (with or
    without a "Kab."/"Kota" word before it, spacing and English compass words aside): "Kobar",
    "kota waringin timur", "Kab. Kapuas". No typo and no guess."""
    return bool(_matching_regions(exact_matches, _query_variants(text, KABUPATEN_PREFIXES), [place]))
