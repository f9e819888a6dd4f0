"""The parser links replies with the sentence encoder it is given, and fetches no other."""

import numpy as np
import pytest

from discourse.parse import parse_page
from discourse.readers import read_threads

PAGE = """Drones over the Baltic: what the navy saw

The navy reported three drones over the port on Tuesday night.

Alice
The drones came from the east, that much is clear.
Bob
They came from a ship in the harbour, the report says so.
Carol
Nobody has said where they came from yet.
"""


class CountingEncoder:
    """Bag-of-letters vectors, unit length; counts the texts it was asked for."""

    def __init__(self):
        self.texts = 0

    def encode(self, texts):
        self.texts += len(texts)
        out = np.zeros((len(texts), 26), dtype=np.float32)
        for i, t in enumerate(texts):
            for ch in t.lower():
                if "a" <= ch <= "z":
                    out[i, ord(ch) - 97] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


@pytest.fixture
def no_other_encoder(monkeypatch):
    """Fail if the parser makes an encoder of its own."""
    import discourse.embeddings as emb

    def refuse(*args, **kwargs):
        raise AssertionError("the parser made its own encoder")

    monkeypatch.setattr(emb.Embedder, "__init__", refuse)


def test_parse_page_uses_the_encoder_it_is_given(no_other_encoder):
    enc = CountingEncoder()
    thread = parse_page(PAGE, embedder=enc)
    assert [c.author for c in thread.comments] == ["Alice", "Bob", "Carol"]
    assert enc.texts == 4  # three comments and the article


def test_read_threads_passes_one_encoder_to_every_page(tmp_path, no_other_encoder):
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(PAGE, encoding="utf-8")
    enc = CountingEncoder()
    threads = read_threads([tmp_path], embedder=enc)
    assert len(threads) == 2 and enc.texts == 8


def test_no_encoder_without_semantic(no_other_encoder):
    assert len(parse_page(PAGE, semantic=False).comments) == 3
