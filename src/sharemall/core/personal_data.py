"""Where apps plug their part of a member's personal data into export and account closing
(PIPL: the right to a copy, and erasure on closing an account).

The privacy app sits above most apps and reads them directly. An app below it that keeps
personal data of its own and is not read by privacy (the address book, for one) registers an
`export(member) -> JSON-able` and an `erase(member) -> None` here from its AppConfig.ready(), so
privacy never imports it. `erase` runs inside the closing transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Provider:
    export: Callable[[Any], Any]
    erase: Callable[[Any], None]


_providers: dict[str, Provider] = {}


def register(name: str, *, export: Callable[[Any], Any], erase: Callable[[Any], None]) -> None:
    """Register (or replace) the provider `name`; its export appears under that key."""
    _providers[name] = Provider(export=export, erase=erase)


def providers() -> dict[str, Provider]:
    return dict(_providers)
