"""The target-stance model: targets, cues and matchers from the domain pack and the cue file,
each thread's salient names, and the frame API (``transform``)."""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from operator import itemgetter
from pathlib import Path

from ...resources import load_json
from .head import TargetHead, apply_head
from .matching import _Matcher, _run_name, _sentences_text, _tokenise, _words
from .scoring import Scoring
from .targets import (
    AGAINST,
    ARTICLE,
    FAVOR,
    NONE,
    Target,
    _Cue,
    _Mention,
    _Place,
    _sign,
    surface_forms,
)

COLUMNS = ["thread_id", "comment_id", "target", "stance", "score", "evidence", "mentions", "source"]
_WEIGHT = itemgetter(0)  # an evidence item's weight
# Dates and page furniture are capitalised but are not who a thread takes sides on.
_CALENDAR = frozenset(["january", "february", "march", "april", "june", "july", "august", "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"])


def _page_word(word: str) -> bool:
    """An all-capitals word of five letters or more ("REPLY", "SUBSCRIBE", "UPDATED"): page
    furniture or shouting, not a name (acronyms are shorter: NATO, EU, BBC)."""
    return len(word) >= 5 and word.isupper()


class TargetStance(Scoring):
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
                 article_target: bool = True, use_head: bool = True, head_path: str | Path | None = None):
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
        self.use_head = use_head  # the learned head (head.py) over the text and target vectors
        self._head_path = head_path
        self._head = None  # loaded on first use (False when no weights ship)

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
                if b in stop or len(b) <= 1 or b in _CALENDAR or _page_word(toks.orig[i]):
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

    # -- the frame API --------------------------------------------------------------------

    def transform(self, comments, articles: dict | None = None, languages: Sequence[str] | None = None):
        """Rows ``thread_id, comment_id, target, stance, score, evidence, mentions, source``.

        ``comments`` needs ``thread_id, comment_id, text`` (``comment_id`` "" for an article
        paragraph); ``parent_id`` (null for top-level) decides which comments answer the article,
        and ``author`` names are kept out of the salient entities. ``articles`` (thread id -> article
        text) adds the article's own proper names to the salient-entity counts. ``languages``: each
        row's language code (the token layer's); the learned head reads English rows only (its
        encoder and training data are English), other rows keep the rule reading."""
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
        thread_targets: dict[str, dict[str, Target]] = {}
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
            thread_targets[tid] = targets
            lead = self._lead_target(str(articles[tid]), targets) if articles and tid in articles else None
            want_embeddings = self._want_embeddings()
            for n, i in enumerate(idxs):
                res = self._score_text(texts[i], toks[n], extra, targets, top[i], lead)
                for key, (raw, ev, n, sents) in res.items():
                    if key == ARTICLE and not ev and n == 0:
                        continue
                    t = targets[key]
                    rows.append([tid, cids[i], t.label, raw, ev, n, t.source, key, i])
                    if want_embeddings and key in self.pack.get("prototypes", {}) and sents:
                        emb_jobs.append((len(rows) - 1, key, _sentences_text(texts[i], sorted(sents))))
        if emb_jobs:
            self._apply_embeddings(rows, emb_jobs)
        out = []
        for tid, cid, label, raw, ev, n, source, _key, _i in rows:
            stance = FAVOR if raw >= self.threshold else AGAINST if raw <= -self.threshold else NONE
            # Strongest first; a stable sort, so equal weights keep their order (as reverse=True does).
            ev_sorted = [s for _, s in sorted(ev, key=_WEIGHT, reverse=True)[: self.max_evidence]]
            out.append((tid, cid, label, stance, round(math.tanh(raw / 1.5), 3), "; ".join(ev_sorted), n, source))
        if self.head is not None:
            skip = {i for i, lang in enumerate(languages or ()) if lang not in ("en", "und")}
            out = apply_head(self, out, [(r[7], r[8]) for r in rows], texts, tids, cids, by_thread, thread_targets,
                             skip)
        return pd.DataFrame(out, columns=COLUMNS)

    @property
    def head(self):
        """The learned head (:mod:`.head`), or None when it is off or no weights ship."""
        if self._head is None and self.use_head:
            self._head = TargetHead.load(self._head_path) or False
        return self._head or None

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
            from ...embeddings import Embedder

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
