"""Models of the auth logs family."""

from __future__ import annotations

__all__: list[str] = []
