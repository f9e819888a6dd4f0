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
