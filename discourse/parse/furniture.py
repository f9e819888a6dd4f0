"""Recognising page furniture and comment-section chrome, from rules kept in a data file.

The rules live in ``discourse/data/page_furniture.json`` so a user can add a site's buttons or
promo lines without touching code (pass ``extra_rules_path`` or edit the file). Only short lines
are tested (chrome is short), which keeps the cost per line low and means no rule can be made to
backtrack badly by a hostile megabyte-long line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

#: Lines longer than this are never chrome or furniture (captions can be long, buttons are not).
MAX_CHROME_CHARS = 120
MAX_FURNITURE_CHARS = 700


@dataclass(frozen=True)
class Rule:
    kind: str  # furniture | timestamp | action | section
    where: str  # article | comments | both
    reason: str
    regex: re.Pattern
    requires: str | None = None


@dataclass(frozen=True)
class Match:
    kind: str
    reason: str


class FurnitureRules:
    """The compiled rule set; ``classify(line, region)`` says whether a line is chrome."""

    def __init__(self, rules: list[Rule], language_codes: frozenset[str]):
        self.rules = rules
        self.language_codes = language_codes
        # One alternation per (region, long line or not) tells in a single regex call which rule
        # matches first, if any; most lines match none, so this is what a page of comments costs.
        self._combined: dict[tuple[str, bool], tuple[re.Pattern | None, list[int]]] = {}
        for region in ("article", "comments"):
            for long in (False, True):
                ids = [k for k, r in enumerate(rules) if r.where in ("both", region)
                       and (r.kind == "furniture" or not long)]
                self._combined[(region, long)] = (_alternation([rules[k].regex for k in ids]), ids)

    @classmethod
    def from_json(cls, data: dict) -> FurnitureRules:
        rules = [
            Rule(
                kind=r["kind"],
                where=r.get("where", "both"),
                reason=r["reason"],
                regex=re.compile(r["pattern"], re.IGNORECASE),
                requires=r.get("requires"),
            )
            for r in data["rules"]
        ]
        return cls(rules, frozenset(data.get("language_codes", [])))

    def extended(self, path: str | Path) -> FurnitureRules:
        """A copy with the rules of another file added (checked before the built-in ones)."""
        extra = FurnitureRules.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
        return FurnitureRules(extra.rules + self.rules, self.language_codes | extra.language_codes)

    def classify(self, line: str, region: str) -> Match | None:
        """The first rule that matches the whole (stripped) line in this region, if any."""
        n = len(line)
        if n == 0 or n > MAX_FURNITURE_CHARS:
            return None
        start = 0
        combined = self._combined.get((region, n > MAX_CHROME_CHARS))
        if combined is not None and combined[0] is not None:
            m = combined[0].fullmatch(line)
            if m is None:
                return None
            if m.lastgroup is not None:
                rule = self.rules[combined[1][int(m.lastgroup[1:])]]
                if rule.requires != "language_codes" or self._all_language_codes(line):
                    return Match(rule.kind, rule.reason)
                start = combined[1][int(m.lastgroup[1:])] + 1  # its condition failed: try the later rules
        for rule in self.rules[start:]:
            if rule.where != "both" and rule.where != region:
                continue
            if rule.kind != "furniture" and n > MAX_CHROME_CHARS:
                continue
            if rule.regex.fullmatch(line) is None:
                continue
            if rule.requires == "language_codes" and not self._all_language_codes(line):
                continue
            return Match(rule.kind, rule.reason)
        return None

    def _all_language_codes(self, line: str) -> bool:
        codes = re.findall(r"[A-Za-z]+", line)
        return len(codes) >= 2 and all(c.lower() in self.language_codes for c in codes)


def _alternation(patterns: list[re.Pattern]) -> re.Pattern | None:
    """``(?P<r0>p0)|(?P<r1>p1)|...``, or None when the patterns do not combine (named groups,
    inline flags), in which case rules are tried one by one."""
    if not patterns or any(p.groupindex for p in patterns):
        return None
    try:
        return re.compile("|".join(f"(?P<r{k}>{p.pattern})" for k, p in enumerate(patterns)), re.IGNORECASE)
    except re.error:
        return None


@lru_cache(maxsize=1)
def default_rules() -> FurnitureRules:
    text = resources.files("discourse").joinpath("data", "page_furniture.json").read_text(encoding="utf-8")
    return FurnitureRules.from_json(json.loads(text))
