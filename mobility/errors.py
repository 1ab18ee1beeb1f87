"""The project's exceptions.

Every error a user can cause by what they feed the program is a :class:`MobilityError`.
The CLI turns each into one line on stderr and exit code 2 (see :mod:`mobility.cli`).
"""

from __future__ import annotations

from pathlib import Path


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
            text += f"field '{self.field}': "
        text += self.message
        if self.expected is not None:
            text += f" (expected {self.expected})"
        return text


class InfeasibleError(MobilityError):
    """An optimisation or constraint set that cannot be satisfied; names the constraint."""


class ConvergenceError(MobilityError):
    """An iterative procedure that did not reach its stated tolerance where that was required."""
