"""Multi-criteria aggregation: weighted sum, TOPSIS and PROMETHEE II, and ranking with ties.

Every method takes a decision matrix ``matrix`` (n alternatives x k criteria) and weights,
either one vector (k,) or a batch (N, k) — the batch form is what the sensitivity analysis
uses, so each method is one vectorised kernel for both. Weights are normalised to sum 1.
``types`` gives +1 (benefit, more is better) or -1 (cost) per criterion; in the ranking
pipeline the matrix holds 0-100 sub-criterion scores, all benefit, with no further
normalisation (``normalization="none"``).

The normalisations follow the definitions used by pymcdm (checked in
``tests/scoring/test_mcda.py`` on random matrices): ``minmax`` (x - min)/(max - min), for cost
(max - x)/(max - min), a constant column -> 1; ``sum`` x/sum(x), for cost (1/x)/sum(1/x);
``vector`` x/||x||, for cost 1 - x/||x||.

Ties: :func:`rank_desc` gives tied alternatives the same, lowest rank ("1, 2, 2, 4",
competition ranking); scores closer than :data:`TIE_TOL` (relative to the score scale) count
as tied so that floating-point noise never orders equal alternatives. pymcdm's ``rrankdata``
gives tied alternatives their average rank ("1, 2.5, 2.5, 4"): the tie groups are the same, only
the label differs; the test converts one into the other.
"""

from __future__ import annotations

import numpy as np

from mobility.scenario_sections import MCDA_METHODS as METHODS

NORMALIZATIONS = ("none", "minmax", "sum", "vector")
PREFERENCES = ("usual", "linear")
#: Relative tolerance under which two scores are a tie.
TIE_TOL = 1e-9


def _weights(weights: np.ndarray, k: int) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    if w.shape[-1] != k or w.ndim not in (1, 2):
        raise ValueError(f"weights must have shape (k,) or (N, k) with k={k}, got {w.shape}")
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise ValueError("weights must be finite and non-negative")
    total = w.sum(axis=-1, keepdims=True)
    if np.any(total <= 0):
        raise ValueError("weights must sum to > 0")
    return w / total


def _types(types: np.ndarray | None, k: int) -> np.ndarray:
    if types is None:
        return np.ones(k)
    t = np.asarray(types, dtype=np.float64)
    if t.shape != (k,) or not np.all(np.isin(t, (-1.0, 1.0))):
        raise ValueError("types must be a (k,) array of +1 (benefit) and -1 (cost)")
    return t


