"""Incivility per comment: a 0-1 score with readable reasons quoting the evidence.

Most incivility in news comments carries no swear word: it is name-calling, condescension aimed
at the person answered, sneering labels for a group, wishes of harm. So the score combines three
kinds of evidence, each cheap enough to triage tens of thousands of comments a minute on one core:

* ``alt-profanity-check``'s linear model (it ships inside the package), one batch call;
* profanity from ``better-profanity``'s word list, with its look-alike matcher run only on tokens
  that look obfuscated (``sh1t``, ``f*ck``); the library's own censor walks every word against
  every list entry (about ten comments a second), far too slow for triage;
* a lexicon of our own (``discourse/data/lexicons/incivility.json``): insults, disparaging words,
  second-person attacks and condescension, threats and wishes of harm, identity attacks and
  dehumanising labels, plus shouting, punctuation runs and how much the comment addresses "you".

A small logistic model whose weights are data (``discourse/data/incivility_weights.json``, fitted
by ``python -m evaluation.toxicity_eval --write``) turns the features into a probability,
so scores are comparable across comments and threads. Rare but grave signals (threats, slurs,
identity attacks) are too rare in any small rated sample for the fit to weigh them, so the weights
file also sets a floor each one lifts the score to.

Text is matched token by token with linear-time regular expressions (no nested quantifiers that
can backtrack), so a megabyte line is safe.
"""
from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from discourse.errors import log
from discourse.resources import load_json
from .stage import RunContext, Stage

FEATURES = (
    "profanity_model", "profanity", "insult", "disparaging", "targeted", "threat", "identity_attack",
    "shouting", "punctuation", "second_person", "negativity", "mockery", "challenge", "length",
)
SCORE_COLUMNS = ["incivility", "incivility_reasons", "profanity", "insult", "threat", "identity_attack"]
TRANSFORM_COLUMNS = ["thread_id", "comment_id", "incivility", "incivility_reasons", "incivility_target"]

