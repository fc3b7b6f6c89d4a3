"""Models of the directories family."""

from __future__ import annotations

__all__: list[str] = []
