"""Narrative catalogues: finding, reading and checking them, and their cue terms matched over words."""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ...errors import DiscourseError
from ...resources import data_path, load_json

# Whole words for cue matching: Unicode letters and digits. A single character class with one
# quantifier, so it cannot backtrack on hostile input.
_TOKEN = re.compile(r"[^\W_]+")
_DOMAIN_NAME = re.compile(r"[a-z0-9_]+")


def available_domains() -> list[str]:
    """Names of the packaged narrative catalogues (``domain=`` values)."""
    folder = data_path("narratives")
    return sorted(p.stem for p in Path(folder).glob("*.json"))


def load_catalogue(domain: str = "russia_ukraine", path: str | Path | None = None) -> dict[str, Any]:
    """The catalogue as a dict, validated so a user's file fails with a message, not a KeyError."""
    if path is None:
        if not _DOMAIN_NAME.fullmatch(domain or ""):
            raise DiscourseError(f"narrative domain {domain!r} is not a catalogue name (a-z, 0-9, _)")
        if not data_path("narratives", f"{domain}.json").is_file():
            raise DiscourseError(
                f"no narrative catalogue {domain!r}; packaged: {', '.join(available_domains())}; "
                "pass path= for your own")
        data = load_json("narratives", f"{domain}.json")
    else:
        try:
            data = load_json(path=path)
        except (OSError, ValueError) as exc:
            raise DiscourseError(f"cannot read narrative catalogue {path}: {exc}") from None
    _validate(data, str(path or domain))
    return data


def _validate(data: Any, where: str) -> None:
    def fail(msg: str):
        raise DiscourseError(f"narrative catalogue {where}: {msg}")

    if not isinstance(data, dict) or not isinstance(data.get("narratives"), list):
        fail('expected an object with a "narratives" list')
    for i, nar in enumerate(data["narratives"]):
        if not isinstance(nar, dict) or not isinstance(nar.get("narrative"), str):
            fail(f'narratives[{i}] needs a "narrative" name')
        subs = nar.get("subnarratives")
        if not isinstance(subs, list) or not subs:
            fail(f'narrative {nar["narrative"]!r} needs a non-empty "subnarratives" list')
        for j, sub in enumerate(subs):
            label = f'{nar["narrative"]!r} subnarratives[{j}]'
            if not isinstance(sub, dict) or not isinstance(sub.get("subnarrative"), str):
                fail(f'{label} needs a "subnarrative" name')
            examples = sub.get("examples", [])
            cues = sub.get("cues", {})
            if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
                fail(f'{label}: "examples" must be a list of strings')
            if not isinstance(cues, dict) or not all(
                    k in ("strong", "weak") and isinstance(v, list) and all(isinstance(t, str) for t in v)
                    for k, v in cues.items()):
                fail(f'{label}: "cues" must be {{"strong": [...], "weak": [...]}} of strings')
            if not examples and not any(cues.values()):
                fail(f"{label} has neither examples nor cues, so it can never match")


class _CueIndex:
    """Cue phrases of every sub-narrative, matched over word tokens in one linear pass.

    Tokens rather than regular expressions: matching cost is independent of how many cues a
    catalogue has and cannot blow up on a long line.
    """

    def __init__(self, subs: Sequence[dict[str, Any]]):
        self.exact: dict[str, list] = {}
        self.prefix: dict[str, list] = {}
        for k, sub in enumerate(subs):
            for strength in ("strong", "weak"):
                for term in sub.get("cues", {}).get(strength, []):
                    parts = tuple(_cue_parts(term))
                    if not parts:
                        continue
                    entry = (parts, strength, k, term)
                    first = parts[0]
                    if first.endswith("*"):
                        self.prefix.setdefault(first[:-1][:3], []).append(entry)
                    else:
                        self.exact.setdefault(first, []).append(entry)
        # The same entries in the form ``match`` tests them: (first word's prefix, or None when the
        # lookup already proved the first word equal; the other words as (text, is prefix); length,
        # strength, sub-narrative, term).
        self._exact = {w: [_compiled(e, first_known=True) for e in es] for w, es in self.exact.items()}
        self._prefix = {w: [_compiled(e, first_known=False) for e in es] for w, es in self.prefix.items()}
        self._by_word: dict[str, list | None] = {}  # a word's candidates (exact, then prefix), memoised

    def _candidates(self, w: str) -> list | None:
        cands = self._exact.get(w)
        if len(w) >= 3:
            more = self._prefix.get(w[:3])
            if more:
                cands = cands + more if cands else more
        if len(self._by_word) < 200_000:
            self._by_word[w] = cands
        return cands

    def match(self, text: str) -> dict[int, list[tuple[int, int, str, str]]]:
        """Sub-narrative index → matched cues as (char start, char end, strength, cue term)."""
        toks = list(_TOKEN.finditer(text))
        words = [m.group().lower() for m in toks]
        n_words = len(words)
        by_word = self._by_word
        found: dict[int, list[tuple[int, int, int, int, str, str]]] = {}
        for i, w in enumerate(words):
            cands = by_word.get(w, False)
            if cands is False:
                cands = self._candidates(w)
            if not cands:
                continue
            for head, tail, n, strength, k, term in cands:
                if head is not None and not w.startswith(head):
                    continue
                if tail:
                    if i + n > n_words:
                        continue
                    for j, (part, star) in enumerate(tail, i + 1):
                        if not (words[j].startswith(part) if star else words[j] == part):
                            break
                    else:
                        found.setdefault(k, []).append((i, i + n, toks[i].start(), toks[i + n - 1].end(), strength, term))
                    continue
                found.setdefault(k, []).append((i, i + n, toks[i].start(), toks[i + n - 1].end(), strength, term))
        out: dict[int, list[tuple[int, int, str, str]]] = {}
        for k, hits in found.items():
            # A weak word inside a matched compound ("regime" in "Kiev regime") is not more evidence.
            hits.sort(key=lambda h: (-(h[1] - h[0]), h[0]))
            kept: list = []
            seen_terms: set[str] = set()
            for h in hits:
                if h[5] in seen_terms or any(h[0] >= g[0] and h[1] <= g[1] for g in kept):
                    continue
                kept.append(h)
                seen_terms.add(h[5])
            kept.sort(key=lambda h: h[0])
            out[k] = [(h[2], h[3], h[4], h[5]) for h in kept]
        return out


def _cue_parts(term: str) -> list[str]:
    parts = []
    for raw in term.lower().split():
        star = raw.endswith("*")
        words = _TOKEN.findall(raw)
        if not words:
            continue
        if star:
            words[-1] += "*"
        parts.extend(words)
    return parts


def _word_matches(word: str, part: str) -> bool:
    return word.startswith(part[:-1]) if part.endswith("*") else word == part


def _compiled(entry: tuple, first_known: bool) -> tuple:
    """A cue entry as :meth:`_CueIndex.match` tests it (``_word_matches`` decided ahead per part)."""
    parts, strength, k, term = entry
    head = None if first_known else parts[0][:-1]
    tail = tuple((p[:-1], True) if p.endswith("*") else (p, False) for p in parts[1:])
    return head, tail, len(parts), strength, k, term


def iter_subnarratives(catalogue: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    """(narrative name, sub-narrative entry) for every entry of a catalogue."""
    for nar in catalogue["narratives"]:
        for sub in nar["subnarratives"]:
            yield nar["narrative"], sub
