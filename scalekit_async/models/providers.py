"""Models of the providers family."""

from __future__ import annotations

__all__: list[str] = []
