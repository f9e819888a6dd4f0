"""The cue features of one comment, each with the words that show it.

A comment is split into words once (:class:`Doc`); then one loop walks its words and tries the
phrase rules of :data:`RULES` in order (mockery, threats, wishes of harm, slurs, attacks on the
reader, name-calling labels, profanity); the first that matches counts, quotes its words and ends
the word's turn. Words no rule took are checked as insults (aimed at the reader or not),
dehumanising labels and sweeping generalisations. Shouting, masked swear words, questions put to
the reader and punctuation runs are read from the text around the words.

Text is matched token by token with linear-time regular expressions (no nested quantifiers that
can backtrack), so a megabyte line is safe.
"""
from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field

from .lexicon import TOKEN, Lexicon

#: the cue features, in the order the weights file names them (``profanity_model`` is added by the scorer)
CUE_FEATURES = ("profanity", "insult", "disparaging", "targeted", "threat", "identity_attack", "shouting",
                "punctuation", "second_person", "negativity", "mockery", "challenge", "length")
_COUNTS = ("profanity", "insult", "disparaging", "targeted", "threat", "identity_attack", "slur", "mockery")

# A character that may stand in for a letter of a masked or look-alike swear word; the chunk
# around it (up to a space or bracket) is then checked.
_OBFUSCATION_CHAR = re.compile(r"[*@$#!013457+|%]")
_CHUNK_STOP = frozenset(" \t\r\n,;:\"()[]{}<>/")
_SENTENCE_BREAK = re.compile(r"[.!?\n]")
# Words in capitals: two letters or more, no lower-case letter.
_CAPS_WORD = re.compile(r"[A-Z][A-Z0-9'\u2019\-]*[A-Z]")
_MASK_CHARS = frozenset("*#%@$!_-.")
_ELONGATED = re.compile(r"([A-Za-z])\1\1")  # "helllo", "sooo": a letter three times running
_MAX_EVIDENCE = 3  # quoted spans per kind of reason
_SPAN_LIMIT = 90  # characters quoted per span
_SHOUT_SPAN = 60  # characters one shouting quote may cover


def quote(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > _SPAN_LIMIT:
        text = text[: _SPAN_LIMIT - 1] + "…"
    return f"'{text}'"


@dataclass
class Doc:
    """One comment split into words: lower-cased tokens, their character offsets and sentence
    numbers, and the evidence found so far (kind -> quoted spans, at most three each)."""

    text: str
    toks: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    sent: list[int] = field(default_factory=list)
    evidence: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, text: str) -> Doc:
        doc = cls(text)
        lowered = text.lower().replace("\u2019", "'")  # same length: spans index both
        for m in TOKEN.finditer(lowered):
            doc.toks.append(m.group())
            doc.starts.append(m.start())
            doc.ends.append(m.end())
        breaks = [m.start() for m in _SENTENCE_BREAK.finditer(text)]
        doc.sent = [bisect_left(breaks, s) for s in doc.starts] if breaks else [0] * len(doc.toks)
        return doc

    def add(self, kind: str, s: int, e: int) -> None:
        """Quote characters ``s:e`` as evidence of ``kind``."""
        spans = self.evidence.setdefault(kind, [])
        if len(spans) < _MAX_EVIDENCE:
            q = quote(self.text[s:e])
            if q not in spans:
                spans.append(q)

    def add_words(self, kind: str, i: int, j: int) -> None:
        """Quote words ``i`` to ``j`` (both included) as evidence of ``kind``."""
        self.add(kind, self.starts[i], self.ends[j])


@dataclass(frozen=True)
class Rule:
    """A phrase list (and optionally single words) that counts as one kind of evidence."""

    phrases: str                          # name of a phrase list of the lexicon
    count: str                            # the counter it adds to
    kind: str | Callable[[list[str]], str]  # the reason named, or a function of the matched words
    word: Callable[[str], bool] | None = None  # a single word that matches too
    word_ends_turn: bool = True           # a single-word match ends the word's turn


def _elongated_word(t: str) -> bool:
    return len(t) > 3 and t.isalpha() and _ELONGATED.search(t) is not None


def rules(lex: Lexicon) -> tuple[Rule, ...]:
    """The phrase rules, in the order they are tried at each word."""
    def targeted_kind(words: list[str]) -> str:
        return "attack on a commenter" if any(x in lex.second_person for x in words) else "condescension"

    return (
        Rule("mockery", "mockery", "mockery", word=_elongated_word, word_ends_turn=False),
        Rule("threat", "threat", "threat"),
        Rule("harm", "threat", "wish of harm"),
        Rule("slur", "slur", "slur", word=lex.slurs.__contains__),
        Rule("targeted", "targeted", targeted_kind),
        Rule("label", "insult", "name-calling"),
        Rule("profane", "profanity", "profanity", word=lex.profane.__contains__),
    )


