"""Reading and validating the user's YAML files (scenarios, projects, weights).

Only :func:`yaml.safe_load` is used. Validation helpers raise :class:`~mobility.errors.InputError`
naming the file, the field (dotted path) and what was expected, so every schema in the
package reports bad input in the same one-line form. The schemas themselves live with their
concern: :mod:`mobility.scenario`, :mod:`mobility.projects`, :mod:`mobility.scoring.weights`.
"""

from __future__ import annotations

import builtins
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from mobility.errors import InputError, shown

_MISSING = object()


class _DuplicateKey(yaml.YAMLError):
    """A mapping repeats a key (the second value would silently win)."""

    def __init__(self, key: Any, line: int) -> None:
        super().__init__(f"duplicate key {str(key)[:60]!r}")
        self.key = key
        self.line = line


class _StrictSafeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses a mapping with a repeated key."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
            try:
                duplicate = key in seen
            except TypeError:  # an unhashable key: the base class reports it
                break
            if duplicate:
                raise _DuplicateKey(key, key_node.start_mark.line + 1)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_yaml(path: str | Path) -> Any:
    """Read a YAML file with ``yaml.safe_load``'s safe constructors, refusing duplicate keys.

    Raises
    ------
    InputError
        If the file is missing, unreadable or not valid YAML (with the line of the error), a
        mapping repeats a key, or the document is nested too deeply to read.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", file=p) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read file ({exc.__class__.__name__})", file=p) from None
    try:
        # a SafeLoader subclass: only the safe constructors, as yaml.safe_load
        return yaml.load(text, Loader=_StrictSafeLoader)
    except _DuplicateKey as exc:
        raise InputError(
            f"{exc} (its second value would silently win)",
            file=p,
            line=exc.line,
            expected="each key once per mapping",
        ) from None
    except RecursionError:
        raise InputError("YAML nested too deeply to read", file=p) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise InputError(f"YAML syntax error: {problem}", file=p, line=line) from None


_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


def _decimal_comma_split(previous: tuple[Any, Any] | None, key: Any, value: Any) -> bool:
    """Whether ``key`` (without a value) looks like the decimals of the entry before it."""
    return (
        previous is not None
        and value is None
        and isinstance(previous[1], int)
        and not isinstance(previous[1], bool)
        and not isinstance(key, bool)
        and isinstance(key, int | str)
        and str(key).isdigit()
    )


class Fields:
    """Typed access to one mapping of a YAML document, with errors that name file and field.

    Parameters
    ----------
    data
        The mapping read from YAML.
    file
        The file it came from.
    prefix
        Dotted path of this mapping inside the document (``"network_changes[2]"``).
    """

    def __init__(self, data: Any, *, file: str | Path, prefix: str = "") -> None:
        if not isinstance(data, Mapping):
            raise InputError(
                "is not a mapping",
                file=file,
                field=prefix or "(document)",
                expected="key: value pairs",
            )
        self.data = data
        self.file = file
        self.prefix = prefix

    def path(self, key: str) -> str:
        """Dotted field name of ``key`` inside the document."""
        return f"{self.prefix}.{key}" if self.prefix else key

    def error(self, key: str, message: str, expected: str | None = None) -> InputError:
        """An :class:`InputError` for ``key``."""
        return InputError(message, file=self.file, field=self.path(key), expected=expected)

    def check_unknown(self, allowed: Sequence[str]) -> None:
        """Reject keys that are not in ``allowed`` (catches typos).

        A Danish decimal comma in a flow mapping (``{speed_kmh: 17,5}``) reads as
        ``speed_kmh: 17`` and a key ``5`` without a value: that gets a hint to use a decimal
        point, on the field before it.
        """
        previous: tuple[Any, Any] | None = None
        for key, value in self.data.items():
            if key not in allowed:
                if _decimal_comma_split(previous, key, value):
                    assert previous is not None
                    raise self.error(
                        str(previous[0]),
                        f"'{previous[1]},{key}' reads as {previous[1]} and a separate key "
                        f"'{key}': use a decimal point ({previous[1]}.{key})",
                    )
                if not isinstance(key, str) and str(key) in allowed:
                    # YAML reads an unquoted 1 or 4.2 as a number, not as the key "1"
                    raise self.error(
                        str(key),
                        f"the key {key!r} is a number, not text",
                        expected=f'the key quoted, "{key}"',
                    )
                raise self.error(str(key), "unknown field", expected="one of " + ", ".join(allowed))
            previous = (key, value)

    def raw(self, key: str, default: Any = _MISSING) -> Any:
        """The raw value, or ``default``; missing without default is an error."""
        if key in self.data and self.data[key] is not None:
            return self.data[key]
        if default is _MISSING:
            raise self.error(key, "is missing")
        return default

    def str(
        self, key: builtins.str, default: Any = _MISSING, *, choices: Sequence[str] | None = None
    ) -> Any:
        """A string value, optionally one of ``choices``."""
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.error(key, f"has value {shown(value)}", expected="a string")
        value = str(value)
        if choices is not None and value not in choices:
            raise self.error(
                key, f"has value {shown(value)}", expected="one of " + ", ".join(choices)
            )
        return value

    def number(
        self,
        key: builtins.str,
        default: Any = _MISSING,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        integer: bool = False,
    ) -> Any:
        """A finite number within ``[minimum, maximum]``."""
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        kind = "an integer" if integer else "a number"
        if isinstance(value, str) and _DECIMAL_COMMA.match(value.strip()):
            raise self.error(
                key,
                f"has value {shown(value)}: use a decimal point "
                f"({value.strip().replace(',', '.')})",
                expected=kind,
            )
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key, f"has value {shown(value)}", expected=kind)
        if integer and not float(value).is_integer():
            raise self.error(key, f"has value {shown(value)}", expected=kind)
        if not math.isfinite(value):
            raise self.error(key, f"has value {shown(value)}", expected=f"{kind}, finite")
        bounds = []
        if minimum is not None:
            bounds.append(f">= {minimum:g}")
        if maximum is not None:
            bounds.append(f"<= {maximum:g}")
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise self.error(
                key, f"has value {shown(value)}", expected=f"{kind} " + " and ".join(bounds)
            )
        return int(value) if integer else float(value)

    def bool(self, key: builtins.str, default: Any = _MISSING) -> Any:
        """A boolean value (YAML true/false)."""
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, bool):
            raise self.error(key, f"has value {shown(value)}", expected="true or false")
        return value

    def list(self, key: builtins.str, default: Any = _MISSING) -> Any:
        """A list value."""
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, list):
            raise self.error(key, f"has value {shown(value)}", expected="a list")
        return value

    def sub(self, key: builtins.str, default: Any = _MISSING) -> Fields | Any:
        """A nested mapping as :class:`Fields` (or ``default`` if absent)."""
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        return Fields(value, file=self.file, prefix=self.path(key))

    def items(self, key: builtins.str) -> builtins.list[Fields]:
        """A list of mappings, each as :class:`Fields` with an indexed prefix."""
        values = self.list(key)
        return [
            Fields(v, file=self.file, prefix=f"{self.path(key)}[{i}]") for i, v in enumerate(values)
        ]
