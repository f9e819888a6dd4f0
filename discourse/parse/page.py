"""Page text -> :class:`Thread`: metadata, furniture, comment segmentation, then reply linking.

Accounting rule: every non-blank input line ends up in exactly one place, the article text, a
comment (author line, reply header or text), a metadata field (title, published, outlet, url), or
``article.removed`` with its reason. :func:`account_lines` checks it and the tests assert it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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

#: The last word of a line that may end in a timestamp ("2 hours ago", "3h", "Feb 2, 2016 11:43 AM").
_TIME_TAIL = re.compile(r"ago|now|yesterday|today|[ap]\.?m\.?|\d[\da-z]{0,5}|\d{1,2}:\d{2}", re.IGNORECASE)
#: Separators, vote counts and badges between a name and its timestamp on one line.
_GLUE_AT_END = re.compile(
    r"(?:[\s·•|–—-]|\(?\d[\d,.]*k?\s*(?:points?|votes?|likes?|upvotes?|pts)\)?|"
    r"\b(?:moderator|mod|verified|staff|author|op|subscriber|top commenter|editor|admin))*$",
    re.IGNORECASE,
)
#: Names on a line with their timestamp: a handle, or up to three capitalised words.
_INLINE_NAME = re.compile(r"@?[\w.'-]{2,40}|(?:[A-Z][\w.'-]*\s){1,2}[A-Z][\w.'-]*")

#: The label names used in the accounting of lines.
COMMENT_CHROME_KINDS = ("timestamp", "action", "section", "page")


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
    if "\x00" in text:
        stripped = [ln.strip().replace("\x00", "") for ln in text.splitlines()]
    else:  # the common case, without a replace per line
        stripped = [ln.strip() for ln in text.splitlines()]
    article = Article()
    # A leading "date YYYY-MM-DD" prefix: the date is metadata, the rest of the line is text.
    first = next((i for i, s in enumerate(stripped) if s), None)
    if first is not None:
        m = _LEADING_DATE.match(stripped[first])
        if m:
            article.published = m.group(1)
            stripped[first] = stripped[first][m.end():].strip()
    scan = _scan_lines(stripped, rules)
    labels, comments_from = _label_lines(scan, stripped, rules, segmenter)
    paragraphs: list[str] = []
    for ln, lab in zip(scan.lines, labels):
        if lab == P:
            _article_line(stripped[ln.index], article, paragraphs, rules)
    _take_title(article, paragraphs)
    article.text = "\n".join(paragraphs)
    comments = _comments(stripped, scan, labels, comments_from, article)
    thread = Thread(thread_id=thread_id or _default_id(source), source=source, article=article,
                    comments=comments)
    # The line lists are done with: let them go before linking, the longest stage, so a big
    # page does not hold them at its peak.
    del stripped, scan, labels
    linker.link(thread)
    return thread


@dataclass
class _Scan:
    """One pass over a page's lines: the content lines (with what separates them, from which the
    segmenter learns layouts), the chrome lines with their kind and reason, the author lines that
    carry a time (``Name 2 hours ago``), and each distinct short line's classification."""

    lines: list[Line] = field(default_factory=list)
    chrome: dict[int, str] = field(default_factory=dict)  # line index -> kind
    chrome_reason: dict[int, str] = field(default_factory=dict)
    stamped: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # index -> (name, rest, time)
    classified: dict[str, Match | None] = field(default_factory=dict)


def _scan_lines(stripped: list[str], rules: FurnitureRules) -> _Scan:
    # Chrome lines and names recur (a "Reply" button and a timestamp under every comment): each
    # distinct line goes through the rules once.
    scan = _Scan()
    lines, classified = scan.lines, scan.classified
    gap: set[str] = set()
    for i, s in enumerate(stripped):
        if not s:
            gap.add("blank")
            continue
        split = None
        if len(s) <= MAX_CHROME_CHARS:  # longer lines can only be article furniture
            m = classified.get(s, _UNSEEN)
            if m is _UNSEEN:
                m = classified[s] = rules.classify(s, "comments")
            if m is not None and m.kind in COMMENT_CHROME_KINDS:
                scan.chrome[i], scan.chrome_reason[i] = m.kind, m.reason
                gap.add(m.kind)
                continue
            if len(s) <= 90 and _TIME_TAIL.fullmatch(s, s.rfind(" ") + 1):
                split = _name_and_stamp(s, rules, classified)
        ln = Line(i, s if split is None else split[0], "+".join(sorted(gap)) if gap else "")
        if lines:
            lines[-1].gap_after = ln.gap_before
        if gap:
            gap = set()
        lines.append(ln)
        if split is not None:  # the name is a line of its own, followed by its timestamp
            scan.stamped[i] = split
            gap.add("timestamp")
    if lines:
        lines[-1].gap_after = "+".join(sorted(gap | {"end"}))
    return scan


