"""Tests for the report's languages: the message catalogue and the number formats.

The expected number strings are written by hand from the two conventions (Danish: ``.``
between thousands, ``,`` before decimals; English the other way round).
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import yaml

from mobility.errors import InputError
from mobility.report import i18n
from mobility.report.i18n import LANGS, Messages, catalogue, format_number

REPORT = Path(i18n.__file__).resolve().parent
CATALOGUE = REPORT / "templates" / "strings.yaml"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_has_both_languages_with_the_same_placeholders() -> None:
    raw = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    assert isinstance(raw, dict) and len(raw) > 100
    for key, entry in raw.items():
        assert isinstance(entry, dict) and set(entry) == set(LANGS), key
        assert all(isinstance(v, str) and v.strip() for v in entry.values()), key
        assert _fields(entry["da"]) == _fields(entry["en"]), key
    assert all(isinstance(k, str) for k in raw)  # "yes"/"no" quoted, not YAML bools
    assert catalogue() == {k: dict(v) for k, v in raw.items()}


def test_every_key_the_code_names_is_in_the_catalogue() -> None:
    code = "".join(path.read_text(encoding="utf-8") for path in sorted(REPORT.glob("*.py")))
    keys = set(re.findall(r'\bt\(\s*"([\w.]+)"', code))
    keys |= set(re.findall(r"\bt\(\s*'([\w.]+)'", code))
    assert len(keys) > 80
    assert sorted(keys - set(catalogue())) == []


def test_number_formats() -> None:
    assert format_number(31453321, lang="da") == "31.453.321"
    assert format_number(31453321, lang="en") == "31,453,321"
    assert format_number(12.5, lang="da") == "12,5"
    assert format_number(12.5, lang="en") == "12.5"
    assert format_number(2.5, lang="da") == "2,50"
    assert format_number(-1234.4, lang="da") == "−1.234"
    assert format_number(-1234.4, lang="en") == "−1,234"
    assert format_number(0.125, "share", lang="da") == "12,5\u00a0%"
    assert format_number(0.125, "share", lang="en") == "12.5\u00a0%"
    assert format_number(2035, "year", lang="da") == "2035"
    assert format_number(True, lang="da") == "ja" and format_number(False, lang="en") == "no"
    assert format_number(None) == "–" and format_number("C5") == "C5"
    t = Messages("da")
    assert t.compact(33_400_000) == "33,4 mio." and Messages("en").compact(2.2e9) == "2.2 billion"
    assert t.decimal(61.25, 1) == "61,2" and t.decimal(float("nan")) == "–"


def test_messages() -> None:
    assert Messages().lang == "da"
    assert Messages("en")("section.ranking") == "Ranking"
    assert Messages("da")("section.ranking") == "Rangordning"
    assert Messages("en")("portfolio.n_of", n=3, total=7) == "3 of 7"
    with pytest.raises(InputError, match="unknown language 'fr'"):
        Messages("fr")
    with pytest.raises(KeyError):
        Messages("da")("no.such.key")


def test_command_languages_match() -> None:
    from mobility.commands import report

    assert report.LANGS == LANGS
