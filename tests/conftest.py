import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
THREADS = ROOT / "threads"
SHARED_DATA = ROOT.parent / "shared" / "data"

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def thread_file(prefix: str) -> Path:
    return next(THREADS.glob(f"{prefix}_*.txt"))


@pytest.fixture(scope="session")
def stockholm_text() -> str:
    return thread_file("001").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Embedding caches go to a temporary folder, never the user's home."""
    monkeypatch.setenv("DISCOURSE_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))
