"""Models of the tools family."""

from __future__ import annotations

__all__: list[str] = []
