"""Kalimantan Tengah regions (Kemendagri codes) and the aliases people type for them.

Reference data only: read once from the CSV files beside this module, never from the database.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

from domain.text import normalise_name

DATA_DIR = Path(__file__).parent / "data"
REGIONS_CSV = DATA_DIR / "kalteng_wilayah.csv"
ALIASES_CSV = DATA_DIR / "kalteng_aliases.csv"

KABUPATEN_KOTA_PREFIXES = ("Kabupaten ", "Kota ")

@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    parent_code: str | None

    @property
    def is_kabupaten_kota(self) -> bool:
        # Kemendagri codes have one dot at kabupaten/kota level ("62.02"), two at kecamatan level.
        return self.code.count(".") == 1

    @property
    def short_name(self) -> str:
        """The name people use: "Kotawaringin Timur" for "Kabupaten Kotawaringin Timur".

        Only kabupaten/kota lose their prefix: the kecamatan "Kota Besi" keeps its name.
        """
        if self.is_kabupaten_kota:
            for prefix in KABUPATEN_KOTA_PREFIXES:
                if self.name.startswith(prefix):
                    return self.name.removeprefix(prefix)
        return self.name


@cache
def kabupaten_list() -> tuple[Region, ...]:
    """The 14 kabupaten/kota of Kalimantan Tengah, in code order."""
    return tuple(r for r in _regions_by_code().values() if r.is_kabupaten_kota)


@cache
def kecamatan_of(kabupaten_code: str) -> tuple[Region, ...]:
    """The kecamatan of one kabupaten/kota, in code order; empty for an unknown code."""
    return tuple(r for r in _regions_by_code().values() if r.parent_code == kabupaten_code)


def region(code: str) -> Region:
    """The region with this Kemendagri code; KeyError if there is none."""
    return _regions_by_code()[code]


def aliases() -> tuple[tuple[str, str], ...]:
    """(normalised alias text, Kemendagri code) pairs; one alias may name several places.

    "Sampit" is the capital of Kotawaringin Timur and lies in two of its kecamatan.
    """
    return _aliases()


def _code_order(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in code.split("."))


@cache
def _regions_by_code() -> Mapping[str, Region]:
    with REGIONS_CSV.open(encoding="utf-8", newline="") as csv_file:
        rows = list(csv.DictReader(csv_file))
    regions = (
        Region(code=row["code"], name=row["name"], parent_code=row["parent_code"] or None)
        for row in rows
    )
    ordered = sorted(regions, key=lambda r: _code_order(r.code))
    return MappingProxyType({r.code: r for r in ordered})


@cache
def _aliases() -> tuple[tuple[str, str], ...]:
    with ALIASES_CSV.open(encoding="utf-8", newline="") as csv_file:
        return tuple((normalise_name(row["alias"]), row["code"]) for row in csv.DictReader(csv_file))
