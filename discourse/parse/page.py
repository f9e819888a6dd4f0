"""Page text -> :class:`Thread`: metadata, furniture, comment segmentation, then reply linking.

Accounting rule: every non-blank input line ends up in exactly one place, the article text, a
comment (author line, reply header or text), a metadata field (title, published, outlet, url), or
``article.removed`` with its reason. :func:`account_lines` checks it and the tests assert it.
"""

from __future__ import annotations

import re
from datetime import datetime

from discourse.model import Article, Comment, RemovedLine, Thread
from discourse.parse.furniture import (
    MAX_CHROME_CHARS,
    FurnitureRules,
    Match,
    default_rules,
)
from discourse.parse.segment import A, Line, P, R, Segmenter, T
from discourse.runtime import gc_paused

_LEADING_DATE = re.compile(
    r"^(?:date|published|posted|updated)\s*:?\s*(\d{4}-\d{2}-\d{2})\b[\s,;:-]*", re.IGNORECASE
)
_SOURCE = re.compile(r"^(source|outlet|publisher|url|link)\s*:\s*(\S{3,300})$", re.IGNORECASE)
_BYLINE = re.compile(
    r"^(?:by|written by|words by|reporting by|report by|story by)\s+\S.{0,150}$", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[\"'“‘(]?[A-Z0-9])")
_DATE_FORMATS = (
    "%Y-%m-%d", "%B %d, %Y", "%b %d, %Y", "%b. %d, %Y", "%d %B %Y", "%d %b %Y", "%A, %B %d, %Y",
    "%A %d %B %Y", "%B %d %Y", "%d/%m/%Y",
)

_UNSEEN = object()  # not classified yet (None means: no rule matches)

#: The label names used in the accounting of lines.
COMMENT_CHROME_KINDS = ("timestamp", "action", "section")


def parse_page(
    text: str,
    source: str = "",
    thread_id: str | None = None,
    semantic: bool = True,
    *,
    rules: FurnitureRules | None = None,
    segmenter: Segmenter | None = None,
    linker=None,
    embedder=None,
) -> Thread:
    """Parse the text of a news page (article, then flattened comments) into a thread.

    ``semantic=False`` skips sentence embeddings in reply inference (faster, a little less
    accurate); ``embedder`` is the run's sentence encoder (one is made when needed and none is given).
    ``rules``, ``segmenter`` and ``linker`` swap the stages for other sites.
    """
    # Hundreds of thousands of long-lived lines and comments, no cycles: see runtime.gc_paused.
    with gc_paused():
        return _parse_page(text, source, thread_id, semantic, rules, segmenter, linker or _linker(semantic, embedder))


def _linker(semantic: bool, embedder):
    from discourse.parse.linking import ReplyLinker

    return ReplyLinker(semantic=semantic, embedder=embedder)


def _parse_page(text: str, source: str, thread_id: str | None, semantic: bool, rules: FurnitureRules | None,
                segmenter: Segmenter | None, linker) -> Thread:
    rules = rules or default_rules()
    segmenter = segmenter or Segmenter()
    raw = text.splitlines()
    if "\x00" in text:
        stripped = [ln.strip().replace("\x00", "") for ln in raw]
    else:  # the common case, without a replace per line
        stripped = [ln.strip() for ln in raw]

    article = Article()
    # A leading "date YYYY-MM-DD" prefix: the date is metadata, the rest of the line is text.
    first = next((i for i, s in enumerate(stripped) if s), None)
    if first is not None:
        m = _LEADING_DATE.match(stripped[first])
        if m:
            article.published = m.group(1)
            stripped[first] = stripped[first][m.end():].strip()

    # Chrome, then content lines with what separates them (the segmenter learns layouts from it),
    # in one pass over the lines.
    chrome: dict[int, str] = {}  # line index -> kind
    chrome_reason: dict[int, str] = {}
    # Chrome lines and names recur (a "Reply" button and a timestamp under every comment): each
    # distinct line goes through the rules once.
    classified: dict[str, Match | None] = {}
    lines: list[Line] = []
    gap: set[str] = set()
    for i, s in enumerate(stripped):
        if not s:
            gap.add("blank")
            continue
        if len(s) <= MAX_CHROME_CHARS:  # longer lines can only be article furniture
            m = classified.get(s, _UNSEEN)
            if m is _UNSEEN:
                m = classified[s] = rules.classify(s, "comments")
            if m is not None and m.kind in COMMENT_CHROME_KINDS:
                chrome[i], chrome_reason[i] = m.kind, m.reason
                gap.add(m.kind)
                continue
        ln = Line(i, s, "+".join(sorted(gap)) if gap else "")
        if lines:
            lines[-1].gap_after = ln.gap_before
        if gap:
            gap = set()
        lines.append(ln)
    section_at = _comment_section_start(stripped, chrome)
    if section_at is not None:  # the header splits the page: article above, comments below
        for ln in lines:
            ln.forced = "comments" if ln.index > section_at else "article"
    if lines:
        lines[-1].gap_after = "+".join(sorted(gap | {"end"}))
        if lines[0].forced is None:
            lines[0].forced = "article"  # a page starts with its article (at least a title)

    labels = segmenter.label(lines)
    if section_at is None and not _plausible_comments(lines, labels, segmenter):
        labels = [P] * len(lines)
    comments_from = next((ln.index for ln, lab in zip(lines, labels) if lab != P), None)
    if comments_from is None and section_at is not None:
        comments_from = section_at

    # The article: paragraphs, furniture, metadata.
    paragraphs: list[str] = []
    for ln, lab in zip(lines, labels):
        if lab != P:
            continue
        _article_line(ln.text, article, paragraphs, rules)
    _take_title(article, paragraphs)
    article.text = "\n".join(paragraphs)

    # Chrome lines: in the article region they are furniture or the publication date; in the
    # comment region they go to the removed list (and a timestamp is kept on its comment).
    comments: list[Comment] = []
    current: Comment | None = None
    text_lines: list[str] = []
    label_at: list[int | None] = [None] * len(stripped)
    for ln, lab in zip(lines, labels):
        label_at[ln.index] = lab
    for i, s in enumerate(stripped):
        if not s:
            continue
        lab = label_at[i]
        if lab is None:  # chrome
            in_comments = comments_from is not None and i >= comments_from
            kind, reason = chrome[i], chrome_reason[i]
            where = "comments" if in_comments else "article"
            if not in_comments and kind == "timestamp" and article.published is None and _iso_date(s):
                article.published = _iso_date(s)
                reason = "publication date (kept as published)"
            article.removed.append(RemovedLine(s, f"{where}: {reason}"))
            if in_comments and kind == "timestamp" and current is not None and current.timestamp is None:
                current.timestamp = s
            continue
        if lab == A:
            if current is not None:
                current.text = "\n".join(text_lines)
            current = Comment(comment_id=f"c{len(comments) + 1}", text="", author=s, position=len(comments))
            comments.append(current)
            text_lines = []
        elif lab == R and current is not None:
            current.reply_to = s
        elif lab == T and current is not None:
            text_lines.append(s)
    if current is not None:
        current.text = "\n".join(text_lines)

    thread = Thread(thread_id=thread_id or _default_id(source), source=source, article=article,
                    comments=comments)
    # The line lists are done with: let them go before linking, the longest stage, so a big
    # page does not hold them at its peak.
    del raw, stripped, lines, labels, label_at, chrome, chrome_reason, classified
    linker.link(thread)
    return thread


def _comment_section_start(stripped: list[str], chrome: dict[int, str]) -> int | None:
    """The last comment-section header ("112 Comments") that has content after it, if any."""
    for i in sorted((i for i, k in chrome.items() if k == "section"), reverse=True):
        after = 0
        for j in range(i + 1, len(stripped)):  # two are enough: no need to count them all
            if stripped[j] and j not in chrome:
                after += 1
                if after >= 2:
                    return i
    return None


def _plausible_comments(lines: list[Line], labels: list[int], segmenter: Segmenter) -> bool:
    """Without a section header, demand real evidence before calling part of a page comments.

    One 'author' followed by paragraphs is more often an article's subheading; two or more
    authors, a reply header, or a name that recurs on the page make a comment section.
    """
    authors = [ln.text.casefold() for ln, lab in zip(lines, labels) if lab == A]
    if not authors:
        return False
    if len(authors) >= 2 or any(lab == R for lab in labels):
        return True
    counts = segmenter.page_evidence(lines).line_counts
    return counts.get(authors[0], 0) >= 2


def _article_line(text: str, article: Article, paragraphs: list[str], rules: FurnitureRules) -> None:
    m = _SOURCE.match(text)
    if m:
        key, value = m.group(1).lower(), m.group(2)
        is_url = value.lower().startswith(("http://", "https://", "www."))
        if key in ("url", "link"):
            if is_url and article.url is None:
                article.url = value
                return
        elif article.outlet is None:
            if is_url:
                article.url = article.url or value
                value = re.sub(r"^(?:https?://)?(?:www\.)?([^/]+).*$", r"\1", value)
            article.outlet = value
            return
    if _BYLINE.match(text) and len(text.split()) <= 14 and not text.endswith("."):
        article.removed.append(RemovedLine(text, "byline"))
        return
    hit = rules.classify(text, "article")
    if hit is not None and hit.kind == "furniture":
        article.removed.append(RemovedLine(text, hit.reason))
        return
    if hit is not None and hit.kind == "section":
        article.removed.append(RemovedLine(text, hit.reason))
        return
    paragraphs.append(text)


def _take_title(article: Article, paragraphs: list[str]) -> None:
    """A short first line without a full stop is the headline; it moves to ``title``.

    Otherwise the first sentence of the lede stands in as the title (it stays in the text too),
    since people need something to call the article by.
    """
    if not paragraphs:
        return
    head = paragraphs[0]
    words = head.split()
    if len(paragraphs) > 1 and len(words) <= 25 and len(head) <= 220 and not head.endswith((".", ":", ",", ";")):
        article.title = head
        paragraphs.pop(0)
        return
    sentence = _SENTENCE_END.split(head, maxsplit=1)[0].strip()
    words = sentence.split()
    article.title = sentence if len(words) <= 25 else " ".join(words[:20]) + " …"


def _iso_date(text: str) -> str | None:
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.strip())
    cleaned = re.sub(r"\s+\d{1,2}[:.]\d{2}.*$", "", cleaned).rstrip(",").strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _default_id(source: str) -> str:
    if not source:
        return "thread"
    name = re.split(r"[\\/]", source)[-1]
    return re.sub(r"\.[A-Za-z0-9]{1,5}$", "", name) or "thread"


def account_lines(text: str, thread: Thread) -> list[str]:
    """The non-blank input lines that cannot be found in the thread (should be empty).

    A line counts as found when it is a line of the article text, a line of a comment, an
    author or reply-to name, a metadata value (or contains one: a ``date ...`` prefix), or a
    removed line.
    """
    art = thread.article
    places: set[str] = set(art.paragraphs())
    places.update(r.text for r in art.removed)
    for c in thread.comments:
        places.update(c.text.split("\n"))
        if c.author:
            places.add(c.author)
        if c.reply_to:
            places.add(c.reply_to)
    meta = [v for v in (art.title, art.outlet, art.published, art.url) if v]
    missing = []
    for raw in text.splitlines():
        s = raw.strip().replace("\x00", "")
        if not s or s in places:
            continue
        if any(v in s for v in meta):
            rest = s
            for v in meta:
                rest = rest.replace(v, " ")
            rest = re.sub(r"^\W*(?:date|published|posted|updated|source|outlet|publisher|url|link)\W*", "",
                          rest.strip(), flags=re.IGNORECASE).strip()
            if not rest or rest in places:
                continue
        missing.append(s)
    return missing
