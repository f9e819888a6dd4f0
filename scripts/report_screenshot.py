"""Make ``docs/report_screenshot.png``: the reply-tree section of the report on the sample thread.

Runs the analyses that are available on ``threads/001_*`` (without sentence embeddings, so it is
quick and needs no model), writes the reports to a temporary folder and captures the section in
headless Chromium. A stage that fails is left out and named on stderr; the page then says "not
available" for it, as a user would see.

    python scripts/report_screenshot.py [--out docs/report_screenshot.png] [--section tree]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))


def tables_for(threads) -> dict:
    """Every analysis table this checkout can produce for ``threads`` (no embeddings)."""
    from discourse.analysis.units import text_units

    tables: dict = {}
    units = text_units(threads)
    try:
        from discourse.analysis.pipeline import analyze

        tables.update(analyze(threads, use_embeddings=False).tables)
    except Exception as e:  # noqa: BLE001 - a stage under construction: keep the stages that work
        print(f"report_screenshot: full pipeline failed ({e!r}); trying stages one by one", file=sys.stderr)
        from discourse.analysis.pipeline import analyze

        for stages in (["sentiment", "topics", "threads"], ["sentiment", "threads"]):
            try:
                tables.update(analyze(threads, use_embeddings=False, stages=stages).tables)
                break
            except Exception as e2:  # noqa: BLE001
                print(f"report_screenshot: stages {stages} failed ({e2!r})", file=sys.stderr)
    extra = {
        "frames": lambda: __import__("discourse.analysis.framing", fromlist=["FrameTagger"]).FrameTagger(
            use_embeddings=False).transform(units),
        "narratives": lambda: __import__("discourse.analysis.narratives", fromlist=["NarrativeMatcher"]).NarrativeMatcher(
            use_embeddings=False).transform(units),
        "claims": lambda: __import__("discourse.analysis.claims", fromlist=["ClaimExtractor"]).ClaimExtractor().transform(units),
        "targets": lambda: __import__("discourse.analysis.target_stance", fromlist=["TargetStance"]).TargetStance().transform(units),
    }
    for name, make in extra.items():
        if name in tables:
            continue
        try:
            tables[name] = make()
        except Exception as e:  # noqa: BLE001 - a missing analysis shows as 'not available'
            print(f"report_screenshot: {name} not available ({e!r})", file=sys.stderr)
    return tables


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(ROOT / "docs" / "report_screenshot.png"))
    ap.add_argument("--section", default="tree", help="section id to capture (summary, article, tree, ...)")
    ap.add_argument("--thread", default="001", help="file name prefix of the sample thread")
    args = ap.parse_args(argv)

    from browser_check import Browser, find_chromium, problems

    from discourse.readers import read_threads
    from discourse.readers.manifest import apply_manifest
    from discourse.report import write_reports

    if not find_chromium():
        print("report_screenshot: no chromium found", file=sys.stderr)
        return 2
    path = next((ROOT / "threads").glob(f"{args.thread}_*.txt"))
    threads = apply_manifest(read_threads([path], semantic=False), ROOT / "threads" / "manifest.csv")
    with tempfile.TemporaryDirectory() as tmp:
        write_reports(threads, tables_for(threads), tmp, quiet=True)
        page = Path(tmp) / f"{threads[0].thread_id}.html"
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        with Browser(width=1100, height=1200) as browser:
            r = browser.open(page, screenshot=args.out, selector=f"#{args.section}", max_height=1500)
    print(f"{args.out}: {page.name} #{args.section}; checks: {'; '.join(problems(r)) or 'ok'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
