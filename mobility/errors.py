"""The project's exceptions.

Every error a user can cause by what they feed the program is a :class:`MobilityError`.
The CLI turns each into one line on stderr and exit code 2 (see :mod:`mobility.cli`).
"""

from __future__ import annotations

import reprlib
from pathlib import Path
from typing import Any

__all__ = [
    "MESSAGE_VALUE_CHARS",
    "ConvergenceError",
    "InfeasibleError",
    "InputError",
    "MobilityError",
    "shown",
]

#: At most this many characters of a user's value are printed in a message.
MESSAGE_VALUE_CHARS = 80

_REPR = reprlib.Repr()
_REPR.maxlevel = 3  # a YAML alias bomb (billion laughs) is a shallow look, not 10^9 items
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 4
_REPR.maxstring = _REPR.maxother = MESSAGE_VALUE_CHARS
_REPR.maxlong = 40


def shown(value: Any, limit: int = MESSAGE_VALUE_CHARS) -> str:
    """A short ``repr`` of a user's value for an error message, at most ``limit`` characters.

    Nested containers are cut at a few items and levels before anything is formatted, so a
    value that YAML aliases expand to billions of items costs no memory.
    """
    text = _REPR.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _cap(text: str, limit: int = MESSAGE_VALUE_CHARS) -> str:
    """``text`` cut to ``limit`` characters (a field name built from a user's key)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


class MobilityError(Exception):
    """Base class for every error the program reports to the user as one line."""


class InputError(MobilityError, ValueError):
    """Bad input: a file, a field or a value that is not what was expected.

    Parameters
    ----------
    message
        What is wrong, in a few words.
    file
        The file the bad value came from, if any.
    field
        The field, column or key (``"links[3].capacity"``), if any.
    line
        The 1-based line number in ``file``, if known.
    expected
        What was expected instead (``"a positive number"``).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        field: str | None = None,
        line: int | None = None,
        expected: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.field = field
        self.line = line
        self.expected = expected
        super().__init__(self._format())

    def _format(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file
            if self.line is not None:
                where += f", line {self.line}"
            where += ": "
        text = where
        if self.field is not None:
            text += f"field '{_cap(self.field)}': "
        text += self.message
        if self.expected is not None:
            text += f" (expected {self.expected})"
        return text


class InfeasibleError(MobilityError):
    """An optimisation or constraint set that cannot be satisfied; names the constraint."""


class ConvergenceError(MobilityError):
    """An iterative procedure that did not reach its stated tolerance where that was required."""
