"""Read and write the TNTP formats (Transportation Networks for Research).

Files handled: ``*_net.tntp`` (links), ``*_trips.tntp`` (OD demand), ``*_flow.tntp``
(best-known link flows) and ``*_node.tntp`` (coordinates). Format: an optional metadata header
of ``<KEY> value`` lines closed by ``<END OF METADATA>``, ``~`` starts a comment, ``;``
terminates a record. Node ids are ``1..<NUMBER OF NODES>`` (some may be unused); zones are the
nodes ``1..<NUMBER OF ZONES>``, and nodes below ``<FIRST THRU NODE>`` may start or end a path
but never be passed through.

Every malformed input raises :class:`mobility.errors.InputError` naming the file and line.
"""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import numpy as np

from mobility.errors import InputError
from mobility.fileio import write_csv
from mobility.network.graph import LinkNetwork
from mobility.network.vdf import named_parameters

#: Link columns of a ``*_net.tntp`` file, in order; the last three may be missing.
NET_COLUMNS = (
    "init_node",
    "term_node",
    "capacity",
    "length",
    "free_flow_time",
    "b",
    "power",
    "speed",
    "toll",
    "link_type",
)
_REQUIRED_NET_COLUMNS = 7
_META = re.compile(r"^\s*<([^>]+)>(.*)$")
_PAIR = re.compile(r"([^\s:;]+)\s*:\s*([^\s:;]+)\s*;?")


def _read_lines(path: str | Path) -> list[str]:
    """The file's lines, or InputError if it cannot be read."""
    p = Path(path)
    if not p.is_file():
        raise InputError("file not found", file=p, expected="an existing TNTP file")
    try:
        return p.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", file=p) from exc


def _strip(line: str) -> str:
    """Remove a ``~`` comment and surrounding white space."""
    cut = line.find("~")
    if cut >= 0:
        line = line[:cut]
    return line.strip()


def _metadata(lines: list[str], path: str | Path) -> tuple[dict[str, tuple[str, int]], int]:
    """Parse the metadata header.

    Returns
    -------
    (meta, body_start)
        ``meta`` maps an upper-case key to (value text, 1-based line); ``body_start`` is the
        0-based index of the first line after ``<END OF METADATA>`` (0 if there is no header).
    """
    meta: dict[str, tuple[str, int]] = {}
    for i, raw in enumerate(lines):
        m = _META.match(raw)
        if m is None:
            if _strip(raw):
                # Data before <END OF METADATA>: the file has no (complete) header.
                return meta, 0 if not meta else i
            continue
        key = " ".join(m.group(1).upper().split())
        if key == "END OF METADATA":
            return meta, i + 1
        meta[key] = (_strip(m.group(2)), i + 1)
    if meta:
        raise InputError("no <END OF METADATA> line", file=path, expected="a TNTP header")
    return meta, len(lines)


def _meta_int(
    meta: dict[str, tuple[str, int]], key: str, path: str | Path, *, default: int | None = None
) -> int:
    """An integer metadata value (InputError if missing and no default, or not an integer)."""
    if key not in meta:
        if default is not None:
            return default
        raise InputError(f"metadata <{key}> is missing", file=path, expected="an integer")
    text, line = meta[key]
    try:
        value = int(float(text.split()[0]))
    except (ValueError, IndexError):
        raise InputError(
            f"metadata <{key}> is {text!r}", file=path, line=line, expected="an integer"
        ) from None
    if value < 0:
        raise InputError(f"metadata <{key}> is {value}", file=path, line=line, expected=">= 0")
    return value


def _float(token: str, path: str | Path, line: int, field: str) -> float:
    """Parse a finite float, or InputError naming file, line and field."""
    try:
        value = float(token)
    except ValueError:
        raise InputError(
            f"value {token!r} is not a number", file=path, line=line, field=field
        ) from None
    if not math.isfinite(value):
        raise InputError(
            f"value {token!r} is not finite",
            file=path,
            line=line,
            field=field,
            expected="a finite number",
        )
    return value


def _node_id(token: str, path: str | Path, line: int, field: str) -> int:
    """Parse a node id (a positive integer, possibly written ``12.0``)."""
    value = _float(token, path, line, field)
    if value != int(value) or value < 1:
        raise InputError(
            f"node id {token!r} is not a positive integer", file=path, line=line, field=field
        )
    return int(value)


