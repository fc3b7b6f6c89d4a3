"""The fake's permissions endpoints."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._fake import FakeScalekit

__all__ = ["install"]


def install(fake: FakeScalekit) -> None:
    """Route the permissions operations on *fake*."""
