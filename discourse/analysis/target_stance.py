"""Target stance: favor / against / none toward named targets, per comment or article paragraph.

Why not sentiment: stance is about *whom* a text sides with, and war comments carry it in ways a
sentiment lexicon misses or inverts. "Great job NATO, another brilliant success" is glowing
vocabulary used as mockery (against NATO); "the Kiev regime" takes a side with no sentiment at all;
"Putin's media told you" discredits Russia in passing. So the model is built from where the side is
actually marked:

1. **Targets**: a domain pack (``discourse/data/domains/<name>.json``: Russia, Ukraine, NATO/the
   West, Western media for the Russia-Ukraine war), names the user asks for (``targets=``; a name
   with no pack entry gets itself, its plural and simple adjective forms as aliases), each thread's
   most salient proper names (capitalisation and frequency: NLTK has no named-entity recogniser
   without data packs), and ``article``: whether a top-level comment accepts or rejects the piece it
   answers.
2. **Mentions** by whole-word alias matching. Some aliases bear stance themselves ("orcs",
   "Kiev regime", "Putler"): they count as a mention and as a cue, so stance is found even where the
   target is never named.
3. **Cues** near each mention, from a generic cue file (praise/attack/winning/losing predicates,
   support verbs, violence that needs a victim to count) and the pack's loaded labels. A cue is
   credited to the mention it grammatically most likely belongs to (a predicate to the subject
   before it, "support"/"shame on" to the name after it), weighted down with distance, flipped
   by a negator just before it, by scare quotes or "so-called", and by sarcasm markers in its
   sentence or the sentences beside it. Violence against civilians counts against the agent and,
   where the pack names opponents, for the victim mentioned after it.
4. **Optionally** (``use_embeddings=True``) the sentences that mention a pack target are compared
   with the pack's favor and against prototype sentences (one embedding batch for everything); the
   margin adds to the score. Off by default: on the development set it did not help (dev macro-F1
   Russia 0.911 -> 0.904, real comments 0.863 -> 0.778), since a sentence about the war resembles
   every prototype about the war.

Each (text, target) row carries a signed ``score`` in [-1, 1] (favor positive) and the quoted spans
that produced it. Rows appear only where a target is mentioned or a stance-bearing alias fires.

Matching is a left-to-right scan over tokens with a dictionary keyed by the first word (longest
match wins), so time is linear in the text and no regular expression can backtrack on a long line.
"""
from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from ..resources import load_json
from .stage import RunContext, Stage

COLUMNS = ["thread_id", "comment_id", "target", "stance", "score", "evidence", "mentions", "source"]
FAVOR, AGAINST, NONE = "favor", "against", "none"
ARTICLE = "article"

# Words (with inner apostrophes: "putin's", "don't") or sentence breaks. No nested quantifiers that
# can overlap: each repetition starts with an apostrophe, so matching is linear.
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)*|[.!?;\n]")
_ABBREV = re.compile(r"\b([A-Z])\.([A-Z])\.")  # U.S. -> US, so the case-sensitive alias matches
_QUOTES = re.compile(
    r"\"([^\"\n]{1,60})\"|\u201c([^\u201d\n]{1,60})\u201d|(?<![A-Za-z])'([^'\n]{1,60})'(?![A-Za-z])"
    r"|\u2018([^\u2019\n]{1,60})\u2019(?![A-Za-z])"
)
_BREAKS = frozenset(".!?;\n")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)*")  # _TOKEN's words
_BREAK_SPLIT = re.compile(r"[.!?;\n]")  # _TOKEN's breaks
_URL = re.compile(r"(?:https?://|www\.)\S+")
_SCARE_MAX_WORDS = 5
_WEIGHT = itemgetter(0)  # an evidence item's weight
_PRONOUNS = frozenset(["he", "she", "they", "it", "his", "her", "their", "its", "them", "him", "this"])


# --------------------------------------------------------------------------------------------
# Tokens and phrase matching


class _Tokens:
    """A text's word tokens as parallel tuples: ``low[i]``, ``base[i]``, ``orig[i]``, ``start[i]``,
    ``end[i]``, ``sent[i]`` describe token ``i``.

    Why columns rather than one object per token: a comment corpus has hundreds of thousands of
    tokens, and that many small objects (each tracked by the garbage collector) made collection a
    third of this stage's time. Plain tuples of strings and integers are dropped from the
    collector's lists after their first pass.

    ``low`` is lower-cased with curly apostrophes straightened, ``base`` is ``low`` without a
    possessive 's, ``orig`` the spelling in the text, ``start``/``end`` character offsets into the
    text (kept exact, so evidence quotes the text), ``sent`` the sentence number.
    """

    __slots__ = ("base", "end", "low", "orig", "sent", "start")

    def __init__(self, rows: list[tuple[str, str, str, int, int, int]]):
        if rows:
            self.low, self.base, self.orig, self.start, self.end, self.sent = zip(*rows)
        else:
            self.low = self.base = self.orig = self.start = self.end = self.sent = ()

    def __len__(self) -> int:
        return len(self.low)


