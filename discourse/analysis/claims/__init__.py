"""The claims ledger: check-worthy figures in articles and comments, and where they disagree.

A claim here is a number together with what it counts (``414,680 Russian personnel``), who asserts
it (``Ukraine claimed``, ``according to the Russian Ministry of Defense``), how firmly (``unverified
figures``, ``about``, ``at least``) and when (the unit's published date and any date or period the
sentence names: ``in September``, ``since the war broke out``, ``in the last 24 hours``). Figures are
what fact-checkers check first and what disinformation bends most easily, so the ledger lists them
with their sources and lines up figures about the same quantity across threads and outlets.

Everything is rules over word lists (``discourse/data/lexicons/claims.json``): no POS tagger data is
available at run time, and rules keep each decision explainable. The parts, each readable alone:

- ``tokens``: the tokeniser, the phrase index and small helpers on tokens;
- ``lexicon``: the word lists every part reads (``ClaimLexicon``);
- ``numbers``: quantities (digits, number words, ranges, qualifiers, glued units);
- ``periods``: date and period phrases, the one governing a figure, calendar dates;
- ``subjects``: what a figure counts, its unit and action, subject keys;
- ``attribution``: who asserts a figure, pronouns and quotations;
- ``extractor``: ``ClaimExtractor``, which puts the parts together sentence by sentence;
- ``compare``: ``compare_claims``, lining up figures about the same quantity;
- ``stage``: ``ClaimsStage``, the pipeline stage that runs both.
"""
from .compare import COMPARE_COLUMNS, RELATIONS, compare_claims
from .extractor import CLAIM_COLUMNS, ClaimExtractor
from .stage import ClaimsStage

__all__ = ["CLAIM_COLUMNS", "COMPARE_COLUMNS", "RELATIONS", "ClaimExtractor", "ClaimsStage", "compare_claims"]
