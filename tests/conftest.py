import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
THREADS = ROOT / "threads"
SHARED_DATA = ROOT.parent / "shared" / "data"

#: Short texts that exercise the fast paths of the text analyses: repeated sentences, slogans,
#: loaded labels, a figure, non-ASCII letters that change under lower-casing, an empty text.
TRICKY_TEXTS = [
    "We will never forgive. We will never forget, we will never forget!",
    "Putin's regime lies. Putin's regime lies.\nSource? The so-called 'referendum' was a sham.",
    "Either we stop them now or they come for us. If we let them win, then Europe falls, then NATO.",
    "The economy shrank by 3% as inflation rose. The economy shrank by 3% as inflation rose.",
    "ΟΔΟΣ Σ. İstanbul don’t care. The Kiev regime and the collective West!!! #StandWithUkraine",
    "",
    "Well said. Well said. Well said.",
]

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
