"""Models of the events family."""

from __future__ import annotations

__all__: list[str] = []
