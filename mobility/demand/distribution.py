"""Trip distribution: gravity models on generalised cost.

* :func:`furness` balances a seed matrix to row and column totals (iterative proportional
  fitting) and checks convergence;
* :func:`gravity_doubly_constrained` (commuting: homes and jobs both fixed) and
  :func:`gravity_singly_constrained` (other purposes: productions fixed, attractions as
  weights) with exponential deterrence ``exp(-beta * cost)`` on a generalised cost in minutes
  (the logsum over modes, see :mod:`mobility.demand.modechoice`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mobility.errors import ConvergenceError, InputError


@dataclass(frozen=True)
class FurnessResult:
    """A balanced matrix with its convergence record.

    Attributes
    ----------
    matrix
        ``(Z, Z)`` balanced trips.
    iterations
        Row+column scaling sweeps done.
    max_rel_error
        Largest relative deviation of a row or column sum from its target at the end.
    """

    matrix: np.ndarray
    iterations: int
    max_rel_error: float


def _check_totals(rows: np.ndarray, cols: np.ndarray, seed: np.ndarray) -> None:
    z = seed.shape[0]
    if seed.shape != (z, z) or rows.shape != (z,) or cols.shape != (z,):
        raise InputError(
            f"shapes seed {seed.shape}, rows {rows.shape}, cols {cols.shape} do not match",
            field="matrix",
        )
    for name, arr in (("productions", rows), ("attractions", cols)):
        if not np.all(np.isfinite(arr)) or np.any(arr < 0):
            raise InputError("must be finite and >= 0", field=name)
    if np.any(seed < 0) or not np.all(np.isfinite(seed)):
        raise InputError("seed must be finite and >= 0", field="matrix")


def furness(
    seed: np.ndarray,
    row_totals: np.ndarray,
    col_totals: np.ndarray,
    *,
    tol: float = 1e-9,
    max_iter: int = 2000,
) -> FurnessResult:
    """Scale ``seed`` so its row and column sums match the targets (Furness / IPF).

    Parameters
    ----------
    seed
        ``(Z, Z)`` non-negative seed (e.g. ``A_j * exp(-beta c_ij)`` without balancing).
    row_totals, col_totals
        ``(Z,)`` targets; their sums must agree to within ``tol`` (relative).
    tol
        Stop when every row and column sum is within ``tol`` (relative to the grand total).
    max_iter
        Maximum sweeps.

    Raises
    ------
    InputError
        Mismatched shapes or totals, or a positive target whose seed row/column is all zero.
    ConvergenceError
        Not balanced within ``max_iter`` sweeps.
    """
    t = np.array(seed, dtype=np.float64)
    rows = np.asarray(row_totals, dtype=np.float64)
    cols = np.asarray(col_totals, dtype=np.float64)
    _check_totals(rows, cols, t)
    grand = float(rows.sum())
    if abs(grand - float(cols.sum())) > tol * max(grand, 1.0) * 10:
        raise InputError(
            f"row total {grand:.6g} differs from column total {cols.sum():.6g}",
            field="attractions",
        )
    if np.any((rows > 0) & (t.sum(axis=1) <= 0)) or np.any((cols > 0) & (t.sum(axis=0) <= 0)):
        raise InputError("a zone with trips cannot reach any zone", field="cost")
    scale = max(grand, 1e-300)
    err = np.inf
    for it in range(1, max_iter + 1):
        rs = t.sum(axis=1)
        t *= np.divide(rows, rs, out=np.zeros_like(rs), where=rs > 0)[:, None]
        cs = t.sum(axis=0)
        t *= np.divide(cols, cs, out=np.zeros_like(cs), where=cs > 0)[None, :]
        err = (
            max(
                float(np.max(np.abs(t.sum(axis=1) - rows))),
                float(np.max(np.abs(t.sum(axis=0) - cols))),
            )
            / scale
        )
        if err <= tol:
            return FurnessResult(matrix=t, iterations=it, max_rel_error=err)
    raise ConvergenceError(
        f"Furness balancing did not converge in {max_iter} sweeps (error {err:.3g} > {tol:g})"
    )


def deterrence(cost: np.ndarray, *, beta: float) -> np.ndarray:
    """``exp(-beta * (cost - min cost))``; ``0`` where cost is infinite."""
    c = np.asarray(cost, dtype=np.float64)
    finite = np.isfinite(c)
    if not finite.any():
        raise InputError("no finite generalised cost", field="cost")
    shift = float(c[finite].min())
    out = np.zeros_like(c)
    out[finite] = np.exp(-beta * (c[finite] - shift))
    return out


def gravity_doubly_constrained(
    productions: np.ndarray,
    attractions: np.ndarray,
    cost: np.ndarray,
    *,
    beta: float,
    tol: float = 1e-9,
    max_iter: int = 2000,
) -> FurnessResult:
    """Doubly constrained gravity model ``T_ij = a_i b_j P_i A_j exp(-beta c_ij)``.

    Parameters
    ----------
    productions, attractions
        ``(Z,)`` trip ends with equal sums (homes and workplaces for commuting).
    cost
        ``(Z, Z)`` generalised cost in minutes (``np.inf`` where unreachable).
    beta
        Deterrence per minute (> 0).
    """
    if not beta > 0:
        raise InputError(f"has value {beta!r}", field="beta", expected="> 0")
    p = np.asarray(productions, dtype=np.float64)
    a = np.asarray(attractions, dtype=np.float64)
    seed = p[:, None] * a[None, :] * deterrence(cost, beta=beta)
    return furness(seed, p, a, tol=tol, max_iter=max_iter)


def gravity_singly_constrained(
    productions: np.ndarray,
    attractions: np.ndarray,
    cost: np.ndarray,
    *,
    beta: float,
) -> np.ndarray:
    """Production-constrained gravity model ``T_ij = P_i A_j f_ij / sum_k A_k f_ik``.

    Rows sum exactly to ``productions``; ``attractions`` act as destination weights.
    """
    if not beta > 0:
        raise InputError(f"has value {beta!r}", field="beta", expected="> 0")
    p = np.asarray(productions, dtype=np.float64)
    a = np.asarray(attractions, dtype=np.float64)
    c = np.asarray(cost, dtype=np.float64)
    _check_totals(p, a, np.where(np.isfinite(c), 0.0, 0.0))
    finite = np.isfinite(c)
    row_min = np.min(np.where(finite, c, np.inf), axis=1)
    row_min = np.where(np.isfinite(row_min), row_min, 0.0)
    f = np.where(finite, np.exp(-beta * (np.where(finite, c, 0.0) - row_min[:, None])), 0.0)
    w = a[None, :] * f
    s = w.sum(axis=1)
    if np.any((p > 0) & (s <= 0)):
        raise InputError("a zone with trips reaches no attracting zone", field="cost")
    return p[:, None] * np.divide(w, s[:, None], out=np.zeros_like(w), where=s[:, None] > 0)
