"""Segmenting flattened page text into article paragraphs and comments.

Every content line (not blank, not chrome) gets one of four labels:

* ``P`` a paragraph of the article,
* ``A`` a comment's author line,
* ``R`` a reply header: the replied-to person's name printed under the author,
* ``T`` a line of comment text,

under the grammar ``P* (A R? T+)*``. The labelling is the best-scoring path of a small dynamic
programme (Viterbi over four states), so a decision about one line is made in the light of the
whole page: a short line is a name only if the lines around it make a comment of it.

Scores are log-odds that a line is a name, from its shape (length, final punctuation, username
tokens), from the page (the same line recurring, ``Name:`` and ``@Name`` addressing elsewhere) and
from the layout. The layout is learnt from the page itself in a second pass: what surrounds the
author lines found in the first pass (a blank line before, a timestamp after, a ``Reply`` button
before) becomes evidence for the lines that look alike. No site's layout is hard-coded.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

P, A, R, T = 0, 1, 2, 3
LABELS = "PART"

NEG = -1e9

_URL = re.compile(r"https?://|www\.|\.(?:com|org|net|co\.uk|ru|ua)/", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_USERNAME_TOKEN = re.compile(r"^(?=.*[A-Za-z])(?:\w*\d\w*|\w*_\w*|[a-z]+[A-Z]\w*|[A-Z][a-z]+[A-Z]\w*)$")
_ADDRESS_PREFIX = re.compile(r"^@?([^:@\n]{1,40}?)\s*(?::-?|,)\s")
_PLACEHOLDER = re.compile(r"\[(?:deleted|removed|anonymous|unknown|blocked|hidden|account deleted)\]", re.IGNORECASE)
_AT_MENTION = re.compile(r"@([\w.-]{2,40})")
_TWO_SENTENCES = re.compile(r"[.!?] +[A-Za-z]")

#: Function words: headings and sentences are full of them, user names rarely are.
STOPWORDS = frozenset(
    ["a", "an", "the", "and", "or", "but", "if", "of", "in", "on", "at", "to", "for", "from", "by", "with", "about", "as", "into", "over", "after", "before", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "have", "has", "had", "i", "you", "he", "she", "it", "we", "they", "me", "him", "her", "us", "them", "my", "your", "his", "its", "our", "their", "this", "that", "these", "those", "there", "here", "what", "which", "who", "whom", "whose", "why", "how", "when", "where", "not", "no", "yes", "so", "than", "then", "too", "very", "can", "could", "will", "would", "should", "may", "might", "must", "just", "also", "only", "all", "any", "some", "more", "most", "much", "many", "such", "own", "same", "both", "each", "few", "other"]
)


@dataclass(slots=True)
class Line:
    """A content line of the page with the context the segmenter needs.

    Slotted: a page has one per content line (hundreds of thousands on a big one); without an
    instance dict each is smaller and quicker to make and to read.
    """

    index: int  # line number in the input (0-based)
    text: str  # stripped
    gap_before: str = ""  # what separates it from the previous content line, e.g. "blank", "action"
    gap_after: str = ""
    forced: str | None = None  # "article" or "comments" when a section header decides it


@dataclass
class PageEvidence:
    """Page-level facts used when scoring single lines."""

    line_counts: Counter = field(default_factory=Counter)
    addressed: set = field(default_factory=set)  # names used as "Name:" prefixes or @mentions
    known_names: set = field(default_factory=set)  # author names found by an earlier pass
    #: ("before"|"after", gap signature) -> log-odds of an author line. Starts with weak generic
    #: priors (a button line ends a comment, a timestamp follows a name); replaced per page.
    gap_odds: dict = field(default_factory=lambda: dict(GENERIC_GAP_ODDS))
    #: Log-probabilities of continuing a comment's text (T->T) or starting a new comment (T->A),
    #: learnt per page: where nearly every comment is one line, a short line after a text line
    #: is more likely the next author.
    text_continues: float = 0.0
    text_ends: float = 0.0


GENERIC_GAP_ODDS = {
    ("before", "action"): 1.5,
    ("before", "action+blank"): 1.5,
    ("before", "section"): 1.5,
    ("before", "blank+section"): 1.5,
    ("after", "timestamp"): 1.0,
    ("after", "blank+timestamp"): 1.0,
}


#: Lines longer than this are never names (and are not counted as recurring lines).
MAX_NAME_CHARS = 80
_WORD_COUNT_ODDS = {1: 1.2, 2: 0.8, 3: 0.5, 4: -0.2, 5: -0.8, 6: -1.3}


#: The shape score of a placeholder name ("[deleted]").
_PLACEHOLDER_SHAPE = 2.0


def shape_score(text: str) -> float:
    """Log-odds, from the line alone, that it is a user name rather than prose."""
    n = len(text)
    if n > MAX_NAME_CHARS or _URL.search(text):
        return -12.0
    words = text.split()
    nw = len(words)
    if nw == 0:
        return -12.0
    s = 0.0
    s += 1.0 if n <= 25 else (0.0 if n <= 40 else -2.5)
    s += _WORD_COUNT_ODDS.get(nw, -3.0 - 0.5 * (nw - 7))
    last = text[-1]
    if text[0] == "[" and _PLACEHOLDER.fullmatch(text):  # "[deleted]", "[removed]"
        return _PLACEHOLDER_SHAPE
    punctuated = False
    if text.endswith(("...", "…")):
        s -= 0.4
    elif last in ".!?;,":
        s -= 4.5
        punctuated = True
    elif last in ":)]\"'”’":
        s -= 1.2
    first = text[0]
    if first in "\"'“‘>(-*[":
        s -= 2.5
    if ", " in text or "; " in text:
        s -= 1.4
    if _TWO_SENTENCES.search(text):
        s -= 2.5
    alpha = _WORD.findall(text)
    if not alpha:  # rules, ellipses, numbers: "-----", "..."
        return -6.0
    lowered = [w.lower() for w in alpha]
    stop = sum(map(STOPWORDS.__contains__, lowered))
    if nw >= 3:
        s -= 2.2 * stop / max(1, len(alpha))
    tagged = sum(1 for w in words if w[0] in "#@") if "#" in text or "@" in text else 0
    if tagged:  # hashtags and @mentions belong to text; a handle line is one bare token
        s -= 3.0 if (tagged >= 2 or words[0][0] == "#" or nw >= 2) else 0.5
    # A plain or capitalised word cannot be a user-name token (that needs a digit, an underscore
    # or a capital inside): most words skip the regex.
    if any(not (w.isalpha() and w[1:].islower()) and _USERNAME_TOKEN.match(w) for w in words):
        s += 1.3
    if nw <= 4 and alpha and not punctuated and all(w[0].isupper() for w in alpha):
        s += 0.6
    if nw == 1 and lowered and lowered[0] in STOPWORDS:
        s -= 1.5
    return s


def _numbered(values: list) -> tuple[np.ndarray, list, dict]:
    """Each value's number (in order of first appearance), the distinct values, and the map
    from value to number; built with C-level calls only."""
    distinct = list(dict.fromkeys(values))
    number = dict(zip(distinct, range(len(distinct))))
    return np.fromiter(map(number.__getitem__, values), dtype=np.int64, count=len(values)), distinct, number


class _CodedLines:
    """What the passes of the segmenter look up per line, as numbers: the line's key (its
    case-folded text) and its gap signatures, so that a pass scores all lines with numpy."""

    def __init__(self, lines: list[Line], keys: list[str], line_counts: Counter):
        self.key, self._keys, self._key_number = _numbered(keys)
        recurring = [self._key_number[k] for k, c in line_counts.items() if c >= 2 and k in self._key_number]
        mark = np.zeros(len(self._keys), dtype=bool)
        mark[recurring] = True
        self.repeated = mark[self.key]  # the line recurs on the page (as counted by page_evidence)
        gaps, self.signatures, _ = _numbered([ln.gap_before for ln in lines] + [ln.gap_after for ln in lines])
        self.before, self.after = gaps[:len(lines)], gaps[len(lines):]

    def has_key(self, keys: set[str]) -> np.ndarray:
        """Per line: its key is one of ``keys``."""
        mark = np.zeros(len(self._keys), dtype=bool)
        mark[[self._key_number[k] for k in keys if k in self._key_number]] = True
        return mark[self.key]

    def keys_of(self, lines: np.ndarray) -> set[str]:
        """The keys of the lines where ``lines`` (a mask) is true."""
        return {self._keys[k] for k in set(self.key[lines].tolist())}


class Segmenter:
    """Labels content lines with P/A/R/T. Configuration lives in the constructor.

    ``enter_cost`` is the prior against a comment section (pages without comments are common);
    ``header_unknown_cost`` is charged for a reply header that names no author of the page.
    """

    def __init__(self, enter_cost: float = 1.5, header_unknown_cost: float = 2.0,
                 repeat_bonus: float = 2.2, addressed_bonus: float = 1.5, passes: int = 2,
                 boundary_bonus: float = 1.5):
        self.enter_cost = enter_cost
        self.boundary_bonus = boundary_bonus
        self.header_unknown_cost = header_unknown_cost
        self.repeat_bonus = repeat_bonus
        self.addressed_bonus = addressed_bonus
        self.passes = passes

    # -- evidence ------------------------------------------------------------------------------
    def page_evidence(self, lines: list[Line]) -> PageEvidence:
        ev = PageEvidence()
        texts = [ln.text for ln in lines]
        ev.line_counts.update([t.casefold() for t in texts if len(t) <= MAX_NAME_CHARS])  # counted in C
        addressed, prefix = ev.addressed, _ADDRESS_PREFIX.match
        for t in texts:
            m = prefix(t) if ":" in t or "," in t else None  # a prefix ends in one of them
            if m:
                addressed.add(m.group(1).strip().casefold())
            if "@" in t:
                for name in _AT_MENTION.findall(t):
                    addressed.add(name.casefold())
        return ev

    def name_score(self, ln: Line, ev: PageEvidence, shape: float, layout: bool = True) -> float:
        """Log-odds that the line is a name; ``layout`` adds what its surroundings say of an
        author line (not of a reply header, which sits elsewhere in the layout)."""
        key = ln.text.casefold()
        s = shape
        if shape > -8:
            reps = ev.line_counts.get(key, 0)
            if reps >= 2:  # names recur; so do short stock phrases ("Good to know."), less often
                s += self.repeat_bonus * min(1.0, 0.6 + 0.2 * (reps - 2)) * (1.0 if shape > -1.0 else 0.3)
            if key in ev.addressed or key.lstrip("@") in ev.addressed:
                s += self.addressed_bonus
            if key in ev.known_names:
                s += 1.0
            if layout:
                s += ev.gap_odds.get(("before", ln.gap_before), 0.0)
                s += ev.gap_odds.get(("after", ln.gap_after), 0.0)
        return s

    # -- decoding ------------------------------------------------------------------------------
    def label(self, lines: list[Line]) -> list[int]:
        """The best label path for the content lines (see the module docstring)."""
        if not lines:
            return []
        ev = self.page_evidence(lines)
        counts, addressed = ev.line_counts, ev.addressed
        # One pass for each line's shape, case-folded key and the part of :meth:`name_score`
        # that the page gives and that does not change between passes (the per-pass part is
        # the known names and the layout).
        cache: dict[str, float] = {}  # names recur: score each distinct line once
        shapes, keys, base = [], [], []
        for ln in lines:
            text = ln.text
            key = text.casefold()
            keys.append(key)
            if len(text) > MAX_NAME_CHARS:  # prose whatever else (shape_score's first rule)
                shapes.append(-12.0)
                base.append(-12.0)
                continue
            sh = cache.get(text)
            if sh is None:
                sh = cache[text] = shape_score(text)
            shapes.append(sh)
            s = sh
            if sh > -8:
                reps = counts.get(key, 0)
                if reps >= 2:
                    s += self.repeat_bonus * min(1.0, 0.6 + 0.2 * (reps - 2)) * (1.0 if sh > -1.0 else 0.3)
                if key in addressed or key.lstrip("@") in addressed:
                    s += self.addressed_bonus
            base.append(s)
        # A placeholder right under another ("[deleted]" then "[removed]") is the text of a
        # deleted comment, not a second name: the author line comes first.
        for k in range(1, len(lines)):
            if shapes[k] == _PLACEHOLDER_SHAPE and shapes[k - 1] == _PLACEHOLDER_SHAPE and not lines[k].gap_before:
                shapes[k] = base[k] = -3.0
        coded = _CodedLines(lines, keys, ev.line_counts)
        labels = self._decode(lines, ev, shapes, keys, base, coded)
        for _ in range(self.passes - 1):
            self._learn_from(lines, labels, ev, keys, coded)
            labels = self._decode(lines, ev, shapes, keys, base, coded)
        return labels

    def _learn_from(self, lines: list[Line], labels: list[int], ev: PageEvidence,
                    keys: list[str] | None = None, coded: _CodedLines | None = None) -> None:
        """Turn a first labelling into page-specific evidence: its names and its layout.
        ``keys`` are the case-folded line texts and ``coded`` the lines as numbers, when the
        caller has them already."""
        if coded is None:
            coded = _CodedLines(lines, keys or [ln.text.casefold() for ln in lines], ev.line_counts)
        lab = np.array(labels, dtype=np.int8)
        is_a, is_t = lab == A, lab == T
        ev.known_names = coded.keys_of((lab == A) | (lab == R))
        n_a = int(np.count_nonzero(is_a))
        if n_a < 3:
            return
        tt = int(np.count_nonzero(is_t[:-1] & is_t[1:]))
        ta = int(np.count_nonzero(is_t[:-1] & is_a[1:]))
        ev.text_continues = 0.5 * math.log((tt + 1) / (tt + ta + 2))
        ev.text_ends = 0.5 * math.log((ta + 1) / (tt + ta + 2))
        ev.gap_odds = {}
        n_t = int(np.count_nonzero(is_t))
        for side, gaps in (("before", coded.before), ("after", coded.after)):
            authors = np.bincount(gaps[is_a], minlength=len(coded.signatures))
            others = np.bincount(gaps[is_t], minlength=len(coded.signatures))
            for g in np.flatnonzero(authors + others).tolist():  # the signatures seen
                p_a = (int(authors[g]) + 0.5) / (n_a + 1.0)
                p_t = (int(others[g]) + 0.5) / (n_t + 1.0)
                ev.gap_odds[(side, coded.signatures[g])] = max(-3.0, min(3.0, math.log(p_a / p_t)))

    def _decode(self, lines: list[Line], ev: PageEvidence, shapes: list[float], keys: list[str],
                base: list[float], coded: _CodedLines | None = None) -> list[int]:
        """Scores for each line as an author (sa: :meth:`name_score` with the layout) and as a
        reply header (sr: without it), then the best path. The scores are worked out for all
        lines at once with numpy, with the same additions in the same order as one by one."""
        if coded is None:
            coded = _CodedLines(lines, keys, ev.line_counts)
        known_names, odds = ev.known_names, ev.gap_odds
        named = coded.has_key(known_names)
        known = named if known_names else coded.repeated
        unknown = -self.header_unknown_cost
        before = np.array([odds.get(("before", sig), 0.0) for sig in coded.signatures])
        after = np.array([odds.get(("after", sig), 0.0) for sig in coded.signatures])
        b = np.array(base)
        short = np.array(shapes) > -8
        b_named = np.where(short & named, b + 1.0, b)
        sr = b_named + np.where(known, 1.5, unknown)
        sa = np.where(short, b_named + before[coded.before] + after[coded.after], b)
        return self._viterbi(lines, sa.tolist(), sr.tolist(), ev.text_ends, ev.text_continues)

    def _viterbi(self, lines: list[Line], sa: list[float], sr: list[float], ends: float,
                 continues: float) -> list[int]:
        """The best label path given each line's author (``sa``) and reply-header (``sr``) scores.

        The four state scores are held in four locals (p, a, r, t). Back pointers: P always comes
        from P and R from A (or from nothing, P, on a line that cannot be a comment), so only A's
        (P or T) and T's (T, A or R) are stored, in flat lists: a list of four per line cost more
        than the rest of the decoding.
        """
        n = len(lines)
        enter_cost, bonus = self.enter_cost, self.boundary_bonus
        from_a = [P] * n
        from_t = [P] * n
        first = lines[0]
        p = 0.0 if first.forced != "comments" else NEG
        a = sa[0] - enter_cost if first.forced != "article" else NEG
        r = t = NEG
        for i in range(1, n):
            ln = lines[i]
            forced = ln.forced
            new_p = p if forced != "comments" else NEG
            if forced == "article":
                p, a, r, t = new_p, NEG, NEG, NEG
                continue
            # A: from P (entering comments) or from T (a new comment). Comment sections
            # usually start after a blank line or a header, rarely mid-run of paragraphs.
            enter = p - enter_cost + (bonus if ln.gap_before else -bonus)
            after_text = t + ends
            if enter >= after_text:
                new_a = enter + sa[i]
            else:
                new_a = after_text + sa[i]
                from_a[i] = T
            new_r = a + sr[i]
            # T: after A, R or T
            best, arg = t + continues, T
            if a > best:
                best, arg = a, A
            if r > best:
                best, arg = r, R
            from_t[i] = arg
            p, a, r, t = new_p, new_a, new_r, best
        state = P if p >= t else T
        labels = [0] * n
        for i in range(n - 1, -1, -1):
            labels[i] = state
            if state == A:
                state = from_a[i]
            elif state == T:
                state = from_t[i]
            elif state == R:
                state = A if i > 0 and lines[i].forced != "article" else P
        return labels
