"""Benchmark: sensitivity analysis (SMAA rank acceptability) with N weight draws on n projects.

Issue 5 target: N = 10,000 draws on 30 projects in under 5 s. The decision matrix is random
(synthetic 0-100 sub-criterion scores, seeded); timing covers sampling, scoring the whole batch
and the rank statistics, for each method.

Peer, in the same run when pymcdm is importable (``pip install .[test]``): the same number of
weight vectors scored one at a time by pymcdm (WSM, TOPSIS with min-max normalisation,
PROMETHEE II with the usual criterion) on the 12 sub-criterion columns, each followed by its
rank vector -- the loop a user of that library would write. The ratio is ours / pymcdm.

Usage::

    python benchmarks/scoring.py [--samples 10000] [--projects 30] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from mobility.scoring import ranking as rk
from mobility.scoring.weights import equal_weights


def peer_seconds(method: str, scores: np.ndarray, n_samples: int, seed: int) -> float | None:
    """Seconds for pymcdm to score and rank ``n_samples`` Dirichlet weight draws, or None."""
    try:
        from pymcdm import normalizations as pn
        from pymcdm.helpers import rrankdata
        from pymcdm.methods import PROMETHEE_II, TOPSIS, WSM
    except ImportError:
        return None
    peer = {
        "weighted_sum": WSM(pn.minmax_normalization),
        "topsis": TOPSIS(pn.minmax_normalization),
        "promethee": PROMETHEE_II("usual"),
    }[method]
    k = scores.shape[1]
    draws = np.random.default_rng(seed).dirichlet(np.ones(k), n_samples)
    types = np.ones(k)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pymcdm warns about dominated alternatives
        for w in draws:
            rrankdata(peer(scores, w, types))
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--projects", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    rng = np.random.default_rng(2024)
    n = args.projects
    ids = [f"p{i:03d}" for i in range(n)]
    matrix = rk.DecisionMatrix(
        project_ids=ids,
        names=ids,
        sub_scores=rng.uniform(0.0, 100.0, (n, 12)),
        judged=np.zeros((n, 12), dtype=bool),
        choices=[],
        methods=[],
        npv_mdkk=np.full(n, np.nan),
        bcr=np.full(n, np.nan),
    )
    weights = equal_weights()
    print(f"sensitivity: N={args.samples} draws, n={n} projects, best of {args.repeat}")
    for method in ("weighted_sum", "topsis", "promethee"):
        ranking = rk.rank_projects(matrix, weights, method=method)
        best = np.inf
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            rk.run_sensitivity(ranking, n_samples=args.samples, top_k=5, seed=1)
            best = min(best, time.perf_counter() - t0)
        status = "OK" if best < 5.0 else "SLOW (target < 5 s)"
        peer = peer_seconds(method, matrix.sub_scores, args.samples, seed=1)
        versus = "" if peer is None else f"  pymcdm loop {peer:7.3f} s  ratio {best / peer:.3f}"
        print(f"  {method:13s} {best:7.3f} s  {status}{versus}")


if __name__ == "__main__":
    main()
