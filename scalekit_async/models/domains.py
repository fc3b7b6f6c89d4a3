"""Models of the domains family."""

from __future__ import annotations

__all__: list[str] = []
