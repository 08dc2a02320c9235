"""The catalogs: every word users read is translated into Bahasa Indonesia and compiled."""

import io
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from flows.i18n import DOMAIN, LANGUAGES, LOCALES

ROOT = Path(__file__).resolve().parent.parent
HOW_TO_FIX = "run `make catalogs` and translate what it adds to locales/id"


def _source_msgids() -> set[str]:
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    return {message for _file, _line, message, _comments, _context in
            extract_from_dir(ROOT, method_map, options_map, keywords=DEFAULT_KEYWORDS)}


def _catalog(language: str) -> Catalog:
    with open(LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po", "rb") as po:
        return read_po(po, locale=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_holds_exactly_the_messages_in_the_source(language: str) -> None:
    in_catalog = {message.id for message in _catalog(language) if message.id}
    source = _source_msgids()
    assert not source - in_catalog, f"missing from {language} ({HOW_TO_FIX}): {sorted(source - in_catalog)}"
    assert not in_catalog - source, f"no longer in the source ({HOW_TO_FIX}): {sorted(in_catalog - source)}"


def test_indonesian_is_complete_and_not_fuzzy() -> None:
    catalog = _catalog("id")
    untranslated = [message.id for message in catalog if message.id and not message.string]
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert not untranslated, f"untranslated in locales/id: {untranslated}"
    assert not fuzzy, f"fuzzy in locales/id: {fuzzy}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_their_placeholders(language: str) -> None:
    problems = [(message.id, [str(error) for error in errors]) for message, errors in _catalog(language).check()]
    assert not problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_is_up_to_date(language: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, _catalog(language))
    stored = (LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.mo").read_bytes()
    assert stored == compiled.getvalue(), f"locales/{language} .mo is stale: run `make catalogs`"