def read_net(path: str | Path) -> LinkNetwork:
    """Read a ``*_net.tntp`` link file.

    Parameters
    ----------
    path
        The network file.

    Returns
    -------
    LinkNetwork
        Links in file order; internal nodes are the used node ids (and every zone) in
        increasing id order; ``zone_nodes`` are the nodes ``1..<NUMBER OF ZONES>``;
        ``no_thru`` marks ids below ``<FIRST THRU NODE>``.

    Raises
    ------
    InputError
        Missing file or metadata, a non-numeric field, a link to a node beyond
        ``<NUMBER OF NODES>``, a non-positive capacity, negative time/length/b/power, or a
        link count that disagrees with ``<NUMBER OF LINKS>``; naming the file and line.
    """
    lines = _read_lines(path)
    meta, start = _metadata(lines, path)
    n_zones = _meta_int(meta, "NUMBER OF ZONES", path)
    n_nodes = _meta_int(meta, "NUMBER OF NODES", path)
    n_links = _meta_int(meta, "NUMBER OF LINKS", path)
    first_thru = _meta_int(meta, "FIRST THRU NODE", path, default=1)
    if n_zones > n_nodes:
        raise InputError(
            f"<NUMBER OF ZONES> {n_zones} exceeds <NUMBER OF NODES> {n_nodes}",
            file=path,
            line=meta["NUMBER OF ZONES"][1],
        )
    ids = np.empty((n_links, 2), dtype=np.int64)
    values = np.zeros((n_links, 8), dtype=np.float64)
    row_line = np.empty(n_links, dtype=np.int64)
    k = 0
    for i in range(start, len(lines)):
        text = _strip(lines[i]).replace(";", " ")
        if not text:
            continue
        tokens = text.split()
        lineno = i + 1
        if k >= n_links:
            raise InputError(f"more links than <NUMBER OF LINKS> {n_links}", file=path, line=lineno)
        if len(tokens) < _REQUIRED_NET_COLUMNS:
            raise InputError(
                f"link has {len(tokens)} fields",
                file=path,
                line=lineno,
                expected=f"at least {_REQUIRED_NET_COLUMNS} ({', '.join(NET_COLUMNS[:7])})",
            )
        for c in range(2):
            node = _node_id(tokens[c], path, lineno, NET_COLUMNS[c])
            if node > n_nodes:
                raise InputError(
                    f"link refers to unknown node {node}",
                    file=path,
                    line=lineno,
                    field=NET_COLUMNS[c],
                    expected=f"a node id <= <NUMBER OF NODES> {n_nodes}",
                )
            ids[k, c] = node
        for c in range(2, min(len(tokens), len(NET_COLUMNS))):
            values[k, c - 2] = _float(tokens[c], path, lineno, NET_COLUMNS[c])
        row_line[k] = lineno
        k += 1
    if k < n_links:
        raise InputError(
            f"file ends after {k} links but <NUMBER OF LINKS> is {n_links} (truncated?)",
            file=path,
            line=len(lines),
        )
    capacity, length, fftt, b, power, _speed, toll, link_type = values.T
    checks = (
        ("capacity", capacity > 0, "a positive number"),
        ("length", length >= 0, "a number >= 0"),
        ("free_flow_time", fftt >= 0, "a number >= 0"),
        ("b", b >= 0, "a number >= 0"),
        ("power", power >= 0, "a number >= 0"),
    )
    for field, ok, expected in checks:
        bad = np.flatnonzero(~ok)
        if bad.size:
            j = int(bad[0])
            raise InputError(
                f"link {j + 1} has {field} {values[j, NET_COLUMNS.index(field) - 2]!r}",
                file=path,
                line=int(row_line[j]),
                field=field,
                expected=expected,
            )
    used = np.union1d(np.arange(1, n_zones + 1, dtype=np.int64), ids.ravel())
    index = np.searchsorted(used, ids)
    net = LinkNetwork(
        node_ids=used,
        init=index[:, 0].copy(),
        term=index[:, 1].copy(),
        capacity=capacity.copy(),
        free_flow_time=fftt.copy(),
        length=length.copy(),
        **named_parameters(b, power),
        toll=toll.copy(),
        link_type=link_type.astype(np.int64),
        zone_nodes=np.arange(n_zones, dtype=np.int64),
        no_thru=used < first_thru,
        meta={"source": str(path), "format": "tntp", "first_thru_node": first_thru},
    )
    return net.validate(source=str(path))


