"""The news corpora the framing heads learn from, read from ``../shared/data``, and one store of
sentence vectors for all of them.

- PTC (SemEval-2020 Task 11 train, 331 articles): technique spans, 14 merged classes, mapped here
  to the SemEval-2023 names the tagger uses (:data:`PTC_TO_2023`).
- SemEval-2023 Task 3 English: train articles with technique spans (406) and frames (396); dev
  articles (90, the PTC-2020 test articles) with techniques per paragraph only.
- SemEval-2025 Task 10 English (399 documents): narratives and sub-narratives per document.

All of it is research-use data; nothing of it is copied into the project, only weights trained on it.
Sentences are cut with :func:`discourse.text.sentence_spans` (line breaks end a sentence), as the
tagger cuts them at run time, and a sentence carries a technique when a gold span overlaps it.
"""
from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from discourse.text import sentence_spans

from .common import SCRATCH, shared

EMBED_CHARS = 1000  # the run encodes sentences cut to this length (narratives._MAX_EMBED_CHARS)

# PTC's merged classes as the SemEval-2023 names (a PTC class that 2023 split in two goes to the
# name its examples mostly carry in 2023, and the other half is noted in the card).
PTC_TO_2023 = {
    "Loaded_Language": "Loaded_Language",
    "Name_Calling,Labeling": "Name_Calling-Labeling",
    "Repetition": "Repetition",
    "Doubt": "Doubt",
    "Exaggeration,Minimisation": "Exaggeration-Minimisation",
    "Appeal_to_fear-prejudice": "Appeal_to_Fear-Prejudice",
    "Flag-Waving": "Flag_Waving",
    "Causal_Oversimplification": "Causal_Oversimplification",
    "Appeal_to_Authority": "Appeal_to_Authority",
    "Slogans": "Slogans",
    "Whataboutism,Straw_Men,Red_Herring": "Red_Herring",
    "Black-and-White_Fallacy": "False_Dilemma-No_Choice",
    "Thought-terminating_Cliches": "Conversation_Killer",
    "Bandwagon,Reductio_ad_hitlerum": "Guilt_by_Association",
}
# SemEval-2023 names folded into the classes both corpora share, so one label set serves both.
FOLD_2023 = {"Straw_Man": "Red_Herring", "Whataboutism": "Red_Herring", "Appeal_to_Popularity": "Guilt_by_Association",
             "Obfuscation-Vagueness-Confusion": None, "Appeal_to_Hypocrisy": None}


@dataclass
class Sentence:
    doc: str                 # article id (the unit of every split)
    text: str
    labels: set = field(default_factory=set)
    spans: list = field(default_factory=list)   # (label, start, end) relative to the sentence
    para: int = -1           # paragraph number where the corpus has one