def _tokenise(text: str) -> _Tokens:
    """Word tokens with character offsets into ``text`` (kept exact, so evidence quotes the text).

    Break characters never occur inside a word token, so the text is cut at them and each piece's
    words found at once: a piece with words is one sentence. The words are lower-cased as one
    joined string (they are ASCII letters, digits and apostrophes, so no spelling changes length
    or merges), which keeps the per-token Python work to the possessive cut where there is one."""
    if "." in text:  # U.S. -> "US  ": the same length, so offsets stay true
        text = _ABBREV.sub(lambda m: m.group(1) + m.group(2) + "  ", text)
    if "http" in text or "www." in text:  # a link's words ("bbc.com/news") are not mentions
        text = _URL.sub(lambda m: " " * len(m.group()), text)
    orig: list[str] = []
    sents: list[int] = []
    sent = 0
    words = _WORD.findall
    for piece in _BREAK_SPLIT.split(text):
        ws = words(piece)
        if ws:
            orig += ws
            sents += [sent] * len(ws)
            sent += 1
    if not orig:
        return _Tokens([])
    joined = " ".join(orig).lower()
    if "'" in joined or "\u2019" in joined:
        lows = tuple(joined.replace("\u2019", "'").split(" "))
        bases = tuple(w[:-2] if w.endswith("'s") else (w[:-1] if w.endswith("s'") else w) for w in lows)
    else:
        lows = tuple(joined.split(" "))
        bases = lows
    # ``find`` from the previous token's end gives each token's offset: no skipped character can
    # start a token (else the pattern would have matched there), so the first occurrence at or
    # after the previous end is the token itself.
    find = text.find
    starts, ends = [], []
    end = 0
    for w in orig:
        start = find(w, end)
        end = start + len(w)
        starts.append(start)
        ends.append(end)
    toks = _Tokens.__new__(_Tokens)
    toks.low, toks.base, toks.orig, toks.start, toks.end, toks.sent = \
        lows, bases, tuple(orig), tuple(starts), tuple(ends), tuple(sents)
    return toks


@dataclass(frozen=True)
class _Word:
    text: str
    prefix: bool = False
    case: bool = False  # compare with the original spelling (aliases such as "US")

    def matches(self, toks: _Tokens, i: int) -> bool:
        if self.case:
            orig = toks.orig[i]
            return orig == self.text or orig == self.text + "'s"
        if self.prefix:
            return toks.low[i].startswith(self.text)
        return toks.low[i] == self.text or toks.base[i] == self.text


def _words(pattern: str, case: bool = False) -> tuple[_Word, ...]:
    out = []
    for w in _TOKEN.findall(pattern.replace("-", " ") if case else pattern.lower().replace("-", " ")):
        if w in _BREAKS:
            continue
        if not case:
            w = w.replace("\u2019", "'")
        out.append(_Word(w, False, case))
    if pattern.endswith("*") and out:
        out[-1] = _Word(out[-1].text, True, case)
    return tuple(out)


class _Matcher:
    """Longest-match phrase finder keyed by the first word (and a 4-letter key for prefixes)."""

    def __init__(self) -> None:
        self._exact: dict[str, list] = defaultdict(list)
        self._prefix: dict[str, list] = defaultdict(list)
        self._compiled: dict[str, tuple] | None = None
        self._keys: frozenset[str] = frozenset()

    def add(self, pattern: str, payload, case: bool = False) -> None:
        words = _words(pattern, case)
        if not words:
            return
        first = words[0]
        if first.prefix and len(words) == 1:
            key = first.text[:4]
            self._prefix[key].append((words, payload))
        else:
            self._exact[first.text.lower()].append((words, payload))
        self._compiled = None

    def _entries(self) -> dict[str, tuple]:
        """``_exact`` in the form ``find`` checks fastest, built on first use after an ``add``.

        Each key maps to ``(gate, entries)``; each entry becomes ``(length, payload, words,
        first_needs_check, second_text)``. An entry is looked up under its own first word, so that
        word needs checking only when it is case-sensitive; ``second_text`` is the second word of a
        phrase when it is a plain (case-blind, non-prefix) word, compared inline before anything
        else, since most phrases that share a first word with the text fail right there. ``gate``:
        when every entry of a key is such a phrase, the set of their second words, so a frequent
        first word ("the" of "the article") is dismissed with one lookup of the next word."""
        if self._compiled is None:
            compiled = {}
            for key, lst in self._exact.items():
                entries = tuple(
                    (len(words), payload, words, words[0].case,
                     words[1].text if len(words) > 1 and not words[1].case and not words[1].prefix else None)
                    for words, payload in lst)
                gate = frozenset(e[4] for e in entries) if all(e[4] is not None for e in entries) else None
                compiled[key] = (gate, entries)
            self._compiled = compiled
            self._keys = frozenset(compiled)
        return self._compiled

    def find(self, toks: _Tokens, greedy: bool = True, vocab: set | None = None) -> list:
        """(start, end, payload) for matches within one sentence; greedy skips covered tokens.

        ``vocab``: the text's lower-cased words, when known, to skip a text no phrase can start in.

        Only tokens whose word (or possessive-less base, or 4-letter prefix key) starts some
        entry are visited; they are picked out in one comprehension first, since in most texts
        few words can start a phrase and a Python loop over every token was the cost here.
        Entries are tried in the order they were added, longest match winning, as always.
        """
        prefix = self._prefix
        exact = self._entries()
        if vocab is not None and not prefix and self._keys.isdisjoint(vocab):
            return []
        lows, bases, sents = toks.low, toks.base, toks.sent
        n = len(lows)
        # The positions where some entry may start: a word (or, where a possessive was cut, its
        # base) that is a key, or a 4-letter prefix key.
        if bases == lows:  # no possessive in the text (the same string objects: a quick compare)
            if prefix:
                starts = [i for i, w in enumerate(lows) if w in exact or w[:4] in prefix]
            else:
                starts = [i for i, w in enumerate(lows) if w in exact]
        elif prefix:
            starts = [i for i in range(n) if lows[i] in exact or bases[i] in exact or lows[i][:4] in prefix]
        else:
            starts = [i for i in range(n) if lows[i] in exact or bases[i] in exact]
        out = []
        free = 0  # greedy: the first token not inside an earlier match
        for i in starts:
            if i < free:
                continue
            low, base = lows[i], bases[i]
            best = None
            best_len = 0
            for key in (low, base) if base != low else (low,):
                got = exact.get(key)
                if got is None:
                    continue
                gate, entries = got
                if gate is not None and (i + 1 >= n or (lows[i + 1] not in gate and bases[i + 1] not in gate)):
                    continue
                for k, payload, words, check_first, second in entries:
                    if k <= best_len:
                        continue
                    if k == 1:
                        if not check_first or words[0].matches(toks, i):
                            best, best_len = (i, i + 1, payload), 1
                        continue
                    if i + k > n:
                        continue
                    sent = sents[i]
                    if sents[i + 1] != sent:
                        continue
                    if second is not None:
                        if lows[i + 1] != second and bases[i + 1] != second:
                            continue
                    elif not words[1].matches(toks, i + 1):
                        continue
                    if check_first and not words[0].matches(toks, i):
                        continue
                    if all(words[j].matches(toks, i + j) and sents[i + j] == sent for j in range(2, k)):
                        best, best_len = (i, i + k, payload), k
            if best is None and prefix:
                for words, payload in prefix.get(low[:4], ()):
                    if words[0].matches(toks, i):
                        best = (i, i + 1, payload)
                        break
            if best is not None:
                out.append(best)
                if greedy:
                    free = best[1]
        return out


