"""Models of the api clients family."""

from __future__ import annotations

__all__: list[str] = []