def _label_lines(scan: _Scan, stripped: list[str], rules: FurnitureRules,
                 segmenter: Segmenter) -> tuple[list[int], int | None]:
    """Each content line's label (article paragraph, author, reply header, text) and the index of
    the first line of the comment region (None for a page without comments)."""
    lines = scan.lines
    section_at = _comment_section_start(stripped, scan.chrome)
    if section_at is not None:  # the header splits the page: article above, comments below
        for ln in lines:
            ln.forced = "comments" if ln.index > section_at else "article"
    if lines and lines[0].forced is None:
        lines[0].forced = "article"  # a page starts with its article (at least a title)
    labels = segmenter.label(lines)
    if scan.stamped and _stamp_author_lines(lines, labels, scan.stamped, rules, scan.classified):
        labels = segmenter.label(lines)  # lines became names: label the page again
        _stamp_author_lines(lines, labels, scan.stamped, rules, scan.classified)
    if section_at is None and not _plausible_comments(lines, labels, segmenter):
        labels = [P] * len(lines)
    comments_from = next((ln.index for ln, lab in zip(lines, labels) if lab != P), None)
    if comments_from is None and section_at is not None:
        comments_from = section_at
    return labels, comments_from


def _comments(stripped: list[str], scan: _Scan, labels: list[int], comments_from: int | None,
              article: Article) -> list[Comment]:
    """The comments from the labelled lines. Chrome lines in the article region are furniture or
    the publication date; in the comment region they go to the removed list (and a timestamp is
    kept on its comment)."""
    comments: list[Comment] = []
    current: Comment | None = None
    text_lines: list[str] = []
    label_at: list[int | None] = [None] * len(stripped)
    for ln, lab in zip(scan.lines, labels):
        label_at[ln.index] = lab
    for i, s in enumerate(stripped):
        if not s:
            continue
        lab = label_at[i]
        if lab is None:  # chrome
            in_comments = comments_from is not None and i >= comments_from
            kind, reason = scan.chrome[i], scan.chrome_reason[i]
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
            name, rest, stamp = scan.stamped.get(i, (s, None, None))
            current = Comment(comment_id=f"c{len(comments) + 1}", text="", author=name, position=len(comments))
            if rest is not None:  # "Name 2 hours ago": the time is kept on the comment, and removed
                current.timestamp = stamp
                article.removed.append(RemovedLine(rest, "comments: timestamp on the author line"))
            comments.append(current)
            text_lines = []
        elif lab == R and current is not None:
            current.reply_to = s
        elif lab == T and current is not None:
            text_lines.append(s)
    if current is not None:
        current.text = "\n".join(text_lines)
    return comments


def _stamp_author_lines(lines: list[Line], labels: list[int], stamped: dict, rules: FurnitureRules,
                        classified: dict) -> bool:
    """On a page that prints times on author lines, split the time off its other author lines
    too, whatever their names look like; and where a line not read as a name splits into a name
    seen on the page and a time, make it that name (``Scrimbro 2 - Electric Boogaloo 2 weeks
    ago``). Returns whether a line became a name (the page must then be labelled again)."""
    def split(ln: Line):
        if ln.index in stamped or len(ln.text) > 90 or not _TIME_TAIL.fullmatch(ln.text, ln.text.rfind(" ") + 1):
            return None
        return _name_and_stamp(ln.text, rules, classified, strict=False)

    for ln, lab in zip(lines, labels):
        if lab == A and (found := split(ln)) is not None:
            stamped[ln.index] = found
    names = {name for name, _, _ in stamped.values()}
    changed = False
    for ln, lab in zip(lines, labels):
        if lab != A and (found := split(ln)) is not None and found[0] in names:
            stamped[ln.index] = found
            ln.text = found[0]
            changed = True
    return changed


