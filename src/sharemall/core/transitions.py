"""Declared state machines applied as conditional updates.

Correctness never rests on row locks (SQLite ignores SELECT … FOR UPDATE): a change is an
`UPDATE … WHERE status = <from>` and the row count tells whether this caller won the race.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, Self

from sharemall.core.errors import InvalidTransition
from sharemall.core.i18n import gettext as _


class Rows(Protocol):
    """The part of a Django QuerySet a transition needs; this module imports no Django, so the
    rules that declare their state machines here stay pure."""

    def filter(self, *args: Any, **kwargs: Any) -> Self: ...

    def update(self, **kwargs: Any) -> int: ...


class StateMachine:
    def __init__(self, name: str, transitions: Mapping[str, set[str]]) -> None:
        self.name = name
        self.transitions = {source: frozenset(targets) for source, targets in transitions.items()}

    def sources_for(self, target: str) -> list[str]:
        return sorted(s for s, targets in self.transitions.items() if target in targets)

    def check(self, source: str, target: str) -> None:
        if target not in self.transitions.get(source, frozenset()):
            raise InvalidTransition(
                _("This %(name)s cannot go from %(source)s to %(target)s.")
                % {"name": self.name, "source": source, "target": target},
                details={"from": source, "to": target},
            )

    def apply(
        self,
        queryset: Rows,
        *,
        current: str,
        target: str,
        field: str = "status",
        **other_updates: Any,
    ) -> None:
        """Move the rows of `queryset` that are still in `current` to `target`, or raise."""
        self.check(current, target)
        updated = queryset.filter(**{field: current}).update(**{field: target}, **other_updates)
        if updated == 0:
            raise InvalidTransition(
                _("This %(name)s is no longer %(status)s: it was changed meanwhile.")
                % {"name": self.name, "status": current},
                details={"from": current, "to": target},
            )
