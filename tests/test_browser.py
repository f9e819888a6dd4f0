"""Reports opened in a real headless Chromium: hostile input must not run, nothing may load.

Driven over the DevTools protocol (``scripts/browser_check.py``). Skips when no Chromium is
installed; CI installs Debian's ``chromium`` so these run there.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_check import Browser, find_chromium, problems
from test_report import hostile_thread, make_tables

from discourse.report import compare, write_reports

pytestmark = pytest.mark.skipif(find_chromium() is None,
                                reason="no chromium found (apt-get install chromium, or set DISCOURSE_CHROMIUM)")


@pytest.fixture(scope="module")
def browser():
    with Browser(width=1280, height=1000) as b:
        yield b


@pytest.fixture(scope="module")
def hostile_reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser_reports")
    threads = [hostile_thread("t1", 30, 1), hostile_thread("t2", 12, 2, outlet="=cmd|' /C calc'!A0 <i>B</i>")]
    tables = make_tables(threads)
    compare(threads, tables, "outlet", out)
    write_reports(threads, tables, out, quiet=True)
    return out, threads


def test_the_harness_sees_a_script_that_runs(browser, tmp_path):
    """Control: without escaping and CSP, the same payload runs and the probe notices."""
    page = tmp_path / "control.html"
    page.write_text("<!DOCTYPE html><title>control</title><body>"
                    "<script>window.__pwned=1;document.documentElement.setAttribute('data-pwned','1')</script>",
                    encoding="utf-8")
    r = browser.open(page)
    assert r["pwned_global"] and r["pwned_attr"] and r["scripts"] == 1
    assert "input script ran (pwned_attr)" in problems(r)


def test_hostile_reports_run_nothing_and_load_nothing(browser, hostile_reports, tmp_path):
    out, threads = hostile_reports
    pages = sorted(out.glob("*.html"))
    assert {p.name for p in pages} == {"t1.html", "t2.html", "index.html", "compare.html"}
    for page in pages:
        shot = tmp_path / f"{page.stem}.png"
        r = browser.open(page, screenshot=shot)
        assert problems(r) == [], (page.name, problems(r))
        assert not r["pwned_global"] and not r["pwned_attr"]
        assert r["scripts"] == 0 and r["handlers"] == 0 and r["js_links"] == 0 and r["iframes"] == 0
        assert all(u.startswith(("file:", "data:")) for u in r["requests"]), r["requests"]
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
        if page.stem in ("t1", "t2"):
            thread = next(t for t in threads if t.thread_id == page.stem)
            assert r["title"] == f"{thread.article.title} — discourse report"  # shown as text, not run
            assert r["images"] >= 5  # the embedded plots decoded
            assert "PWNED" not in r["title"]
    r = browser.open(out / "t1.html")
    dom = r["dom"]
    # The payloads are visible as text in the parsed page.
    assert "&lt;script&gt;window.__pwned=1;document.documentElement.setAttribute('data-pwned','1')&lt;/script&gt;" in dom
    assert "&lt;img src=x onerror=\"window.__pwned=1;document.title='PWNED'\"&gt;" in dom
    assert r["marks"] > 0


def test_thousand_comment_page_opens_quickly(browser, tmp_path):
    thread = hostile_thread("big", 1000, 7, hostile=False)
    write_reports([thread], make_tables([thread]), tmp_path, quiet=True)
    r = browser.open(tmp_path / "big.html", screenshot=tmp_path / "big.png")
    print(f"\n1,000-comment page: load event after {r['load_ms']:.0f} ms "
          f"(DOMContentLoaded {r['dom_ms']:.0f} ms), {r['elements']} elements")
    assert problems(r) == []
    assert r["load_ms"] < 2000