def normalize(
    matrix: np.ndarray, *, types: np.ndarray | None = None, method: str = "minmax"
) -> np.ndarray:
    """Normalise each column of ``matrix`` into a benefit column (see module docstring).

    Parameters
    ----------
    matrix
        (n, k) raw values.
    types
        (k,) +1 benefit / -1 cost; None means all benefit.
    method
        ``"none"``, ``"minmax"``, ``"sum"`` or ``"vector"``. ``"none"`` requires all benefit.
    """
    x = np.asarray(matrix, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError("matrix must be 2-D (alternatives x criteria)")
    t = _types(types, x.shape[1])
    cost = t < 0
    if method == "none":
        if np.any(cost):
            raise ValueError("normalization 'none' needs benefit criteria only")
        return x.copy()
    out = np.empty_like(x)
    for j in range(x.shape[1]):
        col = x[:, j]
        if method == "minmax":
            lo, hi = np.min(col), np.max(col)
            if lo == hi:
                out[:, j] = 1.0
            elif cost[j]:
                out[:, j] = (hi - col) / (hi - lo)
            else:
                out[:, j] = (col - lo) / (hi - lo)
        elif method == "sum":
            if np.any(col <= 0):
                raise ValueError("sum normalization needs strictly positive values")
            out[:, j] = (1 / col) / np.sum(1 / col) if cost[j] else col / np.sum(col)
        elif method == "vector":
            norm = np.sqrt(np.sum(col**2))
            out[:, j] = 1 - col / norm if cost[j] else col / norm
        else:
            raise ValueError(f"unknown normalization {method!r}; one of {NORMALIZATIONS}")
    return out


def weighted_sum(
    matrix: np.ndarray,
    weights: np.ndarray,
    *,
    types: np.ndarray | None = None,
    normalization: str = "none",
) -> np.ndarray:
    """Weighted sum of the (normalised) criteria: (n,) or (N, n) scores, higher is better."""
    x = normalize(matrix, types=types, method=normalization)
    w = _weights(weights, x.shape[1])
    if w.ndim == 1:
        return np.sum(x * w, axis=1)
    return w @ x.T


def topsis(
    matrix: np.ndarray,
    weights: np.ndarray,
    *,
    types: np.ndarray | None = None,
    normalization: str = "none",
) -> np.ndarray:
    """TOPSIS closeness to the ideal, in [0, 1]: (n,) or (N, n), higher is better.

    Ideal and anti-ideal are the column maximum and minimum of the weighted normalised matrix
    (all columns are benefit after normalisation). An alternative whose distances to both are
    0 (all alternatives identical) gets 0.5.
    """
    x = normalize(matrix, types=types, method=normalization)
    w = _weights(weights, x.shape[1])
    single = w.ndim == 1
    wb = w[None, :] if single else w
    v = x[None, :, :] * wb[:, None, :]  # (N, n, k)
    pis = v.max(axis=1, keepdims=True)
    nis = v.min(axis=1, keepdims=True)
    dp = np.sqrt(np.sum((v - pis) ** 2, axis=2))
    dm = np.sqrt(np.sum((v - nis) ** 2, axis=2))
    denom = dm + dp
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.where(denom > 0, dm / np.where(denom > 0, denom, 1.0), 0.5)
    return c[0] if single else c


def preference_tensor(
    matrix: np.ndarray,
    *,
    types: np.ndarray | None = None,
    preference: str = "usual",
    p: np.ndarray | float | None = None,
    q: np.ndarray | float | None = None,
) -> np.ndarray:
    """(k, n, n) unweighted PROMETHEE preference degrees P_k(a_i, a_j) in [0, 1].

    ``usual``: 1 if a_i is strictly better than a_j on criterion k, else 0. ``linear``:
    0 up to the indifference threshold ``q`` (default 0), rising linearly to 1 at the
    preference threshold ``p`` (required, per criterion or one value), 1 beyond.
    """
    x = np.asarray(matrix, dtype=np.float64)
    t = _types(types, x.shape[1])
    d = (x[:, None, :] - x[None, :, :]) * t  # (n, n, k): d[i, j] = advantage of i over j
    d = np.moveaxis(d, 2, 0)
    if preference == "usual":
        return (d > 0).astype(np.float64)
    if preference != "linear":
        raise ValueError(f"unknown preference function {preference!r}; one of {PREFERENCES}")
    if p is None:
        raise ValueError("linear preference needs a preference threshold p")
    k = x.shape[1]
    pk = np.broadcast_to(np.asarray(p, dtype=np.float64), (k,))[:, None, None]
    qk = np.broadcast_to(np.asarray(0.0 if q is None else q, dtype=np.float64), (k,))[:, None, None]
    if np.any(pk <= qk):
        raise ValueError("linear preference needs p > q")
    return np.clip((d - qk) / (pk - qk), 0.0, 1.0)


def promethee_ii(
    matrix: np.ndarray,
    weights: np.ndarray,
    *,
    types: np.ndarray | None = None,
    preference: str = "usual",
    p: np.ndarray | float | None = None,
    q: np.ndarray | float | None = None,
    chunk: int = 2000,
) -> np.ndarray:
    """PROMETHEE II net outranking flow phi = phi+ - phi-, in [-1, 1]: (n,) or (N, n).

    phi+(a) = sum_b pi(a, b) / (n - 1), phi-(a) = sum_b pi(b, a) / (n - 1), with
    pi(a, b) = sum_k w_k P_k(a, b). Batches of weights are processed ``chunk`` at a time.
    """
    x = np.asarray(matrix, dtype=np.float64)
    n, k = x.shape
    w = _weights(weights, k)
    if n < 2:
        return np.zeros(n) if w.ndim == 1 else np.zeros((w.shape[0], n))
    pref = preference_tensor(x, types=types, preference=preference, p=p, q=q)
    # net flow is linear in w: phi = w @ (rowsum - colsum) / (n - 1)
    per_criterion = (pref.sum(axis=2) - pref.sum(axis=1)) / (n - 1)  # (k, n)
    if w.ndim == 1:
        return w @ per_criterion
    out = np.empty((w.shape[0], n))
    for start in range(0, w.shape[0], chunk):
        out[start : start + chunk] = w[start : start + chunk] @ per_criterion
    return out


def scores(
    matrix: np.ndarray,
    weights: np.ndarray,
    *,
    method: str = "weighted_sum",
    preference: str = "linear",
    p: float | None = None,
) -> np.ndarray:
    """Scores on a 0-100 scale for a benefit matrix of 0-100 sub-criterion scores.

    ``weighted_sum``: the weighted sum itself (0-100). ``topsis``: 100 x closeness.
    ``promethee``: 50 x (1 + net flow), so 50 means as much outranking as outranked.
    """
    if method == "weighted_sum":
        return weighted_sum(matrix, weights)
    if method == "topsis":
        return 100.0 * topsis(matrix, weights)
    if method == "promethee":
        return 50.0 * (1.0 + promethee_ii(matrix, weights, preference=preference, p=p))
    raise ValueError(f"unknown method {method!r}; one of {METHODS}")


def rank_desc(scores_: np.ndarray, *, tol: float = TIE_TOL) -> np.ndarray:
    """Competition ranks (1 = highest score; ties share the lowest rank) along the last axis.

    Two scores are tied when they differ by at most ``tol`` x max(1, max |score|).
    Works on (n,) or (N, n) arrays; returns int64 of the same shape.
    """
    s = np.asarray(scores_, dtype=np.float64)
    scale = max(1.0, float(np.max(np.abs(s)))) if s.size else 1.0
    eps = tol * scale
    # rank = 1 + number of alternatives strictly better by more than eps
    better = s[..., None, :] > s[..., :, None] + eps  # [..., i, j]: j better than i
    return 1 + better.sum(axis=-1).astype(np.int64)
