"""Benchmarks: whole-pipeline throughput and memory, run from a checkout with ``python -m benchmarks.NAME``."""
