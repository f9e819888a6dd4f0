"""Scoring one text: cues credited to the target mention they belong to.

A cue is credited to the mention it grammatically most likely belongs to (a predicate to the
subject before it, "support"/"shame on" to the name after it), weighted down with distance,
flipped by a negator just before it, by scare quotes or "so-called", and by sarcasm markers in
its sentence or the sentences beside it. Violence against civilians counts against the agent
and, where the pack names opponents, for the victim mentioned after it.
"""
from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field

from .matching import _QUOTES, _Matcher, _span, _Tokens
from .targets import ARTICLE, Target, _Cue, _Mention, _Place

_SCARE_MAX_WORDS = 5
_PRONOUNS = frozenset(["he", "she", "they", "it", "his", "her", "their", "its", "them", "him", "this"])


@dataclass
class _Scene:
    """One text's matches and modifiers while its cues are credited."""

    text: str
    toks: _Tokens
    targets: dict
    result: dict
    top_level: bool
    lead: str | None
    mentions: list = field(default_factory=list)  # (token index, target key), in order
    mention_pos: list = field(default_factory=list)
    mention_set: set = field(default_factory=set)
    sent_mentions: dict = field(default_factory=dict)  # sentence -> its mentions
    sent_pos: dict = field(default_factory=dict)  # sentence -> its mentions' token indices
    sent_places: dict = field(default_factory=dict)
    covered: set = field(default_factory=set)  # tokens inside a cue
    quoted: set = field(default_factory=set)
    sarcasm_sents: set = field(default_factory=set)
    distance_from: dict = field(default_factory=dict)  # sentence -> where rejected content starts
    so_called: set = field(default_factory=set)
    hedged: set = field(default_factory=set)
    patients: dict = field(default_factory=dict)  # mention index -> the agent that harmed it
    victim_sents: set | None = None

    def bucket(self, key):
        b = self.result.get(key)
        if b is None:
            b = self.result[key] = [0.0, [], 0, set()]
        return b


