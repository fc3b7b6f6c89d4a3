"""Models of the passwordless family."""

from __future__ import annotations

__all__: list[str] = []