# --------------------------------------------------------------------------------------------
# Configuration: targets and cues


@dataclass
class Target:
    key: str
    label: str
    source: str  # "pack", "user", "salient"
    aliases: list[str] = field(default_factory=list)
    case_sensitive: list[str] = field(default_factory=list)
    opponents: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Cue:
    kind: str
    role: str  # pred / obj / mod / loaded
    weight: float
    pattern: str
    effects: tuple[tuple[str, int], ...] = ()  # loaded cues: (target key, +1/-1)
    alias_for: frozenset = frozenset()
    needs_victim: bool = False
    polarity: int = 0  # generic cues: +1 favor / -1 against
    harm: bool = False


@dataclass(frozen=True)
class _Mention:
    target: str


@dataclass(frozen=True)
class _Place:
    """A town of a side: not a mention, but the victim of violence reported there."""

    target: str


def _sign(stance: str) -> int:
    return 1 if stance == FAVOR else -1


def surface_forms(name: str) -> list[str]:
    """A user-named target's aliases: the name, its plural and common adjective/demonym forms
    ("Israel" -> "Israeli(s)", "Serbia" -> "Serbian(s)"), so mentions in running text are found."""
    name = " ".join(name.split())
    if not name:
        return []
    forms = {name, name + "s"}
    low = name.lower()
    if low.endswith("a"):
        forms |= {name + "n", name + "ns"}
    elif low.endswith("e"):
        forms |= {name[:-1] + "ian", name[:-1] + "ians", name + "an", name + "ans"}
    elif low.endswith("y"):
        forms |= {name[:-1] + "ian", name[:-1] + "ians"}
    else:
        forms |= {name + "i", name + "is", name + "ian", name + "ians", name + "ese"}
    return sorted(forms)


# --------------------------------------------------------------------------------------------


