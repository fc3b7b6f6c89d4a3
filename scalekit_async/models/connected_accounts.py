"""Models of the connected accounts family."""

from __future__ import annotations

__all__: list[str] = []
