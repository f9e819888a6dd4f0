"""The word lists of the claims ledger (``discourse/data/lexicons/claims.json``), read once.

Every part of the extractor (numbers, periods, subjects, attribution) reads its words from the
attributes set here, so this is the one place to look up what ``self.months`` or ``self.scales``
holds.
"""
from __future__ import annotations

from pathlib import Path

from ...resources import load_json
from .tokens import _phrase_tokens, _PhraseIndex


class ClaimLexicon:
    """The word lists and the phrase index (hedges, qualifiers, cues, actions, multi-word units)."""

    def __init__(self, path: str | Path | None = None):
        lex = load_json("lexicons", "claims.json", path=path)
        self.lexicon = lex
        self._read_numbers(lex)
        self._read_words(lex)
        self._phrases = self._phrase_index(lex)
        self.participles = {w.lower() for w in lex.get("participle_verbs", [])}
        # Cheap pre-checks: a unit without a digit or a number word holds no claim, and one
        # without an attribution cue names no source for a later "he said".
        self._number_vocab = frozenset(set(self.number_words) | set(self.vague)
                                       | {w for w in self.scales if len(w) > 2})
        self._cue_vocab = frozenset(_phrase_tokens(p)[0] for p in
                                    list(lex["attribution_verbs"]) + list(lex["according_cues"]))

    def _read_numbers(self, lex: dict) -> None:
        """Number words, scales, vague quantities and units of measurement."""
        self.number_words: dict[str, float] = {k.lower(): float(v) for k, v in lex["number_words"].items()}
        self.standalone_skip = set(lex.get("standalone_skip", []))
        self.scales: dict[str, float] = {k.lower(): float(v) for k, v in lex["scales"].items()}
        self.vague: dict[str, tuple[float, float]] = {
            k.lower(): (float(v[0]), float(v[1])) for k, v in lex["vague_numbers"].items()}
        self.units: dict[str, str] = {k.lower(): v for k, v in lex["units"].items()}
        self.currency_symbols: dict[str, str] = lex.get("currency_symbols", {})
        self.unit_class: dict[str, str] = {}
        for cls, words in lex.get("unit_classes", {}).items():
            for w in words:
                self.unit_class[w.lower()] = cls
        self.partitive = {w.lower() for w in lex.get("partitive_heads", [])}

    def _read_words(self, lex: dict) -> None:
        """Sources, pronouns, dates, subject-phrase stop words, synonyms and action verbs."""
        self.source_nouns = {w.lower() for w in lex["source_nouns"]}
        self.pronouns: dict[str, str] = {k.lower(): v for k, v in lex["pronouns"].items()}
        self.months: dict[str, int] = {k.lower(): int(v) for k, v in lex["months"].items()}
        self.weekdays = {w.lower() for w in lex["weekdays"]}
        self.period_words: dict[str, str] = {k.lower(): v for k, v in lex["period_words"].items()
                                             if " " not in k}
        self.period_preps = {w.lower() for w in lex["period_preps"]}
        self.subject_stop = {w.lower() for w in lex["subject_stop"]}
        self.ed_nouns = {w.lower() for w in lex.get("ed_nouns", [])}
        self.ing_nouns = {w.lower() for w in lex.get("ing_nouns", [])}
        self.ly_nouns = {w.lower() for w in lex.get("ly_nouns", [])}
        self.determiners = {w.lower() for w in lex["determiners"]}
        self.irregular: dict[str, str] = {k.lower(): v for k, v in lex.get("irregular_plurals", {}).items()}
        self.synonyms: dict[str, str] = {k.lower(): v for k, v in lex.get("subject_synonyms", {}).items()}
        self.salient = {w.lower() for w in lex.get("salient_subjects", [])}
        self.action_of: dict[str, str] = {}
        for cls, words in lex.get("action_classes", {}).items():
            for w in words:
                self.action_of.setdefault(w.lower(), cls)
        # Words that cannot be part of a source's name (prepositions other than of/for, verbs,
        # conjunctions): the subject stop list minus the glue of institutional names.
        self.source_stop = (self.subject_stop | set(lex["attribution_verbs"]) | set(self.months)
                            | self.weekdays) - {"of", "for", "the"}
        # capitalised at a sentence start or as a date, these still never name a source
        self._never_source = set(self.months) | self.weekdays | {
            "it", "this", "that", "as", "while", "and", "but", "in", "on", "at", "since", "when", "if"}

    def _phrase_index(self, lex: dict) -> _PhraseIndex:
        idx = _PhraseIndex()
        for p in lex["hedges"]:
            idx.add(p, "hedge")
        for p, kind in lex["qualifiers"].items():
            idx.add(p, "qual", kind)
        for key, kind in (("cumulative_cues", "cumulative"), ("attribution_verbs", "verb"),
                          ("according_cues", "according"), ("by_cues", "by"), ("future_cues", "future"),
                          ("continuation_starts", "continuation")):
            for p in lex[key]:
                idx.add(p, kind)
        for p, action in self.action_of.items():
            idx.add(p, "action", action)
        for p in lex.get("several_words", []):
            idx.add(p, "several")
        for p, u in self.units.items():
            if " " in p:
                idx.add(p, "unit", u)
        return idx
