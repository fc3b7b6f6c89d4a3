"""Run every benchmark: ``python -m benchmarks`` (``make bench``)."""

from __future__ import annotations

from benchmarks import throughput

if __name__ == "__main__":
    throughput.main()
