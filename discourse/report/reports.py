"""Write the per-thread reports and the index page."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from discourse.model import Thread
from discourse.progress import progress

from . import html as html_render
from . import markdown as md_render
from .sections import build_sections
from .view import TablesByThread, build_view, key_figures, safe_name


def write_reports(threads: Iterable[Thread], tables: dict | None, out_dir, *, quiet: bool = False) -> list[Path]:
    """One self-contained HTML page and a Markdown twin per thread, plus ``index.html``/``index.md``.

    ``tables`` is the pipeline's dict of DataFrames; any may be missing. Page names come from the
    thread ids, made safe for a file system (an id cannot point outside ``out_dir``). Markdown
    plots go to ``<name>_files/``. Returns the pages written (thread pages first, index last).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    threads = list(threads)
    taken: set[str] = set()
    written: list[Path] = []
    index_rows = []
    by_thread = TablesByThread(tables)
    for thread in progress(threads, desc="reports", unit="thread", quiet=quiet):
        stem = safe_name(thread.thread_id, taken)
        view = build_view(thread, by_thread, file_stem=stem)
        images: dict[str, bytes] = {}
        sections = build_sections(view, images)
        page = out / f"{stem}.html"
        page.write_text(html_render.render_thread(view, sections, images), encoding="utf-8")
        renderer = md_render.MarkdownRenderer(view, f"{stem}_files")
        text = renderer.render(sections)
        if renderer.images:
            img_dir = out / f"{stem}_files"
            img_dir.mkdir(exist_ok=True)
            for key in renderer.images:
                (img_dir / f"{key}.png").write_bytes(images[key])
        twin = out / f"{stem}.md"
        twin.write_text(text, encoding="utf-8")
        written += [page, twin]
        a = thread.article
        index_rows.append({"file": stem, "thread_id": thread.thread_id, "title": a.title or thread.thread_id,
                           "outlet": a.outlet, "published": a.published, "figures": key_figures(view)})
    has_compare = (out / "compare.html").exists()
    index_html = out / "index.html"
    index_html.write_text(html_render.render_index(index_rows, has_compare=has_compare), encoding="utf-8")
    index_md = out / "index.md"
    index_md.write_text(md_render.render_index(index_rows, has_compare=has_compare), encoding="utf-8")
    return written + [index_html, index_md]