def _name_and_stamp(s: str, rules: FurnitureRules, classified: dict,
                    strict: bool = True) -> tuple[str, str, str] | None:
    """``Name 2 hours ago`` / ``Name · 12 points · 2h`` -> (``Name``, the rest of the line, the
    timestamp): the longest run of last words the rules read as a timestamp, after a head that
    is a name once separators, vote counts and badges are set aside. Behind a separator (``·``,
    ``•``, ``|``) any short head is a name; without one it must look like a name (a handle, or up
    to three capitalised words), so ``I saw it 2 hours ago`` stays text. ``strict=False`` drops
    that condition, for lines already read as author lines on a page that has such lines."""
    words = s.split()
    tail = None
    for k in range(min(6, len(words) - 1), 0, -1):  # the longest timestamp first
        candidate = " ".join(words[-k:])
        m = classified.get(candidate, _UNSEEN)
        if m is _UNSEEN:
            m = classified[candidate] = rules.classify(candidate, "comments")
        if m is not None and m.kind == "timestamp":
            tail = candidate
            break
    if tail is None:
        return None
    before = s[: len(s) - len(tail)].rstrip()
    head = _GLUE_AT_END.sub("", before)
    if not head or len(head) > 60 or len(head.split()) > 6 or head[-1] in ".!?,;:":
        return None
    glued = before[len(head):]
    if strict and not any(ch in glued for ch in "·•|") and _INLINE_NAME.fullmatch(head) is None:
        return None
    return head, s[len(head):].strip(), tail


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
                value = _host(value)
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
    author or reply-to name, a removed line, an author followed by a removed line (``Name 2
    hours ago``: the name and the time on one line), or a metadata line read as the parser reads it: a
    leading ``date YYYY-MM-DD`` (the date is ``published``, the rest of the line is text), a
    ``Source:`` / ``URL:`` line (its value the url, the outlet, or a url whose host is the
    outlet), or a line made of metadata values.
    """
    art = thread.article
    places: set[str] = set(art.paragraphs())
    removed = {r.text for r in art.removed}
    places.update(removed)
    authors = {c.author for c in thread.comments if c.author}
    for c in thread.comments:
        places.update(c.text.split("\n"))
        if c.author:
            places.add(c.author)
        if c.reply_to:
            places.add(c.reply_to)
    # Longest first: an outlet can be part of the url, a date part of the title.
    meta = sorted({v for v in (art.title, art.outlet, art.published, art.url) if v}, key=len, reverse=True)
    missing = []
    for raw in text.splitlines():
        s = raw.strip().replace("\x00", "")
        if s and s not in places and not _metadata_line(s, art, meta, places) \
                and not _author_and_removed(s, authors, removed):
            missing.append(s)
    return missing


def _author_and_removed(s: str, authors: set[str], removed: set[str]) -> bool:
    """Whether ``s`` is an author name, then a removed line (split at a space)."""
    at = s.find(" ")
    while at > 0:
        if s[:at].strip() in authors and s[at:].strip() in removed:
            return True
        at = s.find(" ", at + 1)
    return False


def _metadata_line(s: str, art: Article, meta: list[str], places: set[str]) -> bool:
    """Whether line ``s`` is accounted for by the article's metadata (see :func:`account_lines`)."""
    m = _LEADING_DATE.match(s)
    if m and m.group(1) == art.published:
        rest = s[m.end():].strip()
        if not rest or rest in places:
            return True
    m = _SOURCE.match(s)
    if m:
        value = m.group(2)
        if value in (art.url, art.outlet) or (art.outlet and _host(value) == art.outlet):
            return True
    if not any(v in s for v in meta):
        return False
    rest = s
    for v in meta:
        rest = rest.replace(v, " ")
    rest = _META_KEY.sub("", rest.strip()).strip()
    return not rest or rest in places


_META_KEY = re.compile(r"^\W*(?:date|published|posted|updated|source|outlet|publisher|url|link)\b[\s:]*",
                       re.IGNORECASE)


def _host(url: str) -> str:
    """``www.example.com/a/b`` -> ``example.com``, as the parser names an outlet from a url."""
    return re.sub(r"^(?:https?://)?(?:www\.)?([^/]+).*$", r"\1", url)
