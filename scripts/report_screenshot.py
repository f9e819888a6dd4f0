"""Make the README's screenshots: the index, a thread page and the comparison of ``threads/``.

The same function the browser test runs (``tests/test_report_layout.py``): it writes the reports of
the sample threads with ``discourse report``, opens each page in headless Chromium at a 1400 px
window, saves a screenshot and measures the layout (nothing wider than the window, plots at 150 dpi
or more, every highlight labelled). So what the README shows is what the code renders.

    python scripts/report_screenshot.py [--out docs/] [--fast]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from browser_check import LAYOUT_PROBE, Browser, find_chromium, layout_problems, problems  # noqa: E402

#: the page, and the file its screenshot is saved as
PAGES = {"index": ("index.html", "report_index.png"), "thread": ("001_*.html", "report_thread.png"),
         "compare": ("compare.html", "report_compare.png")}


def render_and_shoot(out: Path, shots: Path, fast: bool = True) -> dict[str, dict]:
    """Write the reports of threads/ to ``out`` and screenshot each page of :data:`PAGES` into
    ``shots`` at a 1400 px window; returns each page's probe results (layout in ``evaluated``)."""
    from discourse.cli import main

    argv = ["report", str(ROOT / "threads"), "-o", str(out), "-q"] + (["--fast"] if fast else [])
    if main(argv) != 0:
        raise RuntimeError("discourse report failed on threads/")
    shots.mkdir(parents=True, exist_ok=True)
    found = {}
    with Browser(width=1400, height=900) as browser:
        for key, (pattern, name) in PAGES.items():
            page = next(out.glob(pattern))
            found[key] = browser.open(page, screenshot=shots / name, evaluate=LAYOUT_PROBE,
                                      full_height=2200 if key == "thread" else None)
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(ROOT / "docs"), help="folder for the PNGs (default: docs/)")
    ap.add_argument("--fast", action="store_true", help="reports without the sentence encoder")
    args = ap.parse_args(argv)
    if not find_chromium():
        print("report_screenshot: no chromium found", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        found = render_and_shoot(Path(tmp) / "reports", Path(args.out), fast=args.fast)
    for key, r in found.items():
        issues = problems(r) + layout_problems(r["evaluated"])
        print(f"{Path(args.out) / PAGES[key][1]}: {'; '.join(issues) or 'ok'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