def _read_jsonl(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _read_csv(path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _sentences_with_spans(articles: dict[str, str], spans: dict[str, list]) -> list[Sentence]:
    out = []
    for doc, text in articles.items():
        for a, b in sentence_spans(text):
            s = Sentence(doc, text[a:b])
            for label, sa, sb in spans.get(doc, []):
                if label and sa < b and sb > a:
                    s.labels.add(label)
                    s.spans.append((label, max(sa, a) - a, min(sb, b) - a))
            out.append(s)
    return out


def fold(label: str) -> str | None:
    return FOLD_2023.get(label, label)


def ptc_sentences() -> list[Sentence]:
    folder = shared("ptc_semeval2020_task11")
    articles = {r["article_id"]: r["text"] for r in _read_jsonl(folder / "train_articles.jsonl")}
    spans = defaultdict(list)
    for r in _read_csv(folder / "train_technique_spans.csv"):
        spans[r["article_id"]].append((PTC_TO_2023[r["technique"]], int(r["start"]), int(r["end"])))
    return _sentences_with_spans(articles, spans)


def semeval23_train_sentences() -> list[Sentence]:
    folder = shared("semeval2023_task3_en")
    articles = {r["article_id"]: r["text"] for r in _read_jsonl(folder / "train_articles_subtask3.jsonl")}
    spans = defaultdict(list)
    for r in _read_csv(folder / "train_subtask3_spans.csv"):
        spans[r["article_id"]].append((fold(r["technique"]), int(r["start"]), int(r["end"])))
    return _sentences_with_spans(articles, spans)


def semeval23_dev_paragraphs() -> list[Sentence]:
    """Dev paragraphs (gold per paragraph only) as :class:`Sentence` rows with ``para`` set; the
    evaluation cuts each into sentences and scores the union of their labels."""
    folder = shared("semeval2023_task3_en")
    out = []
    for r in _read_csv(folder / "dev_subtask3_paragraph_techniques.csv"):
        labels = {fold(t) for t in r["techniques"].split(",") if t.strip()} - {None}
        out.append(Sentence(r["article_id"], r["text"], labels, para=int(r["paragraph_id"])))
    return out


def semeval23_frames() -> tuple[dict[str, str], dict[str, set]]:
    """(article id -> text, article id -> frames) of the 396 SemEval-2023 train articles with frames."""
    folder = shared("semeval2023_task3_en")
    texts = {r["article_id"]: r["text"] for r in _read_jsonl(folder / "train_articles_subtask1_2.jsonl")}
    frames = {r["article_id"]: {f for f in r["frames"].split(",") if f.strip()}
              for r in _read_csv(folder / "train_subtask2_frames.csv")}
    return {k: texts[k] for k in frames if k in texts}, {k: v for k, v in frames.items() if k in texts}


def semeval25_documents() -> list[dict]:
    """The SemEval-2025 Task 10 documents with ``narratives`` and ``subnarratives`` as lists
    ("Other" left out: a document with none is neutral for the task)."""
    folder = shared("semeval2025_task10_en")
    labels = {r["doc_id"]: r for r in _read_csv(folder / "train_subtask2_narratives.csv")}
    docs = []
    for d in _read_jsonl(folder / "train_documents.jsonl"):
        lab = labels.get(d["doc_id"], {})
        docs.append({**d, "narratives": [x.strip() for x in lab.get("narratives", "").split(";")
                                         if x.strip() and x.strip() != "Other"],
                     "subnarratives": [x.strip() for x in lab.get("subnarratives", "").split(";")
                                       if x.strip() and not x.strip().endswith("Other") and x.strip() != "Other"]})
    return docs


# ---------------------------------------------------------------------------------- vectors
class VectorStore:
    """Sentence vectors of every text the framing heads read, kept in one ``.npy`` with its texts
    beside it under the scratch folder, so each distinct text is encoded once across scripts."""

    def __init__(self, name: str = "framing-sentences"):
        self.file = SCRATCH / f"{name}.npy"
        self.index_file = SCRATCH / f"{name}.json"
        self.texts: list[str] = []
        self.vectors = np.zeros((0, 384), dtype=np.float32)
        if self.file.exists() and self.index_file.exists():
            self.texts = json.loads(self.index_file.read_text(encoding="utf-8"))
            self.vectors = np.load(self.file, allow_pickle=False)
        self.row = {t: i for i, t in enumerate(self.texts)}

    def get(self, texts: list[str], embedder=None) -> np.ndarray:
        texts = [t[:EMBED_CHARS] for t in texts]
        missing = list(dict.fromkeys(t for t in texts if t not in self.row))
        if missing:
            if embedder is None:
                from discourse.embeddings import Embedder

                embedder = Embedder(use_disk_cache=False, batch_size=128)
            new = np.asarray(embedder.encode(missing), dtype=np.float32)
            self.vectors = np.vstack([self.vectors, new]) if len(self.vectors) else new
            for t in missing:
                self.row[t] = len(self.texts)
                self.texts.append(t)
            SCRATCH.mkdir(parents=True, exist_ok=True)
            np.save(self.file, self.vectors)
            self.index_file.write_text(json.dumps(self.texts), encoding="utf-8")
        return self.vectors[[self.row[t] for t in texts]] if texts else np.zeros((0, 384), np.float32)


def all_texts() -> list[str]:
    """Every sentence the vector-reading heads need (narratives: the Ukraine-war documents;
    frames: the SemEval-2023 articles), for one encoding job up front."""
    texts = [d["text"][a:b] for d in semeval25_documents() if d["domain"] == "UA"
             for a, b in sentence_spans(d["text"])]
    arts, _ = semeval23_frames()
    texts += [t[a:b] for t in arts.values() for a, b in sentence_spans(t)]
    return list(dict.fromkeys(t[:EMBED_CHARS] for t in texts))


if __name__ == "__main__":
    import sys
    import time

    texts = all_texts()
    store = VectorStore()
    todo = [t for t in texts if t not in store.row]
    print(f"{len(texts)} distinct sentences, {len(todo)} to encode", flush=True)
    t0 = time.time()
    for i in range(0, len(todo), 2000):
        store.get(todo[i:i + 2000])
        print(f"{i + len(todo[i:i + 2000])} done, {time.time() - t0:.0f}s", flush=True)
    sys.exit(0)
