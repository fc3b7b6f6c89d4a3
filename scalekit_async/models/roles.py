"""Models of the roles family."""

from __future__ import annotations

__all__: list[str] = []
