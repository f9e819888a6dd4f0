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

The package's parts: ``matching`` (tokens and the phrase matcher), ``targets`` (targets and cue
records), ``scoring`` (one text's cues credited to mentions), ``model`` (:class:`TargetStance`:
configuration, salient names, ``transform``), ``aggregate`` (per author / thread / outlet) and
``stage`` (the run's stage).
"""
from __future__ import annotations

from .aggregate import aggregate_targets
from .matching import _Matcher, _tokenise
from .model import COLUMNS, TargetStance
from .stage import TargetStanceStage
from .targets import AGAINST, ARTICLE, FAVOR, NONE, Target, _Mention, surface_forms

__all__ = [
           "AGAINST",
           "ARTICLE",
           "COLUMNS",
           "FAVOR",
           "NONE",
           "Target",
           "TargetStance",
           "TargetStanceStage",
           "_Matcher",
           "_Mention",
           "_tokenise",
           "aggregate_targets",
           "surface_forms",
]
