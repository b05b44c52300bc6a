"""Benchmark scripts, run as modules (``python -m gdlab.bench.<name>``); never imported by tests."""