class Scoring:
    """The per-text scoring of :class:`~.model.TargetStance` (a mixin: it reads the model's
    cues, matchers and settings)."""

    def _score_text(self, text: str, toks: _Tokens, extra: _Matcher | None, targets: dict[str, Target],
                    top_level: bool, lead: str | None = None):
        """{target key: [raw score, evidence list, mention count, mention sentences]} for one text."""
        if not toks:
            return {}
        lows = set(toks.low).union(toks.base)
        sc = _Scene(text, toks, targets, {}, top_level, lead)
        cues, places = self._sort_matches(sc, self._find(toks, extra, lows))
        if not cues and not (top_level and self.article_target):
            return sc.result
        self._modifiers(sc, cues, places, lows)
        mentioned = {k for _, k in sc.mentions}
        for s, e, cue in cues:
            factor, notes = self._factor(sc, s)
            span = _span(text, toks, s, e)
            if cue.role == "loaded":
                self._credit_loaded(sc, s, cue, factor, notes, span, mentioned)
            else:
                self._credit_generic(sc, s, e, cue, factor, notes, span)
        if top_level and self.article_target and ARTICLE in targets:
            self._article_stance(text, toks, sc.quoted, sc.bucket, sc.sarcasm_sents, lows)
        return sc.result

    @staticmethod
    def _sort_matches(sc: _Scene, matches):
        """Mentions (into the scene, counted per target), cues and places of one text's matches."""
        mentions, cues, places = sc.mentions, [], []
        for s, e, payload in matches:
            if isinstance(payload, _Mention):
                if payload.target in sc.targets:
                    mentions.append((s, payload.target))
            elif isinstance(payload, _Place):
                places.append((s, payload.target))
            else:
                cues.append((s, e, payload))
                if payload.role == "loaded":
                    for key in payload.alias_for:
                        if key in sc.targets:
                            mentions.append((s, key))
        mentions.sort()
        for i, key in mentions:
            b = sc.bucket(key)
            b[2] += 1
            b[3].add(sc.toks.sent[i])
        return cues, places

    def _modifiers(self, sc: _Scene, cues, places, lows) -> None:
        """Negation scope, scare quotes, sarcasm, reported speech and hedges of one text."""
        text, toks, mentions = sc.text, sc.toks, sc.mentions
        sc.quoted = self._quoted_tokens(text, toks)
        for s, e, kind in self._sarcasm.find(toks, vocab=lows):
            sent = toks.sent[s]
            if kind == "initial" and s > 0 and toks.sent[s - 1] == sent:
                continue  # "^sure": only a sentence-opening "Sure, ..." is a marker
            if kind in ("favor", "initial"):
                sc.sarcasm_sents |= {sent - 1, sent, sent + 1}
            elif kind == "distance":
                sc.distance_from[sent] = min(sc.distance_from.get(sent, e), e)
                src = self._nearest(mentions, toks, s)
                if src is not None:
                    b = sc.bucket(src[1])
                    b[0] -= 1.0
                    b[1].append((1.0, f"'{_span(text, toks, s, e)}' (source rejected -1.0)"))
            elif kind == "hedge":
                sc.hedged.update(j for j in range(e, min(e + 8, len(toks))) if toks.sent[j] == sent)
            else:
                sc.so_called.update(range(e, min(e + 4, len(toks))))
        sc.mention_pos = [i for i, _ in mentions]
        sent_mentions: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for i, key in mentions:
            sent_mentions[toks.sent[i]].append((i, key))
        sc.sent_mentions = sent_mentions
        sc.sent_pos = {k: [i for i, _ in v] for k, v in sent_mentions.items()}
        sc.mention_set = set(sc.mention_pos)
        for s, e, _ in cues:
            sc.covered.update(range(s, e))
        sc.sent_places = defaultdict(list)
        for i, key in places:
            sc.sent_places[toks.sent[i]].append((i, key))
        if sc.sarcasm_sents and sc.quoted:
            # "Yeah right, Russia is 'only hitting military targets'": a quoted phrase right after a
            # mention, in a sarcastic sentence, mocks what that target says of itself.
            for i, key in mentions:
                if toks.sent[i] in sc.sarcasm_sents and any(j in sc.quoted for j in range(i + 1, min(i + 4, len(toks)))
                                                            if toks.sent[j] == toks.sent[i]):
                    self._credit(sc.bucket(key), -0.8, _span(text, toks, i, min(i + 4, len(toks))),
                                 "mocked in quotes", ["sarcasm"])

    def _factor(self, sc: _Scene, s: int):
        """How a cue at token ``s`` counts (1.0 plain) and the notes that say why."""
        sent = sc.toks.sent[s]
        factor, notes = 1.0, []
        if self._negated(sc.toks, s, sc.covered):
            factor *= self.neg_factor
            notes.append("negated")
        if s in sc.quoted or s in sc.so_called:
            factor *= self.scare_factor
            notes.append("scare quotes" if s in sc.quoted else "so-called")
        if s in sc.hedged:
            factor *= self.hedge_factor
            notes.append("reported")
        if sent in sc.distance_from and s >= sc.distance_from[sent]:
            factor *= -1.0
            notes.append("reported, rejected")
        return factor, notes

    def _credit_loaded(self, sc: _Scene, s, cue: _Cue, factor, notes, span, mentioned) -> None:
        """A pack's loaded label: its fixed direction toward each target it names."""
        if sc.toks.sent[s] in sc.sarcasm_sents and any(sg > 0 for _, sg in cue.effects) and factor > 0:
            factor *= self.sarcasm_factor
            notes.append("sarcasm")
        for key, sg in cue.effects:
            if key not in sc.targets or (key not in cue.alias_for and key not in mentioned):
                continue
            w = cue.weight * sg * factor
            self._credit(sc.bucket(key), w, span, cue.kind, notes)

    def _credit_generic(self, sc: _Scene, s, e, cue: _Cue, factor, notes, span) -> None:
        """A generic cue: credited to the mention it belongs to, or through a pronoun."""
        toks, sent = sc.toks, sc.toks.sent[s]
        if cue.needs_victim:
            if sc.victim_sents is None:
                sc.victim_sents = {toks.sent[vs] for vs, _, _ in self._victims.find(toks, greedy=False)}
                # (prefix entries make the word pre-check useless here; this runs rarely)
            if sent not in sc.victim_sents:
                return
        pol = cue.polarity
        if pol > 0 and sent in sc.sarcasm_sents and factor > 0:
            factor *= self.sarcasm_factor
            notes.append("sarcasm")
        cands = sc.sent_mentions.get(sent)
        if cands:
            hit, fallback = self._hit_in_sentence(sc, s, e, cue, cands), 1.0
        else:
            hit, fallback = self._hit_by_pronoun(sc, s, e, cue, factor * pol, notes, span), self.pronoun_fallback
        if hit is None:
            return
        idx, key, dist = hit
        if dist > self.max_distance:
            return
        w = cue.weight * pol * factor * fallback / (1.0 + max(0, dist - 1) / self.decay)
        self._credit(sc.bucket(key), w, span, cue.kind, notes)
        if cue.harm and pol < 0 and factor > 0:
            self._credit_victim(sc, s, e, cue, (factor, fallback), span, notes, (idx, key), cands)

    def _hit_in_sentence(self, sc: _Scene, s, e, cue: _Cue, cands):
        """(token index, target, distance) of the mention in the cue's sentence it belongs to."""
        sent = sc.toks.sent[s]
        side = {"pred": "before", "obj": "after", "label": "label"}.get(cue.role, "either")
        if side == "label":
            hit = self._attach_label(sc.toks, cands, sc.sent_pos[sent], s, e, sc.covered)
        else:
            hit = self._attach(cands, sc.sent_pos[sent], s, e, side)
        if hit is not None and hit[0] in sc.patients and side in ("before", "label"):
            # "Russia invaded Ukraine and committed atrocities": Ukraine is the victim of the
            # first clause, so a later predicate still describes the agent.
            agent = sc.patients[hit[0]]
            hit = (agent[0], agent[1], hit[2])
        return hit

    def _hit_by_pronoun(self, sc: _Scene, s, e, cue: _Cue, signed_factor, notes, span):
        """A sentence without a name ("He offered guarantees.", "More power to them."): the
        previous sentence's last mention or, in a comment on the article, the target the article
        leads with, at reduced weight, when a pronoun stands where the name would. An object cue
        is credited here (with its pronoun quoted) and None returned."""
        toks, sent = sc.toks, sc.toks.sent[s]
        mentions, mention_pos = sc.mentions, sc.mention_pos
        first = bisect_left(toks.sent, sent)  # sentence numbers never decrease
        if cue.role == "obj":
            if e >= len(toks) or toks.sent[e] != sent or toks.low[e] not in _PRONOUNS:
                return None
            j = bisect_left(mention_pos, s)
            if j:
                key = mentions[j - 1][1]
            elif sc.top_level and sc.lead in sc.targets:
                key = sc.lead
                sc.bucket(key)
            else:
                return None
            w = cue.weight * signed_factor * self.pronoun_fallback
            self._credit(sc.bucket(key), w, span + f" {toks.orig[e]}", cue.kind, notes + ["pronoun"])
            return None
        if toks.low[first] not in _PRONOUNS:
            return None
        j = bisect_left(mention_pos, first)
        if j == 0:
            return None
        return mentions[j - 1][0], mentions[j - 1][1], 1

    def _credit_victim(self, sc: _Scene, s, e, cue: _Cue, factors, span, notes, agent, cands) -> None:
        """Violence against an opponent of the agent, mentioned after the cue: for the victim."""
        sent = sc.toks.sent[s]
        factor, fallback = factors
        idx, key = agent
        opp = set(sc.targets[key].opponents) if key in sc.targets else set()
        lo = bisect_left(sc.sent_pos[sent], e) if cands else 0
        victims = list((cands or [])[lo: lo + 8]) + [p for p in sc.sent_places.get(sent, ()) if p[0] >= e][:8]
        for j, k2 in sorted(victims):
            if k2 in opp and k2 in sc.targets:
                pw = cue.weight * factor * fallback * self.patient_factor
                self._credit(sc.bucket(k2), pw, span, "victim of harm", notes)
                if j in sc.mention_set:
                    sc.patients[j] = (idx, key)
                break

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


def _bisect_pairs(pairs, s) -> int:
    lo, hi = 0, len(pairs)
    while lo < hi:
        mid = (lo + hi) // 2
        if pairs[mid][0] < s:
            lo = mid + 1
        else:
            hi = mid
    return lo