class CueReader:
    """``features(text) -> (values, evidence, flags)`` for one comment."""

    def __init__(self, lex: Lexicon):
        self.lex = lex
        self.rules = rules(lex)

    # -- the word loop ---------------------------------------------------------------------------
    def _candidates(self, doc: Doc, elongated: bool):
        """The words at which some rule or list can match (every word when one is elongated)."""
        toks, n, lex = doc.toks, len(doc.toks), self.lex
        if elongated:
            return range(n)
        found = [i for i, t in enumerate(toks) if t in lex.phrase_first or t in lex.lexical]
        seconds = lex.second_words
        return [i for i in found if (g := seconds.get(toks[i])) is None or (i + 1 < n and toks[i + 1] in g)]

    def _apply_rules(self, doc: Doc, i: int, counts: dict[str, int]) -> int:
        """Try the phrase rules at word ``i``: the index its turn ends at, or 0 to go on."""
        toks, t = doc.toks, doc.toks[i]
        lists = self.lex.starts_of.get(t, ())  # the phrase lists with a phrase starting at this word
        for rule in self.rules:
            k = self.lex.phrases[rule.phrases].match_at(toks, i) if rule.phrases in lists else 0
            if not k and not (rule.word is not None and rule.word(t)):
                continue
            length = k or 1
            counts[rule.count] += 1
            kind = rule.kind(toks[i:i + length]) if callable(rule.kind) else rule.kind
            doc.add_words(kind, i, i + length - 1)
            if k or rule.word_ends_turn:
                return i + length
        return 0

    def _insult(self, doc: Doc, i: int, counts: dict[str, int]) -> bool:
        """An insulting noun or adjective: aimed at the reader ("you" shortly before in the same
        sentence, unless negated, or "like you" right after) or not. True when aimed (ends the turn)."""
        toks, sent, lex = doc.toks, doc.sent, self.lex
        t = toks[i]
        is_noun = t in lex.insult_nouns
        if not is_noun and t not in lex.disparaging:
            return False
        aimed = None
        for j in range(max(0, i - lex.window), i):
            if toks[j] in lex.second_person and sent[j] == sent[i] and \
                    "not" not in toks[j:i] and "n't" not in "".join(toks[j:i]):
                aimed = j
                break
        if aimed is None and i + 2 < len(toks) and toks[i + 1] == "like" and toks[i + 2] in lex.second_person:
            aimed = i + 2
        if aimed is not None:
            counts["targeted"] += 1
            doc.add_words("insult aimed at a commenter", min(aimed, i), max(aimed, i))
            return True
        counts["insult" if is_noun else "disparaging"] += 1
        doc.add_words("name-calling" if is_noun else "disparaging", i, i)
        return False  # an insult may also dehumanise a group

    def _dehumanising(self, doc: Doc, i: int, counts: dict[str, int]) -> None:
        """A dehumanising word near a named group (identity attack) or a group pointer ("these")."""
        toks, sent, lex = doc.toks, doc.sent, self.lex
        if toks[i] not in lex.dehumanising:
            return
        near = [j for j in range(max(0, i - lex.group_window), min(len(toks), i + lex.group_window + 1))
                if j != i and sent[j] == sent[i]]
        for words, kind in ((lex.groups, "identity attack"), (lex.pointers, "dehumanising label")):
            j = next((j for j in near if toks[j] in words), None)
            if j is not None:
                counts["identity_attack"] += 1
                doc.add_words(kind, min(j, i), max(j, i))
                return

    def _generalising(self, doc: Doc, i: int, counts: dict[str, int]) -> None:
        """A sweeping generalisation is an attack only with a slight in the same sentence."""
        lex, toks, sent = self.lex, doc.toks, doc.sent
        k = lex.phrases["general"].match_at(toks, i) if "general" in lex.starts_of.get(toks[i], ()) else 0
        if not k:
            return
        same = [j for j in range(max(0, i - 12), min(len(toks), i + k + 12)) if sent[j] == sent[i]]
        slights = lex.disparaging | lex.insult_nouns | lex.dehumanising
        if any(toks[j] in slights for j in same):
            counts["identity_attack"] += 1
            doc.add_words("identity attack", same[0], same[-1])

    def _match_words(self, doc: Doc) -> dict[str, int]:
        counts = dict.fromkeys(_COUNTS, 0)
        elongated = _ELONGATED.search(doc.text.lower()) is not None
        skip_until = -1
        for i in self._candidates(doc, elongated):
            if i < skip_until:
                continue
            end = self._apply_rules(doc, i, counts)
            if end:
                skip_until = end
                continue
            if self._insult(doc, i, counts):
                continue
            self._dehumanising(doc, i, counts)
            self._generalising(doc, i, counts)
        return counts

    # -- signals read from the characters ----------------------------------------------------------
    def _shouting(self, doc: Doc) -> int:
        """Capitalised words of five letters or more, or in runs of two or more; quotes the first
        run (up to 60 characters) when there are two or more."""
        text = doc.text
        caps: list[tuple[int, int, int]] = []  # start, end, run id
        run_id = 0
        for m in _CAPS_WORD.finditer(text):
            s, e = m.span()
            if (s > 0 and text[s - 1].isalnum()) or (e < len(text) and text[e].isalnum()):
                continue  # part of a mixed-case word ("McDONALD"), not a capitalised word
            if not caps or text[caps[-1][1]:s].strip(" ,-'\"") != "":
                run_id += 1
            caps.append((s, e, run_id))
        run_size: dict[int, int] = {}
        for _, _, r in caps:
            run_size[r] = run_size.get(r, 0) + 1
        shouted = [(s, e) for s, e, r in caps if e - s >= self.lex.min_caps and (e - s >= 5 or run_size[r] >= 2)]
        if len(shouted) >= 2:
            first = shouted[0]
            # the first word alone when it is already longer than a quote may cover
            last = max((sp for sp in shouted if sp[1] - first[0] <= _SHOUT_SPAN), key=lambda sp: sp[1], default=first)
            doc.add("shouting", first[0], last[1])
        return len(shouted)

    def _obfuscated(self, doc: Doc) -> int:
        """Masked or look-alike swear words (``f*ck``, ``sh1t``, ``a$$hole``), quoted.

        Only the words around an unusual character are looked at, each at most 40 characters
        either way, so the cost stays linear in the text.
        """
        text, n, found, last = doc.text, len(doc.text), 0, -1
        for m in _OBFUSCATION_CHAR.finditer(text):
            pos = m.start()
            if pos < last:
                continue
            start = pos
            while start > 0 and pos - start < 40 and text[start - 1] not in _CHUNK_STOP:
                start -= 1
            end = pos + 1
            while end < n and end - pos < 40 and text[end] not in _CHUNK_STOP:
                end += 1
            last = end
            chunk = text[start:end]
            while chunk and chunk[-1] in ".,!?'*_":
                chunk = chunk[:-1]
                end -= 1
            while chunk and chunk[0] in "'*_.":
                chunk = chunk[1:]
                start += 1
            if self._swear_lookalike(chunk.lower()):
                found += 1
                doc.add("profanity", start, end)
        return found

    def _swear_lookalike(self, low: str) -> bool:
        if len(low) < 3 or len(low) > 30 or not low[0].isalpha() or low.isalpha():
            return False
        if sum(c.isalpha() for c in low) < 2:
            return False
        if any(vs == low for vs in self.lex.lookalikes.get(len(low), ())):
            return True
        return any(len(target) == len(low) and target[0] == low[0]
                   and all(c == t or c in _MASK_CHARS for c, t in zip(low, target))
                   for target in self.lex.masked_targets)

    def _challenges(self, doc: Doc, you_positions: list[int]) -> int:
        """Questions put to the reader ("Have you ever taken a taxi?"): sentences that end in "?"
        and use the second person."""
        you_sents = {doc.sent[j] for j in you_positions}
        if not you_sents:
            return 0
        sent_start: dict[int, int] = {}
        sent_end: dict[int, int] = {}
        for j, sj in enumerate(doc.sent):
            sent_start.setdefault(sj, j)
            sent_end[sj] = j
        found = 0
        for sj in sorted(you_sents):
            j = sent_end[sj]
            tail = doc.text[doc.ends[j]:doc.ends[j] + 4]
            if "?" in tail:
                found += 1
                doc.add("challenging question", doc.starts[sent_start[sj]], doc.ends[j] + tail.index("?") + 1)
        return found

    def _punctuation(self, doc: Doc) -> int:
        total = 0
        for p in self.lex.punctuation:
            c = doc.text.count(p)
            if c:
                total += c
                if len(doc.evidence.get("excessive punctuation", [])) < 1:
                    at = doc.text.find(p)
                    doc.add("excessive punctuation", max(0, at - 20), at + len(p))
        return total

    # -- all together ------------------------------------------------------------------------------
    def features(self, text: str) -> tuple[dict[str, float], dict[str, list[str]], dict[str, bool]]:
        """Feature values, quoted evidence per reason kind, and the flags of grave signals."""
        doc = Doc.read(text)
        shouted = self._shouting(doc)
        n = len(doc.toks)
        you_positions = [i for i, t in enumerate(doc.toks) if t in self.lex.second_person]
        negative = self.lex.negative
        negativity = sum(negative.get(t, 0.0) for t in doc.toks if t in negative)
        counts = self._match_words(doc)
        counts["profanity"] += self._obfuscated(doc)
        challenge = self._challenges(doc, you_positions)
        punct = self._punctuation(doc)
        feats = {name: math.log1p(counts[name]) for name in ("profanity", "insult", "disparaging", "targeted",
                                                             "threat", "mockery")}
        feats.update({
            "identity_attack": math.log1p(counts["identity_attack"] + counts["slur"]),
            "shouting": math.log1p(shouted),
            "punctuation": math.log1p(punct),
            "second_person": len(you_positions) / math.sqrt(n + 1.0),
            "negativity": negativity / math.sqrt(n + 1.0),
            "challenge": math.log1p(challenge),
            "length": math.log1p(n),
        })
        flags = {"threat": counts["threat"] > 0, "slur": counts["slur"] > 0,
                 "identity_attack": counts["identity_attack"] > 0, "targeted": counts["targeted"] > 0}
        return {name: feats[name] for name in CUE_FEATURES}, doc.evidence, flags