class TargetStance:
    """Favor / against / none toward named targets, with evidence.

    ``domain``: a packaged domain pack name (``"russia_ukraine"``) or None; ``path`` replaces the
    pack with a user file of the same shape, ``cues_path`` the generic cue file. ``targets``: extra
    names (a pack target's label or alias selects that target). ``salient_entities``: how many of
    each thread's most frequent proper names become targets (0 to skip). ``embedder``: a
    :class:`discourse.embeddings.Embedder` (default the run's shared one) for prototype similarity,
    used when ``use_embeddings`` and the pack has prototypes.
    """

    def __init__(self, domain: str | None = "russia_ukraine", targets: Iterable[str] | None = None,
                 path: str | Path | None = None, salient_entities: int = 3, embedder=None,
                 use_embeddings: bool = False, cues_path: str | Path | None = None,
                 article_target: bool = True):
        self.cues = load_json("lexicons", "target_stance_cues.json", path=cues_path)
        if path is not None:
            self.pack = load_json(path=path)
        elif domain:
            self.pack = load_json("domains", f"{domain}.json")
        else:
            self.pack = {"targets": {}, "cues": [], "prototypes": {}}
        s = self.cues.get("settings", {})
        self.threshold = float(s.get("threshold", 0.5))
        self.neg_window = int(s.get("negation_window", 3))
        self.neg_factor = float(s.get("negation_factor", -0.7))
        self.sarcasm_factor = float(s.get("sarcasm_factor", -0.9))
        self.scare_factor = float(s.get("scare_quote_factor", -0.8))
        self.decay = float(s.get("distance_decay", 6))
        self.pronoun_fallback = float(s.get("pronoun_fallback", 0.5))
        self.patient_factor = float(s.get("patient_factor", 0.6))
        self.emb_weight = float(s.get("embedding_weight", 2.0))
        self.emb_margin = float(s.get("embedding_margin", 0.04))
        self.max_evidence = int(s.get("max_evidence", 5))
        self.hedge_factor = float(s.get("hedge_factor", 0.3))
        self.max_distance = int(s.get("max_distance", 12))
        self.salient_entities = int(salient_entities or 0)
        self.article_target = article_target
        self.use_embeddings = use_embeddings
        self._embedder = embedder

        self.targets: dict[str, Target] = {}
        for key, spec in self.pack.get("targets", {}).items():
            self.targets[key] = Target(key, spec.get("label", key), "pack", list(spec.get("aliases", [])),
                                       list(spec.get("case_sensitive", [])), list(spec.get("opponents", [])),
                                       list(spec.get("places", [])))
        for name in targets or []:
            name = " ".join(str(name).split())
            if name and self._resolve(name) is None:
                self.targets[name] = Target(name, name, "user", surface_forms(name))

        self.copulas = frozenset(w.lower() for w in self.cues.get("copulas", []))
        self.fillers = frozenset(w.lower() for w in self.cues.get("label_fillers", []))
        self.not_names = frozenset(w.lower() for w in self.cues.get("not_names", []))
        self.negators = frozenset(w.lower().replace("\u2019", "'") for w in self.cues.get("negators", []))
        self._victims = _Matcher()
        for v in self.cues.get("victims", []):
            self._victims.add(v, True)
        self._base = _Matcher()  # generic cues and pack cues (aliases are added per thread)
        self._cue_entries: list[_Cue] = []
        pack_patterns = set()
        for grp in self.pack.get("cues", []):
            effects = tuple((t, _sign(st)) for t, st in grp["stance"].items())
            alias_for = frozenset(grp.get("alias", []))
            for p in grp["patterns"]:
                cue = _Cue(grp.get("kind", "loaded"), "loaded", float(grp.get("weight", 1.0)), p, effects, alias_for)
                self._cue_entries.append(cue)
                pack_patterns.add(" ".join(w.text for w in _words(p)) + ("*" if p.endswith("*") else ""))
                self._base.add(p, cue)
        for grp in self.cues.get("cues", []):
            for p in grp["patterns"]:
                norm = " ".join(w.text for w in _words(p)) + ("*" if p.endswith("*") else "")
                if norm in pack_patterns:
                    continue  # the pack's reading of this phrase wins in its domain
                cue = _Cue(grp.get("kind", grp["stance"]), grp["role"], float(grp.get("weight", 1.0)), p,
                           polarity=_sign(grp["stance"]), needs_victim=bool(grp.get("needs_victim")),
                           harm=grp.get("kind") == "harm")
                self._cue_entries.append(cue)
                self._base.add(p, cue)
        sar = self.cues.get("sarcasm", {})
        self._sarcasm = _Matcher()
        for p in sar.get("favor", []):
            self._sarcasm.add(p.lstrip("^"), "initial" if p.startswith("^") else "favor")
        for p in sar.get("distance", []):
            self._sarcasm.add(p, "distance")
        for p in sar.get("so_called", []):
            self._sarcasm.add(p, "so_called")
        for p in sar.get("hedge", []):
            self._sarcasm.add(p, "hedge")
        art = self.cues.get("article", {})
        self._article = _Matcher()
        for kind in ("refs", "agree", "disagree"):
            for p in art.get(kind, []):
                self._article.add(p, kind)
        self._static: _Matcher | None = None

    # -- configuration helpers ------------------------------------------------------------

    def _resolve(self, name: str) -> str | None:
        low = name.lower()
        for key, t in self.targets.items():
            if low == key.lower() or low == t.label.lower() or low in (a.lower() for a in t.aliases) \
                    or name in t.case_sensitive:
                return key
        return None

    def cue_entries(self) -> list[_Cue]:
        """Every cue the model knows (pack and generic), for inspection and tests."""
        return list(self._cue_entries)

    def _static_matcher(self) -> _Matcher:
        """Cues, pack and user aliases and places in one matcher, built once (longest match wins
        across all of them: "Kiev regime" over "Kiev", "Western media" over "Western")."""
        if self._static is not None:
            return self._static
        m = _Matcher()
        m._exact = defaultdict(list, {k: list(v) for k, v in self._base._exact.items()})
        m._prefix = defaultdict(list, {k: list(v) for k, v in self._base._prefix.items()})
        m._compiled = None
        self._add_aliases(m, self.targets.values())
        self._static = m
        return m

    @staticmethod
    def _add_aliases(m: _Matcher, targets: Iterable[Target]) -> None:
        taken = {tuple(w.text for w in words) for lst in m._exact.values() for words, _ in lst}
        for t in targets:
            for a in t.aliases:
                if tuple(w.text for w in _words(a)) not in taken:  # a loaded cue with this phrase wins
                    m.add(a, _Mention(t.key))
            for a in t.case_sensitive:
                m.add(a, _Mention(t.key), case=True)
            for a in t.places:
                if tuple(w.text for w in _words(a)) not in taken:
                    m.add(a, _Place(t.key))

    def _find(self, toks, extra: _Matcher | None, vocab: set | None = None):
        """Static matches, plus a thread's salient-name matches where they overlap nothing.

        ``vocab``: the text's words and bases, to skip a text that names no salient entity."""
        found = self._static_matcher().find(toks)
        if extra is None:
            return found
        more = extra.find(toks, vocab=vocab)
        if not more:
            return found
        used = set()
        for s, e, _ in found:
            used.update(range(s, e))
        found += [x for x in more if not any(j in used for j in range(x[0], x[1]))]
        found.sort(key=lambda x: x[0])
        return found

    # -- salient entities -----------------------------------------------------------------

    def salient(self, texts: Sequence[str], exclude: Iterable[str] = (), k: int | None = None,
                tokenised: Sequence[list] | None = None) -> list[str]:
        """The ``k`` proper names most texts of a thread mention (at least two texts).

        A name is a run of capitalised words; a sentence's first word counts only if the same word
        is capitalised mid-sentence somewhere in the thread, and common words never count."""
        k = self.salient_entities if k is None else k
        if k <= 0:
            return []
        known = {a.lower() for t in self.targets.values() for a in t.aliases}
        known |= {a.lower() for t in self.targets.values() for a in t.case_sensitive}
        known |= {t.label.lower() for t in self.targets.values()}
        known |= {e.lower() for e in exclude if e}
        stop = self.not_names
        mid_caps: set[str] = set()
        runs_per_text: list[list[tuple[str, bool]]] = []
        for n, text in enumerate(texts):
            runs: list[tuple[str, bool]] = []
            toks = tokenised[n] if tokenised is not None and n < len(tokenised) else _tokenise(text)
            sents, bases = toks.sent, toks.base
            # A run is consecutive capitalised tokens of one sentence; only capitalised tokens are
            # visited (a lower-case word just ends the run, which the adjacency test sees).
            run: list[int] = []
            for i in [i for i, o in enumerate(toks.orig) if o[0].isupper()]:  # tokens are never empty
                b = bases[i]
                if b in stop or len(b) <= 1:
                    continue
                sn = sents[i]
                if i > 0 and sents[i - 1] == sn:
                    mid_caps.add(b)
                if run and run[-1] == i - 1 and sents[i - 1] == sn:
                    run.append(i)
                    continue
                if run:
                    runs.append(_run_name(toks, run))
                run = [i]
            if run:
                runs.append(_run_name(toks, run))
            runs_per_text.append(runs)
        counts: Counter = Counter()
        first_seen: dict[str, int] = {}
        for runs in runs_per_text:
            seen = set()
            for name, initial in runs:
                first = name.split()[0].lower()
                if initial and len(name.split()) == 1 and first not in mid_caps:
                    continue
                low = name.lower()
                if low in known or any(w in known for w in low.split()) or low in stop:
                    continue
                if low not in seen:
                    seen.add(low)
                    counts[name] += 1
                    first_seen.setdefault(name, len(first_seen))
        ranked = sorted((n for n, c in counts.items() if c >= 2), key=lambda n: (-counts[n], first_seen[n]))
        out, lows = [], set()
        for n in ranked:
            if n.lower() not in lows:
                lows.add(n.lower())
                out.append(n)
            if len(out) >= k:
                break
        return out

    # -- scoring one text -----------------------------------------------------------------

    def _score_text(self, text: str, toks: _Tokens, extra: _Matcher | None, targets: dict[str, Target],
                    top_level: bool, lead: str | None = None):
        """{target key: [raw score, evidence list, mention count, mention sentences]} for one text."""
        if not toks:
            return {}
        lows = set(toks.low).union(toks.base)
        matches = self._find(toks, extra, lows)
        result: dict[str, list] = {}

        def bucket(key):
            b = result.get(key)
            if b is None:
                b = result[key] = [0.0, [], 0, set()]
            return b

        mentions: list[tuple[int, str]] = []  # (token index, target key)
        cues: list[tuple[int, int, _Cue]] = []
        places: list[tuple[int, str]] = []
        for s, e, payload in matches:
            if isinstance(payload, _Mention):
                if payload.target in targets:
                    mentions.append((s, payload.target))
            elif isinstance(payload, _Place):
                places.append((s, payload.target))
            else:
                cues.append((s, e, payload))
                if payload.role == "loaded":
                    for key in payload.alias_for:
                        if key in targets:
                            mentions.append((s, key))
        mentions.sort()
        mentioned = {k for _, k in mentions}
        for i, key in mentions:
            b = bucket(key)
            b[2] += 1
            b[3].add(toks.sent[i])
        if not cues and not (top_level and self.article_target):
            return result

        # Modifiers: negators, scare quotes, sarcasm.
        quoted = self._quoted_tokens(text, toks)
        sarcasm_sents: set[int] = set()
        distance_from: dict[int, int] = {}  # sentence -> token index where rejected content starts
        so_called: set[int] = set()
        hedged: set[int] = set()
        for s, e, kind in self._sarcasm.find(toks, vocab=lows):
            sent = toks.sent[s]
            if kind == "initial" and s > 0 and toks.sent[s - 1] == sent:
                continue  # "^sure": only a sentence-opening "Sure, ..." is a marker
            if kind in ("favor", "initial"):
                sarcasm_sents |= {sent - 1, sent, sent + 1}
            elif kind == "distance":
                distance_from[sent] = min(distance_from.get(sent, e), e)
                src = self._nearest(mentions, toks, s)
                if src is not None:
                    b = bucket(src[1])
                    b[0] -= 1.0
                    b[1].append((1.0, f"'{_span(text, toks, s, e)}' (source rejected -1.0)"))
            elif kind == "hedge":
                hedged.update(j for j in range(e, min(e + 8, len(toks))) if toks.sent[j] == sent)
            else:
                so_called.update(range(e, min(e + 4, len(toks))))
        mention_pos = [i for i, _ in mentions]
        sent_mentions: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for i, key in mentions:
            sent_mentions[toks.sent[i]].append((i, key))
        sent_pos = {k: [i for i, _ in v] for k, v in sent_mentions.items()}
        mention_set = set(mention_pos)
        victim_sents = None
        covered = set()
        for s, e, _ in cues:
            covered.update(range(s, e))
        patients: dict[int, tuple[int, str]] = {}  # mention index -> the agent that harmed it
        sent_places: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for i, key in places:
            sent_places[toks.sent[i]].append((i, key))
        if sarcasm_sents and quoted:
            # "Yeah right, Russia is 'only hitting military targets'": a quoted phrase right after a
            # mention, in a sarcastic sentence, mocks what that target says of itself.
            for i, key in mentions:
                if toks.sent[i] in sarcasm_sents and any(j in quoted for j in range(i + 1, min(i + 4, len(toks)))
                                                         if toks.sent[j] == toks.sent[i]):
                    self._credit(bucket(key), -0.8, _span(text, toks, i, min(i + 4, len(toks))),
                                 "mocked in quotes", ["sarcasm"])

        for s, e, cue in cues:
            sent = toks.sent[s]
            factor, notes = 1.0, []
            if self._negated(toks, s, covered):
                factor *= self.neg_factor
                notes.append("negated")
            if s in quoted or s in so_called:
                factor *= self.scare_factor
                notes.append("scare quotes" if s in quoted else "so-called")
            if s in hedged:
                factor *= self.hedge_factor
                notes.append("reported")
            if sent in distance_from and s >= distance_from[sent]:
                factor *= -1.0
                notes.append("reported, rejected")
            span = _span(text, toks, s, e)
            if cue.role == "loaded":
                if sent in sarcasm_sents and any(sg > 0 for _, sg in cue.effects) and factor > 0:
                    factor *= self.sarcasm_factor
                    notes.append("sarcasm")
                for key, sg in cue.effects:
                    if key not in targets or (key not in cue.alias_for and key not in mentioned):
                        continue
                    w = cue.weight * sg * factor
                    self._credit(bucket(key), w, span, cue.kind, notes)
                continue
            if cue.needs_victim:
                if victim_sents is None:
                    victim_sents = {toks.sent[vs] for vs, _, _ in self._victims.find(toks, greedy=False)}
                    # (prefix entries make the word pre-check useless here; this runs rarely)
                if sent not in victim_sents:
                    continue
            pol = cue.polarity
            if pol > 0 and sent in sarcasm_sents and factor > 0:
                factor *= self.sarcasm_factor
                notes.append("sarcasm")
            side = {"pred": "before", "obj": "after", "label": "label"}.get(cue.role, "either")
            cands = sent_mentions.get(sent)
            fallback = 1.0
            if not cands:
                # A sentence without a name ("He offered guarantees.", "More power to them."): the
                # previous sentence's last mention or, in a comment on the article, the target the
                # article leads with, at reduced weight, when a pronoun stands where the name would.
                first = bisect_left(toks.sent, sent)  # sentence numbers never decrease
                if cue.role == "obj":
                    if e >= len(toks) or toks.sent[e] != sent or toks.low[e] not in _PRONOUNS:
                        continue
                    j = bisect_left(mention_pos, s)
                    if j:
                        hit = (mentions[j - 1][0], mentions[j - 1][1], 1)
                    elif top_level and lead in targets:
                        hit = (-1, lead, 1)
                        bucket(lead)
                    else:
                        continue
                    w = cue.weight * pol * factor * self.pronoun_fallback
                    self._credit(bucket(hit[1]), w, span + f" {toks.orig[e]}", cue.kind, notes + ["pronoun"])
                    continue
                if toks.low[first] not in _PRONOUNS:
                    continue
                j = bisect_left(mention_pos, first)
                if j == 0:
                    continue
                hit = (mentions[j - 1][0], mentions[j - 1][1], 1)
                fallback = self.pronoun_fallback
            else:
                if side == "label":
                    hit = self._attach_label(toks, cands, sent_pos[sent], s, e, covered)
                else:
                    hit = self._attach(cands, sent_pos[sent], s, e, side)
                if hit is None:
                    continue
                if hit[0] in patients and side in ("before", "label"):
                    # "Russia invaded Ukraine and committed atrocities": Ukraine is the victim of the
                    # first clause, so a later predicate still describes the agent.
                    agent = patients[hit[0]]
                    hit = (agent[0], agent[1], hit[2])
            idx, key, dist = hit
            if dist > self.max_distance:
                continue
            w = cue.weight * pol * factor * fallback / (1.0 + max(0, dist - 1) / self.decay)
            self._credit(bucket(key), w, span, cue.kind, notes)
            if cue.harm and pol < 0 and factor > 0:
                opp = set(targets[key].opponents) if key in targets else set()
                lo = bisect_left(sent_pos[sent], e) if cands else 0
                victims = list((cands or [])[lo: lo + 8]) + [p for p in sent_places.get(sent, ()) if p[0] >= e][:8]
                for j, k2 in sorted(victims):
                    if k2 in opp and k2 in targets:
                        pw = cue.weight * factor * fallback * self.patient_factor
                        self._credit(bucket(k2), pw, span, "victim of harm", notes)
                        if j in mention_set:
                            patients[j] = (idx, key)
                        break
        if top_level and self.article_target and ARTICLE in targets:
            self._article_stance(text, toks, quoted, bucket, sarcasm_sents, lows)
        return result

    def _article_stance(self, text, toks, quoted, bucket, sarcasm_sents, lows=None):
        hits = self._article.find(toks, vocab=lows)
        if not hits:
            return
        ref_sents = {toks.sent[s] for s, _, k in hits if k == "refs"}
        b = None
        for s, e, kind in hits:
            if b is None:
                b = bucket(ARTICLE)
            if kind == "refs":
                b[2] += 1
                continue
            sign = 1 if kind == "agree" else -1
            w = 0.6 * sign * (2.0 if toks.sent[s] in ref_sents else 1.0)
            notes = []
            if self._negated(toks, s):
                w *= self.neg_factor
                notes.append("negated")
            if sign > 0 and toks.sent[s] in sarcasm_sents:
                w *= self.sarcasm_factor
                notes.append("sarcasm")
            self._credit(b, w, _span(text, toks, s, e), f"article {kind}", notes)

    @staticmethod
    def _credit(b, w, span, kind, notes):
        b[0] += w
        note = f", {', '.join(notes)}" if notes else ""
        b[1].append((abs(w), f"'{span}' ({kind}{note} {w:+.2f})"))

    def _negated(self, toks, s, covered=frozenset()) -> bool:
        sent = toks.sent[s]
        for j in range(max(0, s - self.neg_window), s):
            if j in covered:
                continue  # "no right to annex": the "no" belongs to its own cue
            if toks.sent[j] == sent and (toks.low[j] in self.negators or toks.low[j].endswith("n't")):
                return True
        return False

    @staticmethod
    def _attach(cands, positions, s, e, side):
        """The mention a cue at tokens [s, e) belongs to: (token index, target, distance).

        ``cands`` are the sentence's mentions in token order and ``positions`` their indices, so
        the lookup is a bisection even in a sentence with thousands of names."""
        lo = bisect_left(positions, s)
        hi = bisect_left(positions, e)
        before = (s - cands[lo - 1][0], cands[lo - 1]) if lo > 0 else None
        after = (cands[hi][0] - e + 1, cands[hi]) if hi < len(cands) else None
        if side == "after":
            pick = after
        elif side == "before":
            pick = before or after
        else:
            pick = min((x for x in (before, after) if x is not None), default=None, key=lambda x: x[0])
        if pick is None:
            return None
        d, (i, k) = pick
        return i, k, d

    def _attach_label(self, toks, cands, positions, s, e, covered):
        """A label noun or adjective belongs to the mention right beside it ("Ukrainian Nazis",
        "Nazis of Azov") or to one before it joined by a copula ("Zelensky is a corrupt clown"); a
        name it merely shares a clause with ("Russia crushes these Nazis") is not what it labels."""
        lo = bisect_left(positions, s)
        hi = bisect_left(positions, e)
        if lo > 0:
            i, k = cands[lo - 1]
            j = i + 1
            while j < s and j in covered and j < i + 4:  # the rest of a multi-word alias
                j += 1
            if self._label_gap(toks, range(j, s), covered):
                return i, k, s - i
        if hi < len(cands):
            i, k = cands[hi]
            if i - e <= 2 and all(toks.low[j] in ("of", "in", "from", "the") for j in range(e, i)):
                return i, k, i - e + 1
        return None

    def _label_gap(self, toks, between, covered) -> bool:
        """May these tokens stand between a name and its label? Fillers and other cues always;
        with a linking verb, up to two free words before it and two after it as well."""
        if len(between) > 9:
            return False
        free_before = free_after = 0
        seen_copula = False
        for j in between:
            w = toks.low[j]
            if w in self.copulas:
                seen_copula = True
            elif j in covered or w in self.fillers:
                continue
            elif seen_copula:
                free_after += 1
            else:
                free_before += 1
        if free_before == free_after == 0:
            return True
        return seen_copula and free_before <= 2 and free_after <= 2

    @staticmethod
    def _nearest(mentions, toks, s):
        """The last mention before token ``s`` in its sentence (the source a reported claim names)."""
        j = _bisect_pairs(mentions, s)
        if j and toks.sent[mentions[j - 1][0]] == toks.sent[s]:
            return mentions[j - 1]
        return None

    @staticmethod
    def _quoted_tokens(text, toks) -> set[int]:
        if not any(q in text for q in "\"'\u201c\u2018"):
            return set()
        starts = toks.start
        out: set[int] = set()
        for m in _QUOTES.finditer(text):
            inner = next(g for g in m.groups() if g is not None)
            if len(inner.split()) > _SCARE_MAX_WORDS:
                continue
            lo = bisect_left(starts, m.start())
            hi = bisect_left(starts, m.end())
            out.update(range(lo, hi))
        return out

    # -- the frame API --------------------------------------------------------------------

    def transform(self, comments, articles: dict | None = None):
        """Rows ``thread_id, comment_id, target, stance, score, evidence, mentions, source``.

        ``comments`` needs ``thread_id, comment_id, text`` (``comment_id`` "" for an article
        paragraph); ``parent_id`` (null for top-level) decides which comments answer the article,
        and ``author`` names are kept out of the salient entities. ``articles`` (thread id -> article
        text) adds the article's own proper names to the salient-entity counts."""
        import pandas as pd

        if comments is None or len(comments) == 0:
            return pd.DataFrame(columns=COLUMNS)
        df = comments
        texts = df["text"].fillna("").astype(str).tolist()
        tids = df["thread_id"].astype(str).tolist()
        cids = df["comment_id"].fillna("").astype(str).tolist() if "comment_id" in df else [""] * len(df)
        if "parent_id" in df:
            parents = df["parent_id"].tolist()
            top = [p is None or (isinstance(p, float) and math.isnan(p)) or p == "" for p in parents]
        else:
            top = [True] * len(df)
        top = [t and c != "" for t, c in zip(top, cids)]
        authors = df["author"].tolist() if "author" in df else [None] * len(df)

        by_thread: dict[str, list[int]] = defaultdict(list)
        for i, t in enumerate(tids):
            by_thread[t].append(i)
        rows = []
        emb_jobs = []  # (row index, target key, sentence text)
        for tid, idxs in by_thread.items():
            targets = dict(self.targets)
            toks = [_tokenise(texts[i]) for i in idxs]
            extra = None
            if self.salient_entities > 0:
                thread_texts = [texts[i] for i in idxs]
                if articles and tid in articles:
                    thread_texts.append(str(articles[tid]))
                names = self.salient(thread_texts, exclude={str(authors[i]) for i in idxs if authors[i]},
                                     tokenised=toks)
                if names:
                    extra = _Matcher()
                    salient_targets = [Target(n, n, "salient", surface_forms(n)) for n in names]
                    self._add_aliases(extra, salient_targets)
                    targets.update((t.key, t) for t in salient_targets)
            if self.article_target:
                targets[ARTICLE] = Target(ARTICLE, ARTICLE, ARTICLE)
            lead = self._lead_target(str(articles[tid]), targets) if articles and tid in articles else None
            want_embeddings = self._want_embeddings()
            for n, i in enumerate(idxs):
                res = self._score_text(texts[i], toks[n], extra, targets, top[i], lead)
                for key, (raw, ev, n, sents) in res.items():
                    if key == ARTICLE and not ev and n == 0:
                        continue
                    t = targets[key]
                    rows.append([tid, cids[i], t.label, raw, ev, n, t.source, key])
                    if want_embeddings and key in self.pack.get("prototypes", {}) and sents:
                        emb_jobs.append((len(rows) - 1, key, _sentences_text(texts[i], sorted(sents))))
        if emb_jobs:
            self._apply_embeddings(rows, emb_jobs)
        out = []
        for tid, cid, label, raw, ev, n, source, _key in rows:
            stance = FAVOR if raw >= self.threshold else AGAINST if raw <= -self.threshold else NONE
            # Strongest first; a stable sort, so equal weights keep their order (as reverse=True does).
            ev_sorted = [s for _, s in sorted(ev, key=_WEIGHT, reverse=True)[: self.max_evidence]]
            out.append((tid, cid, label, stance, round(math.tanh(raw / 1.5), 3), "; ".join(ev_sorted), n, source))
        return pd.DataFrame(out, columns=COLUMNS)

    def _lead_target(self, article: str, targets) -> str | None:
        """The target an article's title and first two paragraphs name most: what "them" in a
        top-level comment ("More power to them") most likely means."""
        head = "\n".join([p for p in article.split("\n") if p.strip()][:3])[:5000]
        counts = Counter()
        for _, _, p in self._static_matcher().find(_tokenise(head)):
            if isinstance(p, _Mention) and p.target in targets:
                counts[p.target] += 1
        return counts.most_common(1)[0][0] if counts else None

    def _want_embeddings(self) -> bool:
        return self.use_embeddings and bool(self.pack.get("prototypes"))

    @property
    def embedder(self):
        if self._embedder is None:
            from ..embeddings import Embedder

            self._embedder = Embedder()
        return self._embedder

    def _apply_embeddings(self, rows, jobs) -> None:
        """Add the favor-minus-against prototype similarity margin of each mentioning sentence."""
        import numpy as np

        protos = self.pack["prototypes"]
        proto_texts, proto_index = [], {}
        for key, d in protos.items():
            for stance in (FAVOR, AGAINST):
                for p in d.get(stance, []):
                    proto_index.setdefault((key, stance), []).append(len(proto_texts))
                    proto_texts.append(p)
        vecs = self.embedder.encode(proto_texts + [j[2] for j in jobs])
        P, S = vecs[: len(proto_texts)], vecs[len(proto_texts):]
        sims = S @ P.T
        for n, (ri, key, _) in enumerate(jobs):
            fi, ai = proto_index.get((key, FAVOR)), proto_index.get((key, AGAINST))
            if not fi or not ai:
                continue
            f, a = sims[n, fi], sims[n, ai]
            margin = float(np.max(f) - np.max(a))
            if abs(margin) < self.emb_margin:
                continue
            best = proto_texts[fi[int(np.argmax(f))]] if margin > 0 else proto_texts[ai[int(np.argmax(a))]]
            w = self.emb_weight * (margin - math.copysign(self.emb_margin, margin))
            rows[ri][3] += w
            rows[ri][4].append((abs(w), f"resembles \"{best}\" ({w:+.2f})"))


