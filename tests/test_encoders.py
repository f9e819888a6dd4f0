"""Encoder backends: the default gives the reference vectors back; lossy int8 never shares cache entries."""
import numpy as np
import pytest

from discourse.embeddings import Embedder
from discourse.encoders import PROBES, load_backend
from discourse.errors import DiscourseError


def test_unknown_backend_is_one_clear_error():
    with pytest.raises(DiscourseError, match="unknown encoder backend"):
        load_backend("gpu-magic")


def test_int8_vectors_are_cached_under_their_own_name(tmp_path):
    assert Embedder(cache_dir=tmp_path, backend="int8").model_name.endswith("-int8")
    assert not Embedder(cache_dir=tmp_path, backend="onnx").model_name.endswith("-int8")
    assert Embedder(model=object(), cache_dir=tmp_path, backend="int8").model_name == "all-MiniLM-L6-v2"


@pytest.mark.slow
def test_default_backend_gives_the_reference_vectors():
    texts = PROBES + ["A longer comment, with several clauses, that pads the batch well past the short ones."] * 3
    default = load_backend("auto").encode(texts, batch_size=4)
    reference = load_backend("torch").encode(texts, batch_size=4)
    assert default.shape == reference.shape == (len(texts), 384)
    assert float((default * reference).sum(axis=1).min()) >= 0.999
    assert np.allclose(np.linalg.norm(default, axis=1), 1.0, atol=1e-4)
