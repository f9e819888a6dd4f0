"""The token layer: each text unit split into sentences and word tokens once per run.

As spaCy's ``Doc`` serves every pipeline component, a :class:`Doc` here holds one text's
sentences and words as character spans, with the text's language, and every stage reads it
instead of tokenising again. Words are Unicode-aware (letters and digits of any script;
apostrophes inside a word stay: ``won't``, ``п'ять``; hyphens split), so Cyrillic, Greek or
accented text gets tokens like English does.

Language resources (stop words per language) live in ``discourse/data/lang/<code>/``. The
language guess is deliberately simple and explainable: the script of the letters (Cyrillic,
Greek, Latin …), then for Cyrillic the letters only Ukrainian or only Russian has, and for Latin
which language's function words the text uses most. Stages whose resources cover English only
name the language they skipped (see ``Stage.languages``).
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from .resources import load_json
from .text import SentenceSplitter

#: a word: letters or digits of any script, apostrophes inside it kept
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
#: languages with resources under data/lang
LANGUAGES = ("en", "de", "ru", "uk")
_UK_ONLY = set("іїєґІЇЄҐ")
_RU_ONLY = set("ыэъёЫЭЪЁ")


@dataclass(frozen=True)
class Doc:
    """One text with its sentence and word spans (character offsets into ``text``) and language."""

    text: str
    lang: str
    sents: tuple[tuple[int, int], ...]
    spans: tuple[tuple[int, int], ...]

    @cached_property
    def words(self) -> list[str]:
        return [self.text[s:e] for s, e in self.spans]

    @cached_property
    def lower(self) -> list[str]:
        """Lower-cased words with the typographic apostrophe made plain (for lexicon lookups)."""
        return [w.lower().replace("’", "'") for w in self.words]

    def sentences(self) -> list[str]:
        return [self.text[s:e] for s, e in self.sents]

    def words_between(self, start: int, end: int) -> list[int]:
        """Indexes of the words inside the character range ``[start, end)`` (e.g. one sentence)."""
        return [i for i, (s, e) in enumerate(self.spans) if s >= start and e <= end]


def word_spans(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(m.span() for m in WORD.finditer(text))


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else ""


def detect_language(text: str, words: list[str] | None = None) -> str:
    """``en``, ``de``, ``ru``, ``uk``, another script's name in lower case (``greek``, ``arabic``…),
    or ``und`` when a text has no letters. English is the answer for Latin text unless another
    language's function words are clearly more frequent."""
    if text.isascii():  # the common case: no character needs a name look-up
        if not any(ch.isalpha() for ch in text):
            return "und"
        script = "LATIN"
    else:
        scripts = Counter(_script(ch) for ch in text if ch.isalpha())
        if not scripts:
            return "und"
        script, _ = scripts.most_common(1)[0]
    if script == "CYRILLIC":
        letters = set(text)
        if letters & _UK_ONLY and not letters & _RU_ONLY:
            return "uk"
        if letters & _RU_ONLY and not letters & _UK_ONLY:
            return "ru"
        return _by_function_words(words or WORD.findall(text.lower()), ("ru", "uk"), default="ru")
    if script != "LATIN":
        return script.lower()
    return _by_function_words(words or WORD.findall(text.lower()), ("en", "de"), default="en")


def stop_words(lang: str) -> frozenset[str]:
    """The stop words of a language with resources (an empty set for any other)."""
    if lang not in LANGUAGES:
        return frozenset()
    return _stop_words(lang)


@lru_cache(maxsize=len(LANGUAGES))
def _stop_words(lang: str) -> frozenset[str]:  # packaged data, read once (like resources.load_json)
    return frozenset(load_json("lang", lang, "stop_words.json")["stop_words"])


def _by_function_words(words: list[str], candidates: tuple[str, ...], default: str) -> str:
    lowered = [w.lower() for w in words]
    hits = {}
    for lang in candidates:
        stop = stop_words(lang)
        hits[lang] = sum(w in stop for w in lowered)
    best = max(candidates, key=lambda lang: (hits[lang], lang == default))
    # another language wins only with at least two function words and more than the default has
    return best if best == default or (hits[best] >= 2 and hits[best] > hits[default]) else default


class Tokenizer:
    """Turns texts into :class:`Doc` objects; owns its sentence splitter and remembers each
    distinct text's Doc for as long as the tokenizer lives (one run)."""

    def __init__(self, splitter: SentenceSplitter | None = None):
        self.splitter = splitter or SentenceSplitter()
        self._docs: dict[str, Doc] = {}

    def __call__(self, text: str) -> Doc:
        doc = self._docs.get(text)
        if doc is None:
            spans = word_spans(text)
            words = [text[s:e] for s, e in spans]
            doc = Doc(text=text, lang=detect_language(text, words), sents=self.splitter.spans(text), spans=spans)
            self._docs[text] = doc
        return doc


@dataclass
class TokenLayer:
    """The Docs of a run's text units (article paragraphs and comments), built once.

    ``docs[i]`` belongs to row ``i`` of the units frame; :meth:`doc` tokenises any other text
    (a parent's text, an article) through the same tokenizer, so nothing is split twice.
    """

    tokenizer: Tokenizer = field(default_factory=Tokenizer)
    docs: list[Doc] = field(default_factory=list)
    keys: list[tuple[str, str, int]] = field(default_factory=list)

    @classmethod
    def build(cls, units, tokenizer: Tokenizer | None = None) -> TokenLayer:
        layer = cls(tokenizer=tokenizer or Tokenizer())
        if units is None or units.empty:
            return layer
        texts = units["text"].fillna("").astype(str).tolist()
        layer.docs = [layer.tokenizer(t) for t in texts]
        layer.keys = list(zip(units["thread_id"].tolist(), units["comment_id"].tolist(),
                              units["paragraph"].tolist()))
        return layer

    def doc(self, text: str) -> Doc:
        return self.tokenizer(text or "")

    def sentence_spans(self, text: str) -> list[tuple[int, int]]:
        return list(self.doc(text).sents)

    def languages(self) -> Counter:
        """How many units there are in each language."""
        return Counter(d.lang for d in self.docs)

    def language_of(self) -> dict[tuple[str, str, int], str]:
        return {k: d.lang for k, d in zip(self.keys, self.docs)}