def read_trips(path: str | Path, *, n_zones: int | None = None) -> np.ndarray:
    """Read a ``*_trips.tntp`` demand file into a dense ``(Z, Z)`` matrix.

    Parameters
    ----------
    path
        The trips file (``Origin N`` blocks of ``dest : value;`` pairs).
    n_zones
        The network's zone count; if given, the file's ``<NUMBER OF ZONES>`` must agree.

    Raises
    ------
    InputError
        Missing file, zone count disagreeing with ``n_zones``, a zone outside
        ``1..<NUMBER OF ZONES>``, a non-numeric or negative value, or pairs before the first
        ``Origin`` line; naming file and line.
    """
    lines = _read_lines(path)
    meta, start = _metadata(lines, path)
    if "NUMBER OF ZONES" in meta:
        z = _meta_int(meta, "NUMBER OF ZONES", path)
        if n_zones is not None and z != n_zones:
            raise InputError(
                f"<NUMBER OF ZONES> is {z} but the network has {n_zones} zones",
                file=path,
                line=meta["NUMBER OF ZONES"][1],
                field="NUMBER OF ZONES",
            )
    elif n_zones is not None:
        z = n_zones
    else:
        raise InputError("metadata <NUMBER OF ZONES> is missing", file=path)
    body = lines[start:]
    fast = _trips_fast(body, z)
    if fast is not None:
        return fast
    return _trips_slow(body, start, z, path)


_ORIGIN = re.compile(r"^\s*origin\s+", re.IGNORECASE | re.MULTILINE)


def _trips_fast(body: list[str], z: int) -> np.ndarray | None:
    """Vectorised parse of well-formed trips text; None if anything looks unusual."""
    text = "\n".join(line.partition("~")[0] for line in body)
    blocks = _ORIGIN.split(text)
    if blocks[0].strip():
        return None
    demand = np.zeros((z, z), dtype=np.float64)
    for block in blocks[1:]:
        head, _, rest = block.partition("\n")
        try:
            origin = int(head.strip())
        except ValueError:
            return None
        n_pairs = rest.count(":")
        if rest.count(";") != n_pairs:
            return None
        if n_pairs == 0:
            if rest.strip():
                return None
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                flat = np.fromstring(rest.replace(":", " ").replace(";", " "), sep=" ")
            except (ValueError, DeprecationWarning):
                return None
        if flat.size != 2 * n_pairs:
            return None
        arr = flat.reshape(-1, 2)
        dest = arr[:, 0].astype(np.int64)
        if (
            not 1 <= origin <= z
            or np.any(dest != arr[:, 0])
            or np.any((dest < 1) | (dest > z))
            or not np.all(np.isfinite(arr[:, 1]) & (arr[:, 1] >= 0))
        ):
            return None
        np.add.at(demand[origin - 1], dest - 1, arr[:, 1])
    return demand


def _trips_slow(body: list[str], start: int, z: int, path: str | Path) -> np.ndarray:
    """Line-by-line parse that names the file and line of the first problem."""
    lines = body
    demand = np.zeros((z, z), dtype=np.float64)
    origin = -1
    for i in range(len(lines)):
        text = _strip(lines[i])
        if not text:
            continue
        lineno = start + i + 1
        if text[:6].lower() == "origin":
            parts = text.split()
            if len(parts) != 2:
                raise InputError(
                    f"bad origin line {text!r}", file=path, line=lineno, expected="'Origin N'"
                )
            origin = _zone(parts[1], z, path, lineno, "origin")
            continue
        if origin < 0:
            raise InputError("demand before the first 'Origin' line", file=path, line=lineno)
        pairs = _PAIR.findall(text)
        if _PAIR.sub("", text).strip():
            raise InputError(
                f"cannot read {_PAIR.sub(' ', text).strip()!r}",
                file=path,
                line=lineno,
                expected="'destination : value;' pairs",
            )
        try:
            dests = [int(d) for d, _ in pairs]
            vals = [float(v) for _, v in pairs]
        except ValueError:
            dests, vals = [], []
            for d_tok, v_tok in pairs:
                dests.append(_zone(d_tok, z, path, lineno, "destination") + 1)
                vals.append(_float(v_tok, path, lineno, "demand"))
        for d_id, value in zip(dests, vals, strict=True):
            if not 1 <= d_id <= z:
                raise InputError(
                    f"zone {d_id} is outside 1..<NUMBER OF ZONES> {z}",
                    file=path,
                    line=lineno,
                    field="destination",
                )
            if not (value >= 0 and math.isfinite(value)):
                raise InputError(
                    f"demand {value!r}",
                    file=path,
                    line=lineno,
                    field="demand",
                    expected="a finite number >= 0",
                )
            demand[origin, d_id - 1] += value
    return demand


