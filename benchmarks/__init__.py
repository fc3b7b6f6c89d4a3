"""Benchmarks: `make bench` (or `python -m benchmarks`). Results are ratios measured side by side."""
