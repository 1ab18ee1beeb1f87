"""Weights files (``weights/*.yaml``): criterion and sub-criterion weights, normalisation.

Schema (every key optional except that the document is a mapping)::

    name: climate_first                 # free text
    description: ...                    # free text
    source: ...                         # where the profile comes from
    criteria: {"1": 1, "2": 1, "3": 3, "4": 1, "5": 1, "6": 1}
    subcriteria: {"3.1": 2, "3.2": 1}   # relative weights within each criterion
    normalisation:                      # per sub-criterion, overrides the scenario's method
      "3.1": {method: target, zero: 0, target: -20000}
      "4.2": {method: rank}             # minmax | rank | winsorised | target

A sub-criterion not listed under ``normalisation`` uses the method of the scenario
(``scoring: normalisation:``) or of ``mobility rank --normalisation`` (default winsorised, see
:mod:`mobility.scoring.normalise`); judged grades are always x 25.

Rules: weights are relative (normalised to sum 1: criteria over the six, sub-criteria within
their criterion); ``criteria`` missing means all equal; if given it must list all six (a
missing id is reported, not silently set to zero). For a criterion whose sub-criteria are not
listed, its sub-criteria weigh equally; if any of them is listed, both must be. Weights are
non-negative and each sum is > 0 (for a criterion with weight 0 the sub-criterion weights may
be all 0). Errors name the file and the field.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mobility.config import Fields, load_yaml
from mobility.errors import InputError
from mobility.resources import bundled_dir, bundled_file
from mobility.scoring import pejlemaerker as pm
from mobility.scoring.normalise import SCENARIO_METHODS

ALLOWED_KEYS = ("name", "description", "source", "criteria", "subcriteria", "normalisation")


@dataclass(frozen=True)
class NormalisationSpec:
    """How one sub-criterion's modelled values are normalised (see :mod:`normalise`)."""

    method: str = "minmax"
    zero: float | None = None
    target: float | None = None


