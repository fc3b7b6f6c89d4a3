"""Benchmarks: `make bench` (or `python -m benchmarks`); results are side-by-side ratios."""