# Words with apostrophes or inner hyphens stay whole ("you're", "holier-than-thou").
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['\u2019\-][A-Za-z0-9]+)*")
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


def _logit(p: np.ndarray) -> np.ndarray:
    """alt-profanity-check's probability back on its log-odds scale, where evidence adds up."""
    p = np.clip(np.asarray(p, dtype=float), 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def _strength(v: np.ndarray) -> np.ndarray:
    """A log-count feature as a 0-1 strength (one hit at the given gain is already strong)."""
    return 1.0 - np.exp(-np.asarray(v, dtype=float))


def _quote(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > _SPAN_LIMIT:
        text = text[: _SPAN_LIMIT - 1] + "…"
    return f"'{text}'"


@lru_cache(maxsize=1)
def _better_profanity_words() -> tuple[frozenset[str], dict[int, list]]:
    """better-profanity's word list, and its look-alike matchers grouped by length."""
    from better_profanity import Profanity

    checker = Profanity()  # builds one VaryingString per listed word (about 10 ms, once)
    by_length: dict[int, list] = {}
    words = set()
    for vs in checker.CENSOR_WORDSET:
        word = str(vs)
        words.add(word)
        for n in range(vs._min_len, vs._max_len + 1):
            by_length.setdefault(n, []).append(vs)
    return frozenset(words), by_length


@lru_cache(maxsize=1)
def _vader_negative() -> dict[str, float]:
    """Negative words of VADER's lexicon with their strength (read from the installed package)."""
    from importlib import resources

    text = resources.files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
    out: dict[str, float] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].isalpha():
            try:
                value = float(parts[1])
            except ValueError:
                continue
            if value < 0:
                out[parts[0].lower()] = -value
    return out


class _Phrases:
    """Token-sequence phrases indexed by their first token ('*' matches any one token)."""

    def __init__(self, phrases: Iterable[str]):
        self.index: dict[str, list[tuple[str, ...]]] = {}
        self.wild: list[tuple[str, ...]] = []
        for phrase in phrases:
            toks = tuple(t.lower().replace("\u2019", "'") for t in _TOKEN.findall(phrase))
            if not toks:
                continue
            if toks[0] == "*":
                self.wild.append(toks)
            else:
                self.index.setdefault(toks[0], []).append(toks)
        for seqs in self.index.values():
            seqs.sort(key=len, reverse=True)  # the longest phrase wins at a position
        # The same lists as (length, phrase, has a wildcard), so a lookup does not measure or
        # scan a phrase again for every token it is tried at.
        self._entries = {w: [(len(seq), seq, "*" in seq) for seq in seqs] for w, seqs in self.index.items()}

    def match_at(self, toks: list[str], i: int) -> int:
        """Length of the longest phrase starting at token ``i`` (0 when none)."""
        entries = self._entries.get(toks[i])
        if not entries:
            return 0
        left = len(toks) - i
        for n, seq, wild in entries:
            if n > left:
                continue
            if wild:
                if all(p == "*" or p == toks[i + k] for k, p in enumerate(seq)):
                    return n
            elif n == 1 or (toks[i + 1] == seq[1] and tuple(toks[i:i + n]) == seq):
                return n
        return 0


class Incivility:
    """Scores comments for incivility (0-1) and says why, quoting the text.

    ``path``: a lexicon replacing ``discourse/data/lexicons/incivility.json``; ``weights_path``: a
    weights file replacing ``discourse/data/incivility_weights.json``. ``use_embeddings`` adds the
    similarity to the lexicon's uncivil and civil prototype sentences (needs the sentence encoder;
    ``embedder`` defaults to the run's shared one); the packaged weights do not use it, because it
    did not improve the cross-validated figures (see ``evaluation.toxicity_eval``).
    """

    def __init__(self, path: str | Path | None = None, weights_path: str | Path | None = None,
                 use_embeddings: bool = False, embedder=None):
        lex = load_json("lexicons", "incivility.json", path=path)
        self.lexicon = lex
        self.weights = load_json("incivility_weights.json", path=weights_path)
        self.use_embeddings = use_embeddings
        self._embedder = embedder
        self._prototypes = None

        def words(key: str) -> frozenset[str]:
            return frozenset(w.lower() for w in lex.get(key, []) if " " not in w)

        self.insult_nouns = words("insult_nouns") | words("name_calling_labels")
        self.disparaging = words("insult_adjectives")
        self.second_person = words("second_person")
        self.slurs = words("slurs")
        self.dehumanising = words("dehumanising_words")
        self.groups = words("identity_groups")
        self.pointers = words("group_pointers")
        self.masked_targets = tuple(sorted({w.lower() for w in lex.get("profanity_masked_targets", [])}))
        bp_words, self._lookalikes = _better_profanity_words()
        not_news = words("profanity_not_in_news")
        self.profane = (frozenset(w for w in bp_words if " " not in w) - not_news) | words("profanity_strong")
        self.window = int(lex.get("second_person_attack_window", 4))
        self.group_window = int(lex.get("identity_attack_window", 6))
        self.punctuation = tuple(lex.get("excessive_punctuation", []))
        self.min_caps = int(lex.get("shouting_min_letters", 3))
        self.phrases = {
            "targeted": _Phrases(lex.get("second_person_attack_phrases", [])),
            "threat": _Phrases(lex.get("threat_phrases", [])),
            "harm": _Phrases(lex.get("harm_wish_phrases", [])),
            "label": _Phrases([w for w in lex.get("name_calling_labels", []) if " " in w]
                              + [w for w in lex.get("insult_nouns", []) if " " in w]),
            "slur": _Phrases([w for w in lex.get("slurs", []) if " " in w]),
            "general": _Phrases(lex.get("generalising_phrases", [])),
            "mockery": _Phrases(lex.get("mockery", [])),
            "profane": _Phrases([w for w in lex.get("profanity_strong", []) if " " in w]),
        }
        self.negative = _vader_negative()
        # Words at which any lookup can start: the rest of a comment is skipped quickly.
        self._phrase_first = frozenset().union(*(p.index.keys() for p in self.phrases.values()))
        # Word -> names of the phrase lists it can start, so a word is looked up only in those.
        starts_of: dict[str, set[str]] = {}
        for name, p in self.phrases.items():
            for w in p.index:
                starts_of.setdefault(w, set()).add(name)
        self._starts_of = {w: frozenset(v) for w, v in starts_of.items()}
        self._lexical = (self.slurs | self.profane | self.insult_nouns | self.disparaging
                         | self.dehumanising)
        # Word -> the second words of every phrase it starts, for words that count for nothing on
        # their own (no one-word phrase, not in a word list): "the" starts phrases, but a "the"
        # not followed by one of their second words can match nothing, and such common words
        # were most of the words looked up.
        seconds: dict[str, set[str] | None] = {}
        for p in self.phrases.values():
            for w, seqs in p.index.items():
                for seq in seqs:
                    if len(seq) < 2 or seq[1] == "*" or seconds.get(w, set()) is None:
                        seconds[w] = None
                    else:
                        seconds.setdefault(w, set()).add(seq[1])
        self._second_words = {w: frozenset(v) for w, v in seconds.items()
                              if v is not None and w not in self._lexical}
        names = self.weights.get("features", list(FEATURES))
        unknown = [n for n in names if n not in FEATURES and n != "embedding"]
        if unknown:
            raise ValueError(f"incivility weights name unknown features: {unknown}")

    # ----- features -------------------------------------------------------------------------

    def _profanity_model(self, texts: Sequence[str]) -> np.ndarray:
        from profanity_check import predict_prob

        if not texts:
            return np.zeros(0)
        return np.asarray(predict_prob(list(texts)), dtype=float)

    def _obfuscated(self, text: str) -> list[tuple[int, int]]:
        """Spans of masked or look-alike swear words (``f*ck``, ``sh1t``, ``a$$hole``).

        Only the words around an unusual character are looked at, each at most 40 characters
        either way, so the cost stays linear in the text.
        """
        found: list[tuple[int, int]] = []
        last = -1
        n = len(text)
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
            low = chunk.lower()
            if len(low) < 3 or len(low) > 30 or not low[0].isalpha() or low.isalpha():
                continue
            if sum(c.isalpha() for c in low) < 2:
                continue
            if any(vs == low for vs in self._lookalikes.get(len(low), ())) or self._masked(low):
                found.append((start, end))
        return found

    def _masked(self, low: str) -> bool:
        for target in self.masked_targets:
            if len(target) != len(low) or target[0] != low[0]:
                continue
            if all(c == t or c in _MASK_CHARS for c, t in zip(low, target)):
                return True
        return False

    def _features(self, text: str) -> tuple[dict[str, float], dict[str, list[str]], dict[str, bool]]:
        """Feature values, quoted evidence per reason kind, and the flags of grave signals."""
        evidence: dict[str, list[str]] = {}

        def add(kind: str, s: int, e: int) -> None:
            spans = evidence.setdefault(kind, [])
            if len(spans) < _MAX_EVIDENCE:
                q = _quote(text[s:e])
                if q not in spans:
                    spans.append(q)

        lowered = text.lower().replace("\u2019", "'")  # same length: spans index both
        toks: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        for m in _TOKEN.finditer(lowered):
            toks.append(m.group())
            s, e = m.span()
            starts.append(s)
            ends.append(e)
        breaks = [m.start() for m in _SENTENCE_BREAK.finditer(text)]
        sent = [bisect_left(breaks, s) for s in starts] if breaks else [0] * len(toks)

        # Shouting: capitalised words of five letters or more, or in runs of two or more.
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
        shouted_spans = [(s, e) for s, e, r in caps
                         if e - s >= self.min_caps and (e - s >= 5 or run_size[r] >= 2)]
        shouted = len(shouted_spans)
        shout_span = None
        if shouted_spans:
            first = shouted_spans[0]
            # The first span itself may be longer than 60 characters (one long capitalised token).
            last = max((sp for sp in shouted_spans if sp[1] - first[0] <= 60), key=lambda sp: sp[1], default=first)
            shout_span = (first[0], last[1])
        n = len(toks)

        counts = dict.fromkeys(("profanity", "insult", "disparaging", "targeted", "threat", "identity_attack",
                                "slur", "mockery"), 0)
        second = self.second_person
        you_positions = [i for i, t in enumerate(toks) if t in second]
        you_count = len(you_positions)
        negative = self.negative
        negativity = sum(negative.get(t, 0.0) for t in toks if t in negative)
        elongated = _ELONGATED.search(lowered) is not None
        phrases = self.phrases
        first_words = self._phrase_first
        lexical = self._lexical
        starts_of = self._starts_of
        skip_until = -1
        if elongated:
            candidates = range(n)
        else:  # most words: nothing to look up (picked out in one comprehension)
            candidates = [i for i, t in enumerate(toks) if t in first_words or t in lexical]
            seconds = self._second_words
            candidates = [i for i in candidates
                          if (g := seconds.get(toks[i])) is None or (i + 1 < n and toks[i + 1] in g)]
        for i in candidates:
            if i < skip_until:
                continue
            t = toks[i]
            sw = starts_of.get(t, ())  # the phrase lists with a phrase starting at this word
            k = (phrases["mockery"].match_at(toks, i) if "mockery" in sw else 0)
            if k or (elongated and len(t) > 3 and t.isalpha() and _ELONGATED.search(t)):
                counts["mockery"] += 1
                add("mockery", starts[i], ends[i + max(k, 1) - 1])
                if k:
                    skip_until = i + k
                    continue
            k = (phrases["threat"].match_at(toks, i) if "threat" in sw else 0)
            kind = "threat"
            if not k:
                k = (phrases["harm"].match_at(toks, i) if "harm" in sw else 0)
                kind = "wish of harm"
            if k:
                counts["threat"] += 1
                add(kind, starts[i], ends[i + k - 1])
                skip_until = i + k
                continue
            k = (phrases["slur"].match_at(toks, i) if "slur" in sw else 0)
            if k or t in self.slurs:
                k = k or 1
                counts["slur"] += 1
                add("slur", starts[i], ends[i + k - 1])
                skip_until = i + k
                continue
            k = (phrases["targeted"].match_at(toks, i) if "targeted" in sw else 0)
            if k:
                counts["targeted"] += 1
                add("condescension" if not any(x in self.second_person for x in toks[i:i + k])
                    else "attack on a commenter", starts[i], ends[i + k - 1])
                skip_until = i + k
                continue
            k = (phrases["label"].match_at(toks, i) if "label" in sw else 0)
            if k:
                counts["insult"] += 1
                add("name-calling", starts[i], ends[i + k - 1])
                skip_until = i + k
                continue
            k = (phrases["profane"].match_at(toks, i) if "profane" in sw else 0)
            if k or t in self.profane:
                k = k or 1
                counts["profanity"] += 1
                add("profanity", starts[i], ends[i + k - 1])
                skip_until = i + k
                continue
            is_noun = t in self.insult_nouns
            is_adj = t in self.disparaging
            if is_noun or is_adj:
                # Aimed at the reader: "you" shortly before in the same sentence, unless negated,
                # or "like you" right after ("idiots like you").
                aimed = None
                for j in range(max(0, i - self.window), i):
                    if toks[j] in self.second_person and sent[j] == sent[i] and \
                            "not" not in toks[j:i] and "n't" not in "".join(toks[j:i]):
                        aimed = j
                        break
                if aimed is None and i + 2 < n and toks[i + 1] == "like" and toks[i + 2] in self.second_person:
                    aimed = i + 2
                if aimed is not None:
                    counts["targeted"] += 1
                    lo, hi = min(aimed, i), max(aimed, i)
                    add("insult aimed at a commenter", starts[lo], ends[hi])
                    continue
                if is_noun:
                    counts["insult"] += 1
                    add("name-calling", starts[i], ends[i])
                else:
                    counts["disparaging"] += 1
                    add("disparaging", starts[i], ends[i])
                # fall through: an insult may also dehumanise a group
            if t in self.dehumanising:
                lo = max(0, i - self.group_window)
                hi = min(n, i + self.group_window + 1)
                group = next((j for j in range(lo, hi) if j != i and sent[j] == sent[i] and toks[j] in self.groups),
                             None)
                if group is not None:
                    counts["identity_attack"] += 1
                    a, b = min(group, i), max(group, i)
                    add("identity attack", starts[a], ends[b])
                else:
                    pointer = next((j for j in range(lo, hi) if j != i and sent[j] == sent[i]
                                    and toks[j] in self.pointers), None)
                    if pointer is not None:
                        counts["identity_attack"] += 1
                        a, b = min(pointer, i), max(pointer, i)
                        add("dehumanising label", starts[a], ends[b])
            k = (phrases["general"].match_at(toks, i) if "general" in sw else 0)
            if k:
                # A sweeping generalisation is an attack only with a slight in the same sentence.
                same = [j for j in range(max(0, i - 12), min(n, i + k + 12)) if sent[j] == sent[i]]
                if any(toks[j] in self.disparaging or toks[j] in self.insult_nouns or toks[j] in self.dehumanising
                       for j in same):
                    counts["identity_attack"] += 1
                    add("identity attack", starts[same[0]], ends[same[-1]])

        for s, e in self._obfuscated(text):
            counts["profanity"] += 1
            add("profanity", s, e)

        # Questions put to the reader ("Have you ever taken a taxi?"): count sentences that end in
        # "?" and use the second person.
        challenge = 0
        you_sents = {sent[j] for j in you_positions}
        if you_sents:
            sent_start: dict[int, int] = {}
            sent_end: dict[int, int] = {}
            for j, sj in enumerate(sent):
                sent_start.setdefault(sj, j)
                sent_end[sj] = j
            for sj in sorted(you_sents):
                j = sent_end[sj]
                tail = text[ends[j]:ends[j] + 4]
                if "?" in tail:
                    challenge += 1
                    first = sent_start[sj]
                    add("challenging question", starts[first], ends[j] + tail.index("?") + 1)

        punct = 0
        for p in self.punctuation:
            c = text.count(p)
            if c:
                punct += c
                if len(evidence.get("excessive punctuation", [])) < 1:
                    at = text.find(p)
                    add("excessive punctuation", max(0, at - 20), at + len(p))
        if shouted >= 2 and shout_span is not None:
            add("shouting", *shout_span)

        feats = {
            "profanity": math.log1p(counts["profanity"]),
            "insult": math.log1p(counts["insult"]),
            "disparaging": math.log1p(counts["disparaging"]),
            "targeted": math.log1p(counts["targeted"]),
            "threat": math.log1p(counts["threat"]),
            "identity_attack": math.log1p(counts["identity_attack"] + counts["slur"]),
            "shouting": math.log1p(shouted),
            "punctuation": math.log1p(punct),
            "second_person": you_count / math.sqrt(n + 1.0),
            "negativity": negativity / math.sqrt(n + 1.0),
            "mockery": math.log1p(counts["mockery"]),
            "challenge": math.log1p(challenge),
            "length": math.log1p(n),
        }
        flags = {"threat": counts["threat"] > 0, "slur": counts["slur"] > 0,
                 "identity_attack": counts["identity_attack"] > 0, "targeted": counts["targeted"] > 0}
        return feats, evidence, flags

    def feature_frame(self, texts: Sequence[str]):
        """The model's inputs, one row per text (for fitting and inspection)."""
        import pandas as pd

        texts = ["" if t is None or (isinstance(t, float) and math.isnan(t)) else str(t) for t in texts]
        rows = [self._features(t)[0] for t in texts]
        frame = pd.DataFrame(rows, columns=[f for f in FEATURES if f != "profanity_model"])
        frame.insert(0, "profanity_model", _logit(self._profanity_model(texts)))
        if self.use_embeddings:
            frame["embedding"] = self._embedding_margin(texts)
        return frame

    # ----- optional embeddings --------------------------------------------------------------

    def _embedding_margin(self, texts: Sequence[str]) -> np.ndarray:
        """Nearest uncivil prototype similarity minus nearest civil one."""
        if not texts:
            return np.zeros(0)
        if self._embedder is None:
            from discourse.embeddings import shared_embedder

            self._embedder = shared_embedder()
        protos = self.lexicon.get("prototypes", {})
        if self._prototypes is None:
            bad = self._embedder.encode(list(protos.get("uncivil", [])))
            good = self._embedder.encode(list(protos.get("civil", [])))
            self._prototypes = (bad, good)
        bad, good = self._prototypes
        vecs = self._embedder.encode([t[:2000] for t in texts])
        return (vecs @ bad.T).max(axis=1) - (vecs @ good.T).max(axis=1)

    # ----- scoring --------------------------------------------------------------------------

    def _combine(self, frame) -> np.ndarray:
        w = self.weights
        names = w.get("features", list(FEATURES))
        missing = [f for f in names if f not in frame.columns]
        if missing:
            raise ValueError(f"incivility weights need features not computed: {missing} "
                             "(an 'embedding' weight needs use_embeddings=True)")
        x = frame[names].to_numpy(dtype=float)
        mean = np.asarray(w.get("mean", [0.0] * len(names)), dtype=float)
        scale = np.asarray(w.get("scale", [1.0] * len(names)), dtype=float)
        coef = np.asarray(w["coef"], dtype=float)
        z = ((x - mean) / np.where(scale == 0, 1.0, scale)) @ coef + float(w.get("intercept", 0.0))
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))

    def score(self, texts: Sequence[str]):
        """One row per text: ``incivility`` (0-1), ``incivility_reasons`` and the component scores.

        ``profanity``, ``insult``, ``threat`` and ``identity_attack`` are 0-1 strengths of each
        kind of evidence (``insult`` counts second-person attacks and name-calling).
        """
        import pandas as pd

        texts = ["" if t is None or (isinstance(t, float) and math.isnan(t)) else str(t) for t in texts]
        if not texts:
            return pd.DataFrame({c: pd.Series(dtype=object if c == "incivility_reasons" else float)
                                 for c in SCORE_COLUMNS})
        model_prob = self._profanity_model(texts)
        rows, reasons, flags, failed = [], [], [], {}
        for k, t in enumerate(texts):
            try:
                f, ev, fl = self._features(t)
            except Exception as exc:  # noqa: BLE001 - one odd comment must not end the run
                failed[k] = f"not scored ({type(exc).__name__}: {exc})"
                f, ev, fl = self._features("")
            rows.append(f)
            reasons.append(ev)
            flags.append(fl)
        if failed:
            log.warning("incivility: %d comment(s) could not be scored; they get 0 and a reason", len(failed))
        # Built column by column: a frame from 20,000 row dicts costs more than the scoring.
        frame = pd.DataFrame({f: [r[f] for r in rows] for f in FEATURES if f != "profanity_model"})
        frame.insert(0, "profanity_model", _logit(model_prob))
        if self.use_embeddings:
            frame["embedding"] = self._embedding_margin(texts)
        prob = self._combine(frame)
        floors = self.weights.get("floors", {})
        out_score, out_reasons = [], []
        for k, (p, ev, fl) in enumerate(zip(prob, reasons, flags)):
            floor = max([float(floors.get(name, 0.0)) for name, on in fl.items() if on] or [0.0])
            p = 1.0 - (1.0 - float(p)) * (1.0 - floor)
            out_score.append(0.0 if k in failed else round(p, 4))
            out_reasons.append(failed.get(k) or self._reason_text(ev, model_prob[k]))
        return pd.DataFrame({
            "incivility": out_score,
            "incivility_reasons": out_reasons,
            "profanity": np.round(np.maximum(_strength(frame["profanity"].to_numpy() * 2), model_prob), 4),
            "insult": np.round(_strength((frame["insult"] + frame["targeted"]).to_numpy() * 2), 4),
            "threat": np.round(_strength(frame["threat"].to_numpy() * 3), 4),
            "identity_attack": np.round(_strength(frame["identity_attack"].to_numpy() * 3), 4),
        })

    _ORDER = ("threat", "wish of harm", "slur", "identity attack", "dehumanising label",
              "insult aimed at a commenter", "attack on a commenter", "condescension", "profanity",
              "name-calling", "disparaging", "challenging question", "mockery", "shouting",
              "excessive punctuation")

    def _reason_text(self, evidence: dict[str, list[str]], model_prob: float) -> str:
        parts = [f"{kind}: {', '.join(evidence[kind])}" for kind in self._ORDER if evidence.get(kind)]
        if model_prob >= 0.5:
            parts.append(f"profanity model {model_prob:.2f}")
        return "; ".join(parts)

    def transform(self, comments):
        """Scores for a comments frame; a reply's attacks are named as aimed at its parent's author.

        ``comments`` needs ``thread_id, comment_id, text``; ``parent_id`` and ``author`` (when
        present) name the target. ``incivility_target`` is the parent's author when the comment
        is a reply that addresses its reader, else empty.
        """
        import pandas as pd

        if comments is None or len(comments) == 0:
            return pd.DataFrame({c: pd.Series(dtype=float if c == "incivility" else object)
                                 for c in TRANSFORM_COLUMNS})
        texts = comments["text"].tolist()
        scored = self.score(texts)
        # Each column is read into a list once (iterating an Arrow-backed column is slow).
        tids = comments["thread_id"].tolist()
        cids = comments["comment_id"].tolist()
        authors: dict[tuple, str] = {}
        if "author" in comments.columns:
            for tid, cid, a in zip(tids, cids, comments["author"].tolist()):
                if isinstance(a, str) and a:
                    authors[(tid, cid)] = a
        parents = comments["parent_id"].tolist() if "parent_id" in comments.columns else [None] * len(comments)
        targets, reasons = [], []
        for tid, parent, reason in zip(tids, parents, scored["incivility_reasons"].tolist()):
            target = authors.get((tid, parent)) if isinstance(parent, str) and parent else None
            aimed = any(k in reason for k in ("aimed at a commenter", "attack on a commenter", "condescension"))
            if target and aimed:
                reason = self._retarget(reason, target)
            targets.append(target if (target and aimed) else "")
            reasons.append(reason)
        return pd.DataFrame({
            "thread_id": tids,
            "comment_id": cids,
            "incivility": scored["incivility"].tolist(),
            "incivility_reasons": reasons,
            "incivility_target": targets,
        })

    @staticmethod
    def _retarget(reason: str, target: str) -> str:
        return (reason.replace("insult aimed at a commenter", f"insult aimed at {target}")
                .replace("attack on a commenter", f"attack aimed at {target}")
                .replace("condescension:", f"condescension aimed at {target}:"))


def load(path: str | Path | None = None, weights_path: str | Path | None = None) -> Incivility:
    """An :class:`Incivility` with the packaged (or given) lexicon and weights."""
    return Incivility(path=path, weights_path=weights_path)


class IncivilityStage(Stage):
    """Insults, profanity, threats and identity attacks per comment, aimed at whom."""

    name = "incivility"
    requires = ("comments.text",)
    provides = ("comments.incivility", "comments.incivility_reasons")

    def run(self, ctx: RunContext) -> None:
        ctx.add_columns(Incivility().transform(ctx.comments))
