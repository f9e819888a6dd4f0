"""The reports of threads/ as a reader sees them in headless Chromium at 1400 px: nothing wider than
the window, every plot sharp (at least 150 dpi), every highlight with its label printed, and stance
targets that are targets. The README's screenshots come from here (``scripts/report_screenshot.py``
runs :func:`render_and_shoot` into docs/)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from browser_check import LAYOUT_PROBE, Browser, find_chromium, layout_problems, problems  # noqa: E402

from discourse.cli import main  # noqa: E402

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(find_chromium() is None, reason="no chromium found (apt-get install chromium)")]

#: the page, and the file its screenshot is saved as
PAGES = {"index": ("index.html", "report_index.png"), "thread": ("001_*.html", "report_thread.png"),
         "compare": ("compare.html", "report_compare.png")}
MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}


def render_and_shoot(out: Path, shots: Path, fast: bool = True) -> dict[str, dict]:
    """Write the reports of threads/ to ``out`` and screenshot each page of :data:`PAGES` into
    ``shots`` at a 1400 px window; returns each page's layout measurements."""
    argv = ["report", str(ROOT / "threads"), "-o", str(out), "-q"] + (["--fast"] if fast else [])
    assert main(argv) == 0
    shots.mkdir(parents=True, exist_ok=True)
    found = {}
    with Browser(width=1400, height=900) as browser:
        for key, (pattern, name) in PAGES.items():
            page = next(out.glob(pattern))
            r = browser.open(page, screenshot=shots / name, evaluate=LAYOUT_PROBE, full_height=2200 if key == "thread" else None)
            found[key] = r
    return found


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("layout")
    shots = Path(os.environ.get("DISCOURSE_SCREENSHOTS") or out / "shots")
    return out, shots, render_and_shoot(out / "reports", shots)


def test_pages_fit_the_window_with_sharp_plots_and_labelled_highlights(rendered):
    _, shots, found = rendered
    for key, r in found.items():
        assert problems(r) == [], (key, problems(r))
        assert layout_problems(r["evaluated"]) == [], (key, layout_problems(r["evaluated"]))
        assert (shots / PAGES[key][1]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert found["thread"]["evaluated"]["images"] >= 3
    assert found["thread"]["evaluated"]["marks"] > 0  # the label check had something to check


def test_the_layout_probe_catches_what_it_looks_for(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><body style="margin:0"><div style="width:3000px">wide</div>'
                    '<p><mark title="frame: Economic">economy</mark> and no label</p></body>', encoding="utf-8")
    with Browser(width=1400, height=600) as browser:
        found = layout_problems(browser.open(page, evaluate=LAYOUT_PROBE)["evaluated"])
    assert any("wider than the window" in f for f in found) and any("without a visible label" in f for f in found)


def test_targets_are_targets(rendered):
    import pandas as pd

    out, _, _ = rendered
    targets = pd.read_csv(out / "reports" / "tables" / "targets.csv")["target"].astype(str)
    bad = [t for t in set(targets) if t.lower() in MONTHS | WEEKDAYS or (t.isupper() and len(t) > 4 and " " not in t)]
    assert not bad, bad
