"""The embeddings pre-pass encodes only what the stages read, each distinct text once."""
import numpy as np
import pytest

from discourse.analysis.pipeline import Analyzer
from discourse.embeddings import DIM, Embedder
from discourse.model import Article, Comment, Thread


class RecordingModel:
    """Stands in for MiniLM: a vector from the text's hash; remembers every call."""

    def __init__(self):
        self.calls: list[list[str]] = []

    def encode(self, texts, **_):
        self.calls.append(list(texts))
        out = np.array([np.random.default_rng(abs(hash(t)) % 2**32).standard_normal(DIM) for t in texts])
        return out.reshape(len(texts), DIM)

    @property
    def sent(self) -> list[str]:
        return [t for call in self.calls for t in call]


RAW = "@bob Great point about the sanctions http://t.co/x1 #news"
LONG = "Russia denied the report. The minister confirmed the ceasefire was broken."


def corpus() -> list[Thread]:
    texts = [RAW, LONG, "Source?", "The minister lied about the budget deficit again", LONG]
    comments = [Comment(comment_id=f"c{i}", text=t, author=f"a{i}", parent_id=f"c{i - 1}" if i else None)
                for i, t in enumerate(texts)]
    article = Article(title="Talks", text="Officials met in Geneva. The talks ended early.")
    return [Thread(thread_id="t1", source="test", article=article, comments=comments)]


def run(domain):
    model = RecordingModel()
    embedder = Embedder(model=model, use_disk_cache=False)
    Analyzer(stages=["embeddings", "stance", "topics", "narratives", "coordination"], domain=domain,
             embedder=embedder, quiet=True, plugins=False).run(corpus())
    return model


def test_each_needed_text_is_encoded_once_in_one_batch():
    model = run(domain=None)
    sent = model.sent
    assert len(sent) == len(set(sent))  # no text twice
    assert len(model.calls) == 1  # everything up front, in one batched call
    assert RAW not in sent  # only the cleaned form every stage reads
    assert any("Great point about the sanctions" in t and "@bob" not in t for t in sent)
    assert LONG in sent
    # without a catalogue, no sentence is encoded on its own
    assert "Russia denied the report." not in sent


def test_sentences_are_encoded_only_when_narratives_read_them():
    sent = run(domain="russia_ukraine").sent
    assert "Russia denied the report." in sent
    assert len(sent) == len(set(sent))


@pytest.mark.slow
def test_topic_label_words_go_to_the_encoder_in_one_call():
    from bertopic import BERTopic
    from bertopic.representation import MaximalMarginalRelevance

    from discourse.analysis.topics import _batched_mmr, _CachedBackend

    topics = {0: [(w, 1.0 / (k + 1)) for k, w in enumerate(["drone", "strike", "depot", "drone strike", "army"])],
              1: [(w, 1.0 / (k + 1)) for k, w in enumerate(["tax", "budget", "housing", "deficit", "new tax"])]}
    results = []
    for mmr in (_batched_mmr(0.3, 3), MaximalMarginalRelevance(diversity=0.3, top_n_words=3)):
        model = RecordingModel()
        bt = BERTopic(embedding_model=_CachedBackend(Embedder(model=model, use_disk_cache=False)))
        results.append((mmr.extract_topics(bt, None, None, topics), model.calls))
    (batched, calls), (plain, plain_calls) = results
    assert len(calls) == 1 and len(plain_calls) == 4  # BERTopic's own asks topic by topic
    assert batched == plain
