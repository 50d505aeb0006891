"""Benchmarks on synthetic data (``make bench``; docs/PERFORMANCE.md)."""
