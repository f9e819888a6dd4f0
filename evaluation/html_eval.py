"""How well saved web pages are read: comments, authors, parents and article body, per page.

Data: ``../shared/data/html_pages`` (``NAME.html`` with ``NAME.gold.json``; see its README), or
``--data-dir``. Skips with a message when the folder is absent.

Figures, per page and pooled over all gold comments:

* **found**: gold comments (those with text) matched by a parsed comment whose text, whitespace
  collapsed, starts with the gold ``text_starts`` (own words: lines quoting others, which the
  reader marks with ``> ``, may be left out). Matching keeps page order.
* **author**: found with the gold author. **parent**: found with the right parent (the parsed
  parent is the comment matched to the gold parent; both top-level counts). Comments the gold
  keeps without text (Slashdot placeholders, LiveJournal collapsed ones) are matched by author
  only, so replies under them can be scored, and are not counted themselves.
* **article**: the page's article body holds the gold ``article_starts``.
* **trafilatura alone** beside them: article found by ``bare_extraction``; comments found = gold
  texts present in its flat comment string (it gives no authors or parents to compare).

Figures are also split by whether a per-system entry of ``discourse/data/comment_systems.json``
read the page (``rule``) or the generic reader did (``generic``): the honest figure for markups
the project has never seen is the generic one.

Run: ``python -m evaluation.html_eval [--data-dir DIR]``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from evaluation.gold import DEFAULT_DATA_DIR

DATA_DIR = DEFAULT_DATA_DIR / "html_pages"


def norm(text: str | None) -> str:
    return " ".join((text or "").split())


def own_words(text: str) -> str:
    return norm("\n".join(line for line in (text or "").split("\n") if not line.startswith(">")))


def unmarked(text: str) -> str:
    return norm("\n".join(line.lstrip("> ") for line in (text or "").split("\n")))


def _matches(gold_start: str, text: str) -> bool:
    """The gold start, whether the gold counts quoted lines as the comment's text or not."""
    g = norm(gold_start)
    return bool(g) and any(t.startswith(g) for t in (norm(text), own_words(text), unmarked(text)))


def align(gold: list[dict], parsed: list) -> dict[int, int]:
    """Gold index -> parsed index; in page order first, then anywhere."""
    out: dict[int, int] = {}
    used: set[int] = set()
    for with_text in (True, False):
        start = 0
        for gi, g in enumerate(gold):
            if bool(g.get("text_starts")) != with_text:
                continue
            cands = list(range(start, len(parsed))) + list(range(start))
            for pi in cands:
                if pi in used:
                    continue
                p = parsed[pi]
                ok = _matches(g["text_starts"], p.text) if with_text else (
                    norm(p.author) == norm(g.get("author")) and len(norm(p.text)) < 3)
                if ok:
                    out[gi] = pi
                    used.add(pi)
                    start = pi + 1
                    break
    return out


def score_page(gold: dict, thread) -> dict:
    comments = gold["comments"]
    parsed = thread.comments
    m = align(comments, parsed)
    gold_index = {c["id"]: i for i, c in enumerate(comments)}
    n = found = author = parent = 0
    for gi, g in enumerate(comments):
        if not g.get("text_starts"):
            continue
        n += 1
        if gi not in m:
            continue
        p = parsed[m[gi]]
        found += 1
        author += norm(p.author) == norm(g.get("author"))
        if g.get("parent") is None:
            parent += p.parent_id is None
        else:
            pj = m.get(gold_index.get(g["parent"], -1))
            parent += pj is not None and parsed[pj].comment_id == p.parent_id
    starts = norm(gold.get("article_starts"))[:60]
    article = bool(starts) and starts in norm(thread.article.text)
    return {"n": n, "found": found, "author": author, "parent": parent, "article": article,
            "has_article": bool(starts), "predicted": len(parsed)}


def trafilatura_alone(html: bytes, gold: dict) -> dict:
    import trafilatura

    doc = trafilatura.bare_extraction(html, include_comments=True,
                                      with_metadata=True)
    d = doc.as_dict() if doc is not None and hasattr(doc, "as_dict") else (doc or {})
    body, flat = norm(d.get("text")), norm(d.get("comments"))
    starts = norm(gold.get("article_starts"))[:60]
    texts = [norm(c["text_starts"]) for c in gold["comments"] if c.get("text_starts")]
    return {"article": bool(starts) and starts in body, "found": sum(t in flat for t in texts)}


def run(data_dir: Path) -> int:
    from discourse.readers.html import read_html

    golds = sorted(data_dir.glob("*.gold.json"))
    if not golds:
        print(f"html_eval: no gold pages in {data_dir}; skipped")
        return 0
    logging.getLogger("discourse").setLevel(logging.ERROR)
    rows, errors = [], []
    head = f"{'page':34} {'sys':10} {'rule':8} {'n':>4} {'found':>6} {'author':>6} {'parent':>6} {'art':>4} " \
           f"| {'tf_art':>6} {'tf_found':>8}"
    print(head)
    for g_path in golds:
        gold = json.loads(g_path.read_text(encoding="utf-8"))
        page = g_path.with_name(g_path.name.replace(".gold.json", ".html"))
        try:
            details: dict = {}
            thread = read_html(page, semantic=False, details=details)[0]
        except Exception as exc:  # noqa: BLE001 - an evaluation counts page errors, it does not stop
            errors.append(f"{page.name}: {type(exc).__name__}: {exc}")
            continue
        s = score_page(gold, thread)
        s["rule"] = details.get("rule") or "generic"
        s.update({"tf_" + k: v for k, v in trafilatura_alone(page.read_bytes(), gold).items()})
        s["page"], s["system"] = page.stem, gold.get("system", "")
        rows.append(s)
        n = max(s["n"], 1)
        print(f"{s['page'][:34]:34} {s['system'][:10]:10} {s['rule'][:8]:8} {s['n']:4d} {s['found'] / n:6.2f} "
              f"{s['author'] / n:6.2f} {s['parent'] / n:6.2f} {'yes' if s['article'] else 'no':>4} | "
              f"{'yes' if s['tf_article'] else 'no':>6} {s['tf_found'] / n:8.2f}")
    for label, keep in (("ALL", lambda r: True), ("generic", lambda r: r["rule"] == "generic"),
                        ("rule", lambda r: r["rule"] != "generic")):
        _summary(label, [r for r in rows if keep(r)])
    print(f"page errors: {len(errors)}")
    for e in errors:
        print("  " + e)
    return 1 if errors else 0


def _summary(label: str, rows: list[dict]) -> None:
    if not rows:
        return
    n = sum(r["n"] for r in rows) or 1
    arts = [r for r in rows if r["has_article"]]
    art = sum(r["article"] for r in arts) / max(len(arts), 1)
    tf_art = sum(r["tf_article"] for r in arts) / max(len(arts), 1)
    print(f"{label:8} pages={len(rows):2d} comments={n:4d} found={sum(r['found'] for r in rows) / n:.3f} "
          f"author={sum(r['author'] for r in rows) / n:.3f} parent={sum(r['parent'] for r in rows) / n:.3f} "
          f"article={art:.3f} | trafilatura: article={tf_art:.3f} "
          f"comments_found={sum(r['tf_found'] for r in rows) / n:.3f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, default=DATA_DIR)
    args = ap.parse_args(argv)
    if not args.data_dir.is_dir():
        print(f"html_eval: {args.data_dir} not found; skipped")
        return 0
    return run(args.data_dir)


if __name__ == "__main__":
    sys.exit(main())
