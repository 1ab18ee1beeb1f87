"""Screenshots of the report for docs/report.md (issue 15): the first screen, one map and one
project section, in Danish, from a run folder (default: the default run's ``out/reference_2035``).

Usage::

    mobility run                       # the default run, report in Danish
    python scripts/report_screenshots.py [RUN_FOLDER] [--chromium /usr/bin/chromium]

Each shot is headless Chromium (Debian's ``chromium``) in a 1280 x 900 window, offline (no
network flags), on a temporary copy of ``report.html`` whose body shows only the element with
the shot's id (the whole page for the first screen); written as PNG into ``docs/img/``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

#: (file name, anchor in report.html, what it shows)
SHOTS = (
    ("report_first_screen.png", "", "the first screen: title, summary and ranking"),
    ("report_map.png", "maps", "the reference network map on the municipality boundaries"),
    ("report_project.png", "project-v1_ring5_syd", "one project's case (V1 Ring 5 Syd)"),
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1280,900",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("run", nargs="?", default="out/reference_2035", type=Path)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    parser.add_argument("--out", default=Path(__file__).resolve().parent.parent / "docs" / "img")
    args = parser.parse_args()
    report = (args.run / "report.html").resolve()
    if not report.is_file():
        print(
            f"report_screenshots: {report}: not found (run `mobility run` first)", file=sys.stderr
        )
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    html = report.read_text(encoding="utf-8")
    for name, anchor, _what in SHOTS:
        with tempfile.TemporaryDirectory() as tmp:
            page = Path(tmp) / "report.html"
            only = (
                f"<script>addEventListener('load',()=>{{const e=document.getElementById("
                f"'{anchor}');if(e)document.body.replaceChildren(e);}});</script>"
                if anchor
                else ""
            )
            page.write_text(html.replace("</body>", only + "</body>", 1), encoding="utf-8")
            cmd = [args.chromium, *FLAGS, f"--user-data-dir={tmp}/profile"]
            cmd += ["--virtual-time-budget=5000", f"--screenshot={out / name}", page.as_uri()]
            subprocess.run(cmd, check=True, capture_output=True, timeout=120)
        print(f"{out / name}: {(out / name).stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