def _zone(token: str, n_zones: int, path: str | Path, line: int, field: str) -> int:
    """A 0-based zone index from a 1-based zone id token."""
    zone = _node_id(token, path, line, field)
    if zone > n_zones:
        raise InputError(
            f"zone {zone} is beyond <NUMBER OF ZONES> {n_zones}",
            file=path,
            line=line,
            field=field,
        )
    return zone - 1


def _table(path: str | Path, n_cols: int, names: tuple[str, ...]) -> list[list[float]]:
    """Numeric rows of a whitespace table whose first line may be a header."""
    lines = _read_lines(path)
    _, start = _metadata(lines, path)
    rows: list[list[float]] = []
    header_allowed = True
    for i in range(start, len(lines)):
        text = _strip(lines[i]).replace(";", " ")
        if not text:
            continue
        tokens = text.split()
        if header_allowed and not _is_number(tokens[0]):
            header_allowed = False
            continue
        header_allowed = False
        if len(tokens) < n_cols:
            raise InputError(
                f"row has {len(tokens)} fields",
                file=path,
                line=i + 1,
                expected=f"{n_cols} ({', '.join(names)})",
            )
        rows.append([_float(t, path, i + 1, names[c]) for c, t in enumerate(tokens[:n_cols])])
    if not rows:
        raise InputError("no data rows", file=path, expected=", ".join(names))
    return rows


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def read_flow(path: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read a ``*_flow.tntp`` best-known solution.

    Returns
    -------
    (init, term, volume, cost)
        External node ids (int64) and float64 volume and cost, one entry per row in file
        order (the same order as the network file's links).
    """
    rows = _table(path, 4, ("from", "to", "volume", "cost"))
    arr = np.asarray(rows, dtype=np.float64)
    return arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64), arr[:, 2], arr[:, 3]


def read_nodes(path: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Read a ``*_node.tntp`` coordinate file.

    Returns
    -------
    (node_ids, x, y)
        External node ids (int64) and coordinates (float64, the file's unit and system).
    """
    rows = _table(path, 3, ("node", "x", "y"))
    arr = np.asarray(rows, dtype=np.float64)
    return arr[:, 0].astype(np.int64), arr[:, 1], arr[:, 2]


def check_demand(
    net: LinkNetwork, demand: np.ndarray, file: str | Path | None = None
) -> np.ndarray:
    """Check an OD matrix against a network; return it as float64.

    Raises
    ------
    InputError
        If the matrix is not ``(Z, Z)`` for the network's ``Z`` zones, or holds a negative or
        non-finite value.
    """
    d = np.asarray(demand, dtype=np.float64)
    z = net.n_zones
    if d.shape != (z, z):
        raise InputError(
            f"demand has {d.shape[0] if d.ndim else 0} zones but the network has {z}"
            if d.ndim == 2 and d.shape[0] == d.shape[1]
            else f"demand has shape {d.shape}",
            file=file,
            field="demand",
            expected=f"a ({z}, {z}) matrix",
        )
    bad = np.argwhere(~np.isfinite(d))
    if bad.size:
        o, t = (int(x) + 1 for x in bad[0])
        raise InputError(f"demand {o}->{t} is not finite", file=file, field="demand")
    bad = np.argwhere(d < 0)
    if bad.size:
        o, t = (int(x) + 1 for x in bad[0])
        raise InputError(
            f"demand {o}->{t} is negative ({d[o - 1, t - 1]!r})",
            file=file,
            field="demand",
            expected="a number >= 0",
        )
    return d


def write_flows_csv(
    path: str | Path, net: LinkNetwork, flows: np.ndarray, costs: np.ndarray
) -> Path:
    """Write ``init_node,term_node,volume,cost``, one row per link in input order.

    Node ids are the external ids; volume and cost use fixed 6-decimal formatting so the same
    flows give byte-identical files.
    """
    init = net.node_ids[net.init].tolist()
    term = net.node_ids[net.term].tolist()
    rows = (
        (i, j, f"{v:.6f}", f"{c:.6f}")
        for i, j, v, c in zip(
            init, term, np.asarray(flows).tolist(), np.asarray(costs).tolist(), strict=True
        )
    )
    return write_csv(path, ("init_node", "term_node", "volume", "cost"), rows)
