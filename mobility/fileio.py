"""Safe file output: atomic writes, contained output paths, hashes and manifests.

Every file the program writes goes through these helpers, so a failed or interrupted run
never leaves a half-written file, and output paths cannot escape the chosen folder.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from mobility.errors import InputError


def sha256_file(path: str | Path) -> str:
    """Return the hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _umask() -> int:
    """The process umask (read without changing it for good)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _nearest_existing(path: Path) -> Path:
    """``path`` itself or its closest ancestor that exists."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _check_writable_parent(target: Path) -> None:
    """Refuse an output whose closest existing ancestor is a file or a folder we cannot write.

    Raises
    ------
    InputError
        Naming that ancestor.
    """
    parent = _nearest_existing(target.parent)
    if not parent.is_dir():
        raise InputError("the output's parent is a file", file=parent, expected="a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(
            "no permission to write in this folder", file=parent, expected="a writable folder"
        )


def check_output_file(path: str | Path) -> Path:
    """Refuse an output file path before any work is done: an existing folder, a parent that
    is a file, or a folder without write permission.

    Raises
    ------
    InputError
        One line naming the path and what is wrong. Nothing is written.
    """
    target = Path(path)
    if target.is_dir():
        raise InputError("is a folder", file=target, expected="a file name")
    _check_writable_parent(target)
    return target


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    Raises
    ------
    InputError
        If ``path`` is a folder, or its folder cannot be created or written (permission
        denied, a parent that is a file); nothing is written then.
    """
    target = check_output_file(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise InputError(
            f"cannot write the file ({exc.strerror or exc.__class__.__name__})", file=target
        ) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual file mode
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return target


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically (``\\n`` line endings, no platform translation)."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]], *, delimiter: str = ",") -> str:
    """Render rows as CSV text with ``\\n`` line endings (deterministic, no locale)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    return buf.getvalue()


#: A cell that is a number written with a decimal comma (``excel-da``: ``2,5``, ``-0,75``).
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+([eE][+-]?\d+)?$")


def sniff_dialect(header_line: str) -> tuple[str, bool]:
    """The delimiter of a CSV file from its header line, and whether numbers use a decimal
    comma: mobility's ``excel-da`` files (semicolons, decimal commas, for Danish Excel) are
    read back as well as the default ones."""
    if header_line.count(";") > header_line.count(","):
        return ";", True
    return ",", False


def decimal_point(cell: str) -> str:
    """``2,5`` -> ``2.5`` for a cell that is a decimal-comma number; anything else as is."""
    return cell.replace(",", ".") if _DECIMAL_COMMA.match(cell) else cell


def check_header(header: Sequence[str], *, file: str | Path) -> None:
    """Refuse a CSV header that names a column twice (the second would silently win).

    Raises
    ------
    InputError
        Naming the file, line 1 and the repeated column.
    """
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise InputError(
                f"column '{name[:60]}' appears twice",
                file=file,
                line=1,
                expected="each column once",
            )
        seen.add(name)


def write_csv(
    path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]], *, delimiter: str = ","
) -> Path:
    """Write a CSV file atomically."""
    return atomic_write_text(path, csv_text(header, rows, delimiter=delimiter))


def contained_path(folder: str | Path, name: str) -> Path:
    """Return ``folder/name``, refusing any name that would land outside ``folder``.

    Raises
    ------
    InputError
        If ``name`` is absolute or climbs out of ``folder`` (``..``).
    """
    base = Path(folder).resolve()
    candidate = (base / name).resolve()
    if candidate != base and base not in candidate.parents:
        raise InputError(
            f"output name '{name}' leaves the output folder {base}",
            expected="a relative path inside the output folder",
        )
    return candidate


def _pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (on this machine)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_partials(target: Path) -> None:
    """Delete ``.<name>.<pid>.*.partial`` siblings left by runs that were killed (SIGKILL)."""
    for sibling in target.parent.glob(f".{target.name}.*.partial"):
        parts = sibling.name[len(target.name) + 2 :].split(".")
        if parts and parts[0].isdigit() and not _pid_alive(int(parts[0])):
            shutil.rmtree(sibling, ignore_errors=True)


#: Run by a helper process: wait until the parent closes the pipe (it finished, failed or was
#: killed, even by SIGKILL), then remove its partial folder and restore the previous output if
#: the parent died between moving the old folder aside and moving the new one in.
_CLEANER = """
import os, shutil, sys
sys.stdin.buffer.read()
tmp, old, target = sys.argv[1:4]
shutil.rmtree(tmp, ignore_errors=True)
if os.path.isdir(old):
    if os.path.exists(target):
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(old, target)
"""