@dataclass(frozen=True)
class Weights:
    """Validated weights.

    Attributes
    ----------
    name
        Profile name (file stem unless the file names it).
    criteria
        (6,) criterion weights summing to 1, in :func:`pejlemaerker.criterion_ids` order.
    subcriteria
        (12,) sub-criterion weights, each criterion's pair summing to 1 (or 0 when the
        criterion weighs 0), in :func:`pejlemaerker.subcriterion_ids` order.
    normalisation
        Sub-criterion id -> :class:`NormalisationSpec` for the ones the weights file sets
        (they override the scenario's normalisation method).
    source
        The file the weights came from ("" for built-in equal weights).
    """

    name: str
    criteria: np.ndarray
    subcriteria: np.ndarray
    normalisation: dict[str, NormalisationSpec] = field(default_factory=dict)
    source: str = ""

    @property
    def effective(self) -> np.ndarray:
        """(12,) weight of each sub-criterion in the total (criterion x within-criterion)."""
        return self.criteria[criterion_index()] * self.subcriteria

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly description (for manifests)."""
        return {
            "name": self.name,
            "source": self.source,
            "criteria": {
                c: float(w) for c, w in zip(pm.criterion_ids(), self.criteria, strict=True)
            },
            "subcriteria": {
                s: float(w) for s, w in zip(pm.subcriterion_ids(), self.subcriteria, strict=True)
            },
            "normalisation": {
                k: {"method": v.method, "zero": v.zero, "target": v.target}
                for k, v in sorted(self.normalisation.items())
            },
        }


def criterion_index() -> np.ndarray:
    """(12,) index into the six criteria for each sub-criterion."""
    ids = pm.criterion_ids()
    return np.array([ids.index(s.criterion) for s in pm.subcriteria()], dtype=np.int64)


def equal_weights() -> Weights:
    """All six criteria equal, sub-criteria equal within each criterion."""
    return Weights("equal", np.full(6, 1.0 / 6.0), np.full(12, 0.5))


def _weight_map(fields: Fields, key: str, ids: tuple[str, ...]) -> dict[str, float] | None:
    sub = fields.sub(key, None)
    if sub is None:
        return None
    sub.check_unknown(list(ids))
    return {str(k): sub.number(str(k), minimum=0.0) for k in sub.data}


def _normalisation(fields: Fields) -> dict[str, NormalisationSpec]:
    norm = fields.sub("normalisation", None)
    if norm is None:
        return {}
    norm.check_unknown(list(pm.subcriterion_ids()))
    out: dict[str, NormalisationSpec] = {}
    for key in sorted(str(k) for k in norm.data):
        spec = norm.sub(key)
        spec.check_unknown(["method", "zero", "target"])
        method = spec.str("method", choices=[*SCENARIO_METHODS, "target"])
        if method == "target":
            zero = spec.number("zero")
            tgt = spec.number("target")
            if zero == tgt:
                raise spec.error("target", f"equals zero ({zero:g})", expected="target != zero")
            out[key] = NormalisationSpec("target", zero, tgt)
        else:
            out[key] = NormalisationSpec(method)
    return out


def load_weights(path: str | Path) -> Weights:
    """Read and validate a weights file.

    Raises
    ------
    InputError
        Naming file and field, for unknown ids or keys, negative weights, zero sums.
    """
    p = Path(path)
    fields = Fields(load_yaml(p), file=p)
    fields.check_unknown(list(ALLOWED_KEYS))
    name = fields.str("name", p.stem)
    crit_ids = pm.criterion_ids()
    crit = _weight_map(fields, "criteria", crit_ids)
    if crit is None:
        cw = np.ones(6)
    else:
        for cid in crit_ids:
            if cid not in crit:
                raise InputError(
                    "is missing", file=p, field=f"criteria.{cid}", expected="a weight for all six"
                )
        cw = np.array([crit[c] for c in crit_ids])
        if cw.sum() <= 0.0:
            raise InputError("weights sum to 0", file=p, field="criteria", expected="sum > 0")
    cw = cw / cw.sum()
    subs = _weight_map(fields, "subcriteria", pm.subcriterion_ids()) or {}
    sw = np.zeros(12)
    for ci, criterion in enumerate(pm.CRITERIA):
        ids = [s.id for s in criterion.subcriteria]
        given = [i for i in ids if i in subs]
        start = pm.subcriterion_ids().index(ids[0])
        if not given:
            vals = np.ones(len(ids))
        else:
            for i in ids:
                if i not in subs:
                    raise InputError(
                        "is missing",
                        file=p,
                        field=f"subcriteria.{i}",
                        expected=f"weights for all of {', '.join(ids)} or none",
                    )
            vals = np.array([subs[i] for i in ids])
        total = vals.sum()
        if total <= 0.0:
            if cw[ci] > 0.0:
                raise InputError(
                    f"weights of criterion {criterion.id} sum to 0",
                    file=p,
                    field="subcriteria",
                    expected="sum > 0 within each weighted criterion",
                )
            sw[start : start + len(ids)] = 0.0
        else:
            sw[start : start + len(ids)] = vals / total
    return Weights(name, cw, sw, _normalisation(fields), str(p))


def resolve_weights(spec: str | Path | None) -> Weights:
    """Weights from a file path, a bundled profile name (``climate_first``) or None (equal).

    Raises
    ------
    InputError
        If the file does not exist and no bundled profile has that name.
    """
    if spec is None:
        return equal_weights()
    p = Path(spec)
    if p.is_file():
        return load_weights(p)
    if p.suffix == "" and p.name == str(spec):
        try:
            return load_weights(bundled_file("weights", f"{p.name}.yaml"))
        except InputError:
            pass
    names = []
    with contextlib.suppress(InputError):
        names = sorted(f.stem for f in bundled_dir("weights").glob("*.yaml"))
    raise InputError(
        "weights file not found",
        file=p,
        expected="a weights YAML file or a bundled profile: " + (", ".join(names) or "(none)"),
    )
