"""Languages of the report: the message catalogue and number formats.

Every user-visible string of the report lives in one data file,
``mobility/report/templates/strings.yaml``: a mapping ``key -> {da: ..., en: ...}`` whose
texts may hold ``{name}`` placeholders (:meth:`str.format`). :class:`Messages` looks keys up
for one language and formats numbers the way that language writes them: Danish with ``.``
between thousands and ``,`` before decimals (31.453.321; 2,5), English the other way round
(31,453,321; 2.5), following Retskrivningsordbogen's and the Danish Language Council's
rule for numbers and the English convention. The domain terms (pejlemærker, VIP) stay in
both languages.
"""

from __future__ import annotations

import math
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from mobility.errors import InputError

__all__ = ["LANGS", "Messages", "catalogue", "format_number"]

#: Languages of the report (``--lang``); the first is the default.
LANGS: tuple[str, ...] = ("da", "en")

_DA_SWAP = str.maketrans({",": ".", ".": ","})


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """The message catalogue, ``key -> {lang: text}`` (read once).

    Raises
    ------
    InputError
        If the file is not a mapping of keys to a text per language of :data:`LANGS`.
    """
    from mobility.config import load_yaml

    source = resources.files("mobility.report").joinpath("templates/strings.yaml")
    with resources.as_file(source) as path:
        raw = load_yaml(path)
        if not isinstance(raw, dict):
            raise InputError("not a mapping", file=path, expected="key: {da: ..., en: ...}")
        out: dict[str, dict[str, str]] = {}
        for key, entry in raw.items():
            if not isinstance(key, str):
                raise InputError(
                    f"key {key!r} is not text", file=path, expected="a quoted key ('yes', 'no')"
                )
            if not isinstance(entry, dict) or set(entry) != set(LANGS):
                raise InputError(
                    "each key needs exactly one text per language",
                    file=path,
                    field=str(key),
                    expected=" and ".join(LANGS),
                )
            if not all(isinstance(v, str) and v.strip() for v in entry.values()):
                raise InputError("empty or non-text entry", file=path, field=str(key))
            out[key] = {lang: str(entry[lang]) for lang in LANGS}
    return out


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise InputError(f"unknown language '{lang}'", field="lang", expected=" or ".join(LANGS))
    return lang


def format_number(value: Any, unit: str = "", lang: str = "da") -> str:
    """A number as the report writes it in ``lang``.

    Integers get thousands separators; floats a precision that falls with their size
    (>= 100: none, >= 10: one decimal, else two; tiny values two significant digits);
    ``share``/``fraction`` units become percent with one decimal; ``year`` units and the
    bools (yes/no) are not numbers and are written plainly. Minus is the typographic ``−``.
    """
    lang = _check_lang(lang)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool | np.bool_):
        return catalogue()["yes" if value else "no"][lang]
    if isinstance(value, int | np.integer) and unit == "year":
        return str(int(value))
    share = unit.startswith(("share", "fraction"))
    if isinstance(value, int | np.integer) and not share:
        text = f"{int(value):,}"
    elif not isinstance(value, float | np.floating | int | np.integer):
        return str(value)
    else:
        x = float(value)
        if math.isinf(x):
            return "∞" if x > 0 else "−∞"
        ax = abs(x)
        if share:
            text = f"{100 * x:.1f}\u00a0%"
        elif unit == "year" and x.is_integer():
            return str(int(x))
        elif ax >= 100:
            text = f"{x:,.0f}"
        elif ax >= 10:
            text = f"{x:,.1f}"
        elif ax >= 0.01 or ax == 0:
            text = f"{x:,.2f}"
        else:
            text = f"{x:.2g}"
    if lang == "da":
        text = text.translate(_DA_SWAP)
    return "−" + text[1:] if text.startswith("-") else text


class Messages:
    """The catalogue's texts and number formats in one language.

    Parameters
    ----------
    lang
        ``"da"`` or ``"en"`` (:data:`LANGS`).

    Raises
    ------
    InputError
        For any other language (field ``lang``).
    """

    def __init__(self, lang: str = "da") -> None:
        self.lang = _check_lang(lang)
        self._texts = catalogue()

    def __call__(self, key: str, **values: Any) -> str:
        """The text of ``key`` with its ``{placeholders}`` filled (KeyError if unknown)."""
        text = self._texts[key][self.lang]
        return text.format(**values) if values else text

    def num(self, value: Any, unit: str = "") -> str:
        """:func:`format_number` in this language."""
        return format_number(value, unit, self.lang)

    def decimal(self, value: float, digits: int = 1) -> str:
        """``value`` with exactly ``digits`` decimals in this language (``–`` for NaN)."""
        x = float(value)
        if math.isnan(x):
            return "–"
        text = f"{x:,.{digits}f}"
        if self.lang == "da":
            text = text.translate(_DA_SWAP)
        return "−" + text[1:] if text.startswith("-") else text

    def compact(self, value: Any, unit: str = "") -> str:
        """A short number for headline cards (``33.4 million``; ``33,4 mio.``)."""
        if not isinstance(value, int | float) or isinstance(value, bool):
            return self.num(value, unit)
        x = float(value)
        if unit in ("share", "fraction"):
            return f"{100 * x:.0f}\u00a0%"
        for size, key in ((1e9, "billion"), (1e6, "million")):
            if abs(x) >= size:
                return f"{self.decimal(x / size)} {self(key)}"
        return self.num(value, unit)