#: The key of ``manifest.json`` that marks a folder as mobility's own output.
MANIFEST_KEY = "mobility_version"


def is_mobility_output(folder: Path) -> bool:
    """Whether ``folder`` holds a ``manifest.json`` that mobility wrote."""
    try:
        with open(folder / "manifest.json", encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, ValueError):
        return False
    return isinstance(doc, dict) and MANIFEST_KEY in doc


def check_output_dir(path: str | Path, *, inputs: Iterable[str | Path] = ()) -> Path:
    """Refuse an output folder that replacing could lose a user's files.

    A folder may be replaced only if it does not exist, is empty, or is an earlier mobility
    output (its ``manifest.json`` says so); it must not equal or contain any of ``inputs``
    (the scenario file, the project folder, ...), nor lie inside an input folder's files.

    Raises
    ------
    InputError
        One line naming the folder and what is wrong. Nothing is written or deleted.
    """
    target = Path(path).resolve()
    parent = _nearest_existing(target.parent)
    if not parent.is_dir():
        raise InputError("the output folder's parent is a file", file=parent)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(
            "no permission to write in this folder", file=parent, expected="a writable folder"
        )
    if target.exists():
        if not target.is_dir():
            raise InputError("is a file, not a folder", file=target, expected="an output folder")
        try:
            empty = not any(target.iterdir())
        except OSError as exc:
            raise InputError(f"cannot read the folder ({exc.strerror})", file=target) from None
        if not empty and not is_mobility_output(target):
            raise InputError(
                "is not empty and not an earlier mobility output (no manifest.json by mobility)",
                file=target,
                expected="a new or empty folder, or one mobility wrote",
            )
    for item in inputs:
        p = Path(item).resolve()
        if p == target or target in p.parents:
            raise InputError(
                f"would replace the input {p}",
                file=target,
                expected="an output folder apart from the inputs",
            )
    return target


@contextlib.contextmanager
def atomic_output_dir(path: str | Path, *, inputs: Iterable[str | Path] = ()) -> Iterator[Path]:
    """Build an output folder in a temporary sibling and swap it in only on success.

    A run that fails, is interrupted or is killed leaves the previous complete folder (or
    none), never a half-written one: the work happens in a hidden
    ``.<name>.<pid>.<random>.partial`` sibling, removed on any exception; a small helper
    process removes it too when this process dies without cleaning up (SIGKILL), and any
    stale one is removed by the next run. Yields the temporary folder.

    The folder is checked first (:func:`check_output_dir`): a folder that is neither empty
    nor mobility's own output, or that holds one of ``inputs``, is never replaced.
    """
    target = check_output_dir(path, inputs=inputs)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_partials(target)
        tmp = Path(
            tempfile.mkdtemp(
                prefix=f".{target.name}.{os.getpid()}.", suffix=".partial", dir=target.parent
            )
        )
    except OSError as exc:
        raise InputError(
            f"cannot create the folder ({exc.strerror or exc.__class__.__name__})",
            file=target.parent,
        ) from None
    os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; give the usual folder mode
    old = target.with_name(f".{target.name}.{os.getpid()}.old.partial")
    cleaner = subprocess.Popen(
        [sys.executable, "-c", _CLEANER, str(tmp), str(old), str(target)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield tmp
        if target.exists():
            os.replace(target, old)
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        assert cleaner.stdin is not None
        cleaner.stdin.close()
        cleaner.wait()


def manifest(
    *,
    version: str,
    inputs: Mapping[str, str | Path],
    settings: Mapping[str, Any],
    timings_s: Mapping[str, float] | None = None,
    outputs: Mapping[str, str | Path] | None = None,
) -> dict[str, Any]:
    """Describe a run: version, inputs with sha256, settings, timings and output hashes."""
    return {
        "mobility_version": version,
        "inputs": {
            name: {"path": str(p), "sha256": sha256_file(p)} for name, p in sorted(inputs.items())
        },
        "settings": dict(settings),
        "outputs": {
            name: {"path": Path(p).name, "sha256": sha256_file(p)}
            for name, p in sorted((outputs or {}).items())
        },
        "timings_s": {k: round(v, 3) for k, v in (timings_s or {}).items()},
    }


def write_json(path: str | Path, obj: Any) -> Path:
    """Write JSON atomically, sorted keys, two-space indent, trailing newline."""
    return atomic_write_text(
        path, json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )
