"""Models of the mcp family."""

from __future__ import annotations

__all__: list[str] = []
