"""Share targets that other apps own, plugged in by type.

Sharing knows products, stores and sub-stores itself. A target that belongs to a feature built
on top of sharing (an experience post, later a group-buy) registers a `ShareTarget` under its
type from its app's `ready()`, so sharing can check and draw it without importing that app: the
dependency runs one way, from the feature to sharing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class PosterSubject:
    """What a share poster shows."""

    title: str
    subtitle: str = ""
    price_fen: int | None = None
    price_varies: bool = False
    photo: bytes | None = None


class ShareTarget(Protocol):
    def check_shareable(self, target_id: int) -> None:
        """Raise `NotFound` unless the target exists and anyone may see it."""

    def poster_subject(self, target_id: int, nickname: str) -> PosterSubject | None:
        """What the target's poster shows, or None when it is gone or hidden."""


_registry: dict[str, ShareTarget] = {}


def register(target_type: str, target: ShareTarget) -> None:
    _registry[target_type] = target


def registered(target_type: str) -> ShareTarget | None:
    return _registry.get(target_type)
