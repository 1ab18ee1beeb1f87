"""Benchmark: solve a 200-project portfolio with every constraint type (target: < 10 s).

The instance is synthetic (seeded ``numpy.random.default_rng``): scores 0-100, capital cost
50-15,000 mio. kr., NPV, BCR, construction CO2e, opening years, construction periods of
1-6 years, parts of the region, mutually exclusive pairs, prerequisites, interaction terms,
a minimum per part, a CO2e cap, a minimum BCR and, with ``--annual``, a yearly budget with
start years 2026-2035.

Run::

    PYTHONPATH=. python benchmarks/portfolio.py    # total budget only + all other constraints
    PYTHONPATH=. python benchmarks/portfolio.py --annual   # with yearly budgets and start years
    PYTHONPATH=. python benchmarks/portfolio.py --solver cbc --annual --budget-share 0.1
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from mobility.scoring.portfolio import optimise
from mobility.scoring.portfolio_problem import Candidate, Constraints, Interaction
from mobility.scoring.portfolio_solver import SOLVERS

PARTS = ("central", "koege_bugt", "roskilde", "frederikssund", "hilleroed", "helsingoer")


def instance(
    n: int, *, seed: int, annual: bool, budget_share: float = 0.35
) -> tuple[list[Candidate], Constraints]:
    """A seeded synthetic instance with ``n`` projects and every constraint type."""
    rng = np.random.default_rng(seed)
    cands = []
    for k in range(n):
        capex = float(np.round(rng.lognormal(7.0, 1.0), 1).clip(50, 15000))
        bcr = float(np.round(rng.lognormal(0.1, 0.4), 3))
        cands.append(
            Candidate(
                project_id=f"p{k:03d}",
                name=f"Synthetic project {k}",
                score=round(float(rng.uniform(0, 100)), 2),
                capex_mdkk=capex,
                npv_mdkk=round(capex * (bcr - 1.0), 1),
                bcr=bcr,
                region_parts=(PARTS[int(rng.integers(len(PARTS)))],),
                co2e_t=round(capex * float(rng.uniform(10, 60)), 0),
                opening_year=int(rng.integers(2027, 2040)),
                build_years=int(rng.integers(1, 7)),
            )
        )
    ids = [c.project_id for c in cands]
    total = sum(c.capex_mdkk for c in cands)
    pairs = rng.choice(ids, size=(20, 2), replace=True)
    exclusive = tuple(tuple(sorted(p)) for p in pairs[:10].tolist() if p[0] != p[1])
    requires = tuple((a, b) for a, b in pairs[10:].tolist() if a != b)
    inters = {}
    for a, b in rng.choice(ids, size=(40, 2)).tolist():
        if a != b:
            key = tuple(sorted((a, b)))
            inters[key] = Interaction(
                key[0], key[1], score_delta=round(float(rng.uniform(-20, 10)), 2)
            )
    cons = Constraints(
        budget_mdkk=round(budget_share * total, 1),
        annual_budget_mdkk=round(budget_share * total / 8, 1) if annual else None,
        first_year=2026,
        last_start_year=2035,
        exclusive=exclusive,
        requires=requires,
        min_per_part=tuple((p, 3) for p in PARTS),
        co2e_cap_t=round(0.3 * sum(c.co2e_t or 0.0 for c in cands), 0),
        min_bcr=1.0,
        interactions=tuple(inters.values()),
    )
    return cands, cons


def main() -> None:
    """Time one solve and print the result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2035)
    parser.add_argument("--annual", action="store_true", help="add yearly budgets")
    parser.add_argument("--solver", default="auto", choices=SOLVERS)
    parser.add_argument(
        "--budget-share", type=float, default=0.35, help="total budget / total capex"
    )
    args = parser.parse_args()
    cands, cons = instance(
        args.projects, seed=args.seed, annual=args.annual, budget_share=args.budget_share
    )
    t0 = time.perf_counter()
    result = optimise(cands, cons, solver=args.solver)
    elapsed = time.perf_counter() - t0
    print(
        f"{args.projects} projects, annual={args.annual}, solver={result.solver}: "
        f"{elapsed:.2f} s, {result.n_selected} selected, score {result.total_score:.2f}, "
        f"capex {result.total_capex_mdkk:.0f} of {cons.budget_mdkk:.0f} mio. kr. "
        f"({'OK' if elapsed < 10 else 'SLOWER THAN 10 s'})"
    )


if __name__ == "__main__":
    main()
