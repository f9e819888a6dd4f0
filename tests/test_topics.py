"""Topics on a small corpus never wait for numba: PCA below ``umap_min_docs``; only read texts encoded."""
import pandas as pd
import pytest

from discourse.analysis.topics import Topics, TopicsStage


def test_small_corpus_is_reduced_without_umap():
    from sklearn.decomposition import PCA

    topics = Topics()  # the defaults: UMAP from 200 to 5,000 texts
    assert isinstance(topics._reduction(78), PCA)
    assert isinstance(topics._reduction(199), PCA)
    assert isinstance(topics._reduction(6000), PCA)


@pytest.mark.slow
def test_umap_in_its_range():
    assert type(Topics()._reduction(200)).__name__ == "UMAP"


class _Ctx:
    def __init__(self, texts, min_docs=None):
        self.units = pd.DataFrame({"thread_id": "t", "comment_id": [f"c{i}" for i in range(len(texts))],
                                   "paragraph": 0, "text": texts})
        self.options = {"topics": {} if min_docs is None else {"min_docs": min_docs}}


def test_too_few_texts_to_cluster_are_not_encoded():
    texts = [f"comment number {i} about @bob http://x.co/{i}" for i in range(10)]
    assert TopicsStage().texts_to_encode(_Ctx(texts)) == []  # keyword topics: no vectors read
    wanted = TopicsStage().texts_to_encode(_Ctx(texts, min_docs=5))
    assert len(wanted) == 10 and not any("@bob" in t or "http" in t for t in wanted)


class _TwoSubjects:
    """Vectors that put drone texts and tax texts in two tight groups (no encoder loaded)."""

    model_name = "two-subjects"

    def encode(self, texts):
        import numpy as np

        rng = np.random.default_rng(0)
        out = []
        for t in texts:
            v = np.zeros(16)
            v[0 if "drone" in t.lower() else 1] = 1.0
            v = v + 0.05 * rng.standard_normal(16)
            out.append(v / np.linalg.norm(v))
        return np.array(out)


def _units(texts):
    return pd.DataFrame({"thread_id": "t", "comment_id": [f"c{i}" for i in range(len(texts))],
                         "paragraph": 0, "text": texts})


@pytest.mark.slow
def test_a_rerun_reads_the_fitted_topics_back(tmp_path, monkeypatch):
    texts = ([f"Drone strikes hit the depot again, drone number {i} was shot down" for i in range(30)]
             + [f"The new tax on housing raises the budget deficit by {i} percent" for i in range(30)])
    first = Topics(embedder=_TwoSubjects(), representation="ctfidf", min_docs=20, cache_dir=tmp_path)
    fitted = first.fit_transform(_units(texts))
    assert len(list((tmp_path / "topics").glob("*.json"))) == 1

    fits = []
    real_fit = Topics._fit_bertopic
    monkeypatch.setattr(Topics, "_fit_bertopic", lambda self, *a: fits.append(1) or real_fit(self, *a))
    again = Topics(embedder=_TwoSubjects(), representation="ctfidf", min_docs=20, cache_dir=tmp_path)
    pd.testing.assert_frame_equal(again.fit_transform(_units(texts)), fitted)
    pd.testing.assert_frame_equal(again.topics_, first.topics_)
    assert again.note_ == first.note_ and again.clustered_ and fits == []

    other = Topics(embedder=_TwoSubjects(), representation="ctfidf", min_docs=20, cache_dir=tmp_path, seed=7)
    other.fit_transform(_units(texts))
    assert fits == [1]  # another setting is another entry


def test_an_unreadable_entry_is_a_miss_and_custom_parts_are_never_cached(tmp_path):
    import numpy as np

    from discourse.analysis.topics_cache import FittedTopicsStore

    docs, vectors = ["a text", "another"], np.eye(2, dtype=np.float32)
    store = FittedTopicsStore.for_fit(Topics(embedder=_TwoSubjects(), cache_dir=tmp_path), docs, vectors)
    assert store.read() is None
    store.path.parent.mkdir(parents=True)
    store.path.write_text('{"topics": [0, ', encoding="utf-8")  # half an entry
    assert store.read() is None
    store.write(np.array([0, 1]), [[0, 1, "a", "a", ""], [1, 1, "b", "b", ""]], "note")
    topics, rows, note = store.read()
    assert topics.tolist() == [0, 1] and rows[1][2] == "b" and note == "note"
    assert not [p for p in store.path.parent.iterdir() if p.suffix == ".tmp"]
    assert FittedTopicsStore.for_fit(Topics(cache_dir=None), docs, vectors) is None
    assert FittedTopicsStore.for_fit(Topics(cache_dir=tmp_path, reduction=object()), docs, vectors) is None
