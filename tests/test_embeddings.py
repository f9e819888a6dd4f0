"""The shared encoder: each text embedded once, and a rerun served from the disk cache."""

import numpy as np

from discourse.embeddings import Embedder


class FakeModel:
    def __init__(self):
        self.calls = []

    def encode(self, texts, **kwargs):
        self.calls.append(list(texts))
        return np.array([[len(t), 1.0, 0.0] for t in texts], dtype=np.float32)


def test_each_text_is_embedded_once_and_cached_on_disk(tmp_path):
    model = FakeModel()
    emb = Embedder(model=model, cache_dir=tmp_path)
    v = emb.encode(["a", "bb", "a"])
    assert v.shape == (3, 3)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0)
    assert model.calls == [["a", "bb"]]  # the repeated text went through the model once
    emb.encode(["bb"])
    assert len(model.calls) == 1  # memory cache

    rerun_model = FakeModel()
    rerun = Embedder(model=rerun_model, cache_dir=tmp_path)
    assert np.allclose(rerun.encode(["a", "bb"]), v[:2])
    assert rerun_model.calls == []  # a rerun skips the encoder
    assert rerun.encoded == 0


def test_unreadable_cache_shard_is_ignored(tmp_path):
    emb = Embedder(model=FakeModel(), cache_dir=tmp_path)
    emb.encode(["x"])
    for shard in (tmp_path / "embeddings").rglob("*.npz"):
        shard.write_bytes(b"not an npz")
    again = Embedder(model=FakeModel(), cache_dir=tmp_path)
    assert again.encode(["x"]).shape == (1, 3)


def test_rows_from_several_blocks_come_back_in_order(tmp_path):
    model = FakeModel()
    emb = Embedder(model=model, cache_dir=tmp_path, use_disk_cache=False)
    batches = [["a", "bbb"], ["cc", "dddd", "e"], ["ffffff"]]
    for batch in batches:  # one block per call that meets new texts
        emb.encode(batch)
    assert len(emb._blocks) == 3
    order = ["ffffff", "a", "dddd", "a", "cc", "bbb", "e", "ffffff"]
    got = emb.encode(order)
    assert np.allclose(got[:, 0] / got[:, 1], [len(t) for t in order])
    emb.encode(["ggggggg"] + order)  # a block added after the first reads
    assert np.allclose(emb.encode(order), got)
