"""Several projects evaluated together (``mobility evaluate --combine a,b``) as one project.

:class:`Combined` offers what the appraisal reads of a project
(:func:`mobility.impacts.cba_inputs.cba_inputs`,
:func:`mobility.impacts.indicators.indicator_rows`): the parts' costs and construction CO2e
summed, the latest opening year, their judgements averaged, and every part's network changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Combined"]


@dataclass(frozen=True)
class Combined:
    """Several projects evaluated together (``--combine a,b``), as one pseudo-project."""

    parts: Sequence[Any]

    @property
    def id(self) -> str:
        return "+".join(p.id for p in self.parts)

    @property
    def name(self) -> str:
        return " + ".join(p.name for p in self.parts)

    @property
    def kind(self) -> str:
        kinds = {p.kind for p in self.parts}
        return kinds.pop() if len(kinds) == 1 else "other"

    @property
    def status(self) -> str:
        return "combination"

    @property
    def opening_year(self) -> int:
        return max(p.opening_year for p in self.parts)

    @property
    def capex_mdkk(self) -> float:
        return float(sum(p.capex_mdkk for p in self.parts))

    @property
    def capex_base_mdkk(self) -> float:
        return float(sum(p.capex_base_mdkk for p in self.parts))

    @property
    def opex_mdkk_per_year(self) -> float:
        return float(sum(p.opex_mdkk_per_year for p in self.parts))

    @property
    def construction_years(self) -> int | None:
        years = [p.construction_years for p in self.parts if p.construction_years]
        return max(years) if years else None

    @property
    def construction_co2e_norm_t(self) -> float | None:
        norms = [getattr(p, "construction_co2e_norm_t", None) for p in self.parts]
        return None if any(n is None for n in norms) else float(sum(norms))  # type: ignore[arg-type]

    @property
    def construction_co2e_t(self) -> float:
        return float(sum(p.construction_co2e_t for p in self.parts))

    @property
    def municipalities(self) -> tuple[str, ...]:
        out: list[str] = []
        for p in self.parts:
            out.extend(m for m in p.municipalities if m not in out)
        return tuple(out)

    @property
    def region_part(self) -> str:
        parts = {p.region_part for p in self.parts}
        return parts.pop() if len(parts) == 1 else "region"

    @property
    def judgements(self) -> dict[str, Any]:
        from mobility.projects import Judgement

        out = {}
        for sub in ("2.2", "5.2", "6.2"):
            js = [p.judgements[sub] for p in self.parts if sub in p.judgements]
            if js:
                out[sub] = Judgement(
                    score=round(sum(j.score for j in js) / len(js)),
                    reason="mean of: " + "; ".join(j.reason for j in js),
                )
        return out

    @property
    def path(self) -> str:
        return ", ".join(p.path for p in self.parts)

    @property
    def changes(self) -> tuple[Any, ...]:
        return tuple(c for p in self.parts for c in p.changes)
