"""Declared state machines applied as conditional updates.

Correctness never rests on row locks (SQLite ignores SELECT … FOR UPDATE): a change is an
`UPDATE … WHERE status = <from>` and the row count tells whether this caller won the race.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from sharemall.core.errors import InvalidTransition


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
        queryset: models.QuerySet[Any],
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