def _bisect_pairs(pairs, s) -> int:
    lo, hi = 0, len(pairs)
    while lo < hi:
        mid = (lo + hi) // 2
        if pairs[mid][0] < s:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _run_name(toks, run) -> tuple[str, bool]:
    """A run of capitalised tokens as a name, and whether it opens its sentence."""
    name = " ".join(toks.orig[i][:-2] if toks.orig[i].lower().endswith("'s") else toks.orig[i] for i in run)
    first = run[0]
    return name, first == 0 or toks.sent[first - 1] != toks.sent[first]


def _span(text, toks, s, e) -> str:
    span = " ".join(text[toks.start[s]: toks.end[e - 1]].split())
    return span if len(span) <= 60 else span[:57] + "..."


def _sentences_text(text, sents) -> str:
    toks = _tokenise(text)
    parts = []
    for sent in sents[:3]:
        ts = [i for i, sn in enumerate(toks.sent) if sn == sent]
        if ts:
            parts.append(text[toks.start[ts[0]]: toks.end[ts[-1]]])
    return " ".join(" ".join(parts).split())[:500]


def aggregate_targets(targets, comments, by: str = "author"):
    """Per group (``author``, ``thread_id`` or ``outlet``) and target: counts and shares of favor,
    against and none, and a net score ((favor - against) / n) next to the mean signed score.

    Article paragraphs (empty ``comment_id``) group under "(article)" when grouping by author."""
    import pandas as pd

    cols = [by, "target", "n", "favor", "against", "none", "favor_share", "against_share", "none_share",
            "net", "mean_score"]
    if targets is None or len(targets) == 0:
        return pd.DataFrame(columns=cols)
    t = targets.copy()
    if by != "thread_id":
        if comments is None or by not in comments:
            raise ValueError(f"comments need a {by!r} column to aggregate by it")
        keys = comments[["thread_id", "comment_id", by]].copy()
        keys["comment_id"] = keys["comment_id"].fillna("").astype(str)
        keys = keys.drop_duplicates(["thread_id", "comment_id"])
        t["comment_id"] = t["comment_id"].fillna("").astype(str)
        t = t.merge(keys, on=["thread_id", "comment_id"], how="left")
        if by == "outlet" and "outlet" in comments:
            outlet_of = comments.drop_duplicates("thread_id").set_index("thread_id")["outlet"]
            t[by] = t[by].fillna(t["thread_id"].map(outlet_of))
        t[by] = t[by].where(t[by].notna(), "(article)" if by == "author" else "(unknown)")
        if by == "author":
            t.loc[t["comment_id"] == "", by] = "(article)"
    g = t.groupby([by, "target"], sort=True)
    out = g["stance"].value_counts().unstack(fill_value=0)
    for c in (FAVOR, AGAINST, NONE):
        if c not in out:
            out[c] = 0
    out = out[[FAVOR, AGAINST, NONE]].copy()
    out["n"] = out.sum(axis=1)
    for c in (FAVOR, AGAINST, NONE):
        out[f"{c}_share"] = (out[c] / out["n"]).round(3)
    out["net"] = ((out[FAVOR] - out[AGAINST]) / out["n"]).round(3)
    out["mean_score"] = g["score"].mean().round(3)
    out = out.reset_index()
    out.columns.name = None
    return out[cols]


class TargetStanceStage(Stage):
    """Stance toward named targets in comments and article paragraphs (the domain pack, the
    user's ``--targets`` and each thread's salient names), with aggregates."""

    name = "targets"
    requires = ("units",)
    provides = ("targets", "targets_by_author", "targets_by_thread", "targets_by_outlet")

    def run(self, ctx: RunContext) -> None:
        model = TargetStance(domain=ctx.domain, targets=ctx.targets)
        targets = model.transform(ctx.units, ctx.articles)
        ctx.tables["targets"] = targets
        on_comments = targets[targets["comment_id"] != ""] if not targets.empty else targets
        for by, table in (("author", "targets_by_author"), ("thread_id", "targets_by_thread"),
                          ("outlet", "targets_by_outlet")):
            try:
                ctx.tables[table] = aggregate_targets(on_comments if by == "author" else targets, ctx.comments, by=by)
            except KeyError:  # no such column (e.g. no outlets known)
                continue
