"""Load on loopback: 20 concurrent API clients x 50 decisions end with exactly 1,000 recorded."""
from __future__ import annotations

import pytest

pytest.importorskip("uvicorn")
from benchmarks.bench_serve import main, run


def test_twenty_clients_fifty_decisions_each_lose_and_double_nothing(tmp_path):
    r = run(clients=20, decisions=50, folder=str(tmp_path))
    assert r["posts"] == 1000 and r["created"] == 1000 and r["other"] == 0
    assert r["recorded"] == 1000 and r["own_ok"] and r["shared_ok"]


def test_the_benchmark_command_checks_its_counts(capsys):
    assert main(["--clients", "3", "--decisions", "12"]) == 0
    assert "36 recorded (201)" in capsys.readouterr().out
