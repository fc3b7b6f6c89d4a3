"""Models of the users family."""

from __future__ import annotations

__all__: list[str] = []
