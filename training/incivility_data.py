"""The incivility training set, read from ``../shared/data/toxicity``.

Three sources, none of them the news comments we test on (SFU):

* **Civil Comments toxic spans**: news comments that raters called toxic, with the fraction of span
  annotators who marked an insult, threat, identity attack or obscenity, and the spans themselves.
  Every one is toxic, so they teach the kinds and the words that carry them, not toxic-vs-not; but
  the sentences that no annotator marked, put back together, give a news comment on the same topic
  without its attack: an in-domain negative paired with each positive (kept in the same group, so a
  split never separates them).
* **Wikipedia talk comments** (binary, CAT-LARGE): few toxic (210 of 20,000), many civil replies.
* **Davidson hate / offensive tweets**: offensive and hateful tweets against "neither".

The rows are subsampled (seeded) to about 27,000 texts so encoding fits a shared CPU.
"""
from __future__ import annotations

import json
import re

import numpy as np

from training.common import shared

KINDS = ("insult", "threat", "identity_attack", "obscene")
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")
_MAX_CHARS = 1200


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _SENTENCE.finditer(text) if m.group().strip()]


def marked_spans(annotations_json: str) -> list[tuple[int, int, str]]:
    """Every annotator's spans of one Civil Comments post: (start, end, type)."""
    out = []
    for worker in json.loads(annotations_json or "[]"):
        for span in worker.get("spans", []):
            out.append((int(span["start"]), int(span["end"]), str(span.get("type", ""))))
    return out


def clean_remainder(text: str, spans: list[tuple[int, int, str]]) -> str:
    """The sentences of ``text`` that no annotator's span touches, joined; empty when nothing was
    marked (then the whole post may be the attack) or too little is left."""
    if not spans:
        return ""
    kept = [text[s:e].strip() for s, e in _sentence_spans(text)
            if not any(a < e and b > s for a, b, _ in spans)]
    rest = " ".join(k for k in kept if k)
    return rest if len(rest) >= 40 and len(rest.split()) >= 6 else ""


def civil_comments(rng: np.random.Generator, n: int = 9000):
    """Toxic news comments (label 1, kind fractions) and their clean remainders (label 0)."""
    import pandas as pd

    frame = pd.read_csv(shared("toxicity", "civil_comments_toxic_spans.csv"))
    rare = frame[list(KINDS[1:])].ge(0.5).any(axis=1).to_numpy()  # keep every threat / identity / obscene post
    rest = np.flatnonzero(~rare)
    keep = np.sort(np.concatenate([np.flatnonzero(rare),
                                   rng.choice(rest, size=max(0, n - int(rare.sum())), replace=False)]))
    rows = []
    for r in frame.iloc[keep].itertuples(index=False):
        group = f"cc{r.id}"
        spans = marked_spans(r.annotations_json)
        rows.append({"text": r.text, "label": 1, "source": "civil_comments", "group": group,
                     "spans": spans, "n_workers": len(json.loads(r.annotations_json or "[]")), **{k: float(getattr(r, k)) for k in KINDS}})
        rest_text = clean_remainder(r.text, spans)
        if rest_text:
            rows.append({"text": rest_text, "label": 0, "source": "civil_comments_clean", "group": group,
                         **dict.fromkeys(KINDS, 0.0)})
    return rows


def wikipedia(rng: np.random.Generator, n_civil: int = 5000):
    import pandas as pd

    frame = pd.read_csv(shared("toxicity", "wikipedia_talk_context_toxicity.csv"))
    toxic = np.flatnonzero(frame["toxicity"].to_numpy() == 1)
    civil = rng.choice(np.flatnonzero(frame["toxicity"].to_numpy() == 0), size=n_civil, replace=False)
    rows = []
    for i in np.sort(np.concatenate([toxic, civil])):
        r = frame.iloc[i]
        rows.append({"text": str(r["text"]), "label": int(r["toxicity"]), "source": "wikipedia",
                     "group": f"wp{r['id']}", **dict.fromkeys(KINDS, np.nan)})
    return rows


def davidson(rng: np.random.Generator, n_offensive: int = 3000):
    import pandas as pd

    frame = pd.read_csv(shared("toxicity", "davidson_hate_offensive_tweets.csv"))
    label = frame["label"].to_numpy()
    offensive = rng.choice(np.flatnonzero(label == "offensive"), size=n_offensive, replace=False)
    keep = np.sort(np.concatenate([np.flatnonzero(label != "offensive"), offensive]))
    rows = []
    for r in frame.iloc[keep].itertuples(index=False):
        hate = r.label == "hate_speech"
        rows.append({"text": str(r.text), "label": int(r.label != "neither"), "source": "davidson",
                     "group": f"dv{r.id}", **dict.fromkeys(KINDS, np.nan),
                     "identity_attack": 1.0 if hate else 0.0})
    return rows


def training_rows(seed: int = 0):
    """The whole training set as a frame: text, label, source, group and the four kind fractions
    (NaN where a source says nothing about a kind)."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(civil_comments(rng) + wikipedia(rng) + davidson(rng))
    frame["text"] = frame["text"].fillna("").astype(str).str.slice(0, _MAX_CHARS)
    return frame.reset_index(drop=True)


def sfu_comments():
    """The SFU news comments (test only: never fitted or tuned on): texts and crowd toxicity 1-4."""
    import pandas as pd

    frame = pd.read_csv(shared("sfu-toxicity-dev", "comments.csv"))
    return frame["comment"].fillna("").astype(str).tolist(), frame["toxicity"].to_numpy(int)


if __name__ == "__main__":  # encode everything once (cached), so training reruns are quick
    from training.common import encode

    rows = training_rows()
    print(rows.groupby(["source", "label"]).size())
    encode(rows["text"].tolist(), "incivility-train")
    encode(sfu_comments()[0], "incivility-sfu")
    print("encoded", len(rows))
