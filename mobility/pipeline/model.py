"""The model pipeline: one scenario through the demand model, its tables written to a folder.

``mobility model`` and ``mobility run`` call :func:`model_to_folder`; the model itself is
:func:`mobility.demand.model.run_model`.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["model_to_folder"]


def model_to_folder(
    scenario_path: Path, folder: Path, *, rel_gap: float | None = None, quiet: bool = False
) -> str:
    """Run the demand model (generation, distribution, mode choice, assignment) for the
    scenario file and write its indicators, link flows, PT line boardings and zone results
    into ``folder`` (atomically). Returns the one-line summary.

    Raises
    ------
    InputError
        For a ``rel_gap`` outside (0, 1), a bad scenario, or an output folder mobility may not
        replace (checked before the model runs).
    """
    from mobility.demand.model import run_model
    from mobility.demand.outputs import write_model_outputs
    from mobility.errors import InputError
    from mobility.fileio import atomic_output_dir, check_output_dir
    from mobility.progress import announce_compilation
    from mobility.scenario import load_scenario

    if rel_gap is not None and not 0 < rel_gap < 1:
        raise InputError(f"has value {rel_gap!r}", field="--gap", expected="0 < gap < 1")
    sc = load_scenario(scenario_path)
    check_output_dir(folder, inputs=[scenario_path])  # before the model runs
    announce_compilation(quiet=quiet)
    result = run_model(sc, rel_gap=rel_gap, progress=not quiet)
    with atomic_output_dir(folder, inputs=[scenario_path]) as tmp:
        write_model_outputs(result, tmp)
    delay = result.indicators["car_delay_hours_per_year"][0]
    return (
        f"model: {sc.name} ({sc.year}): car delay {delay / 1e6:.2f} mio h/yr, "
        f"{result.timings.get('total', 0.0):.1f} s -> {folder}"
    )
