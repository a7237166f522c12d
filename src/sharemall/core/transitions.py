"""Declared state machines applied as conditional updates, each move with its event row.

Correctness never rests on row locks (SQLite ignores SELECT … FOR UPDATE): a change is an
`UPDATE … WHERE pk = <id> AND status = <from>` and the row count tells whether this caller won
the race. The event row (a `core.models.StatusEvent` subclass) is written in the same
transaction, so every state a row ever had is on record with who moved it, and a lost race
writes nothing. See docs/adr/0010-transitions-and-status-events.md.

The pure rules modules declare their machines here, so this module imports no Django: the
writes themselves belong to a `MoveStore` that the core app installs when Django is ready
(`CoreConfig.ready()` installs `core.transition_store.DatabaseMoves`), the same way the
translator is installed in `core.i18n`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, Self, TypeVar

from sharemall.core.errors import InvalidTransition
from sharemall.core.i18n import gettext as _

Row = TypeVar("Row")


class Rows(Protocol):
    """The part of a Django QuerySet a transition needs."""

    def filter(self, *args: Any, **kwargs: Any) -> Self: ...

    def update(self, **kwargs: Any) -> int: ...


class MoveStore(Protocol):
    """Where moves are written: one conditional UPDATE plus its event rows, in one transaction."""

    def move(
        self,
        machine: StateMachine,
        obj: Any,
        source: str,
        to: str,
        *,
        actor: Any,
        note: str,
        event: Mapping[str, Any] | None,
        updates: Mapping[str, Any],
    ) -> None: ...

    def move_many(
        self,
        machine: StateMachine,
        queryset: Any,
        source: str,
        to: str,
        *,
        actor: Any,
        note: str,
        updates: Mapping[str, Any],
    ) -> list[int]: ...


class _NoStore:
    def move(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("No move store installed: the core app is not ready.")

    def move_many(self, *args: Any, **kwargs: Any) -> list[int]:
        raise RuntimeError("No move store installed: the core app is not ready.")


_store: MoveStore = _NoStore()


def use_store(store: MoveStore) -> None:
    global _store  # noqa: PLW0603 - installed once, when the app registry is ready
    _store = store


class StateMachine:
    """A named transition table; with `event_model` ("app_label.Model", resolved when a move is
    written) and `event_fk` (the event's foreign key to the moving row), `move`/`move_many`
    also write the event rows."""

    def __init__(
        self,
        name: str,
        transitions: Mapping[str, set[str]],
        *,
        event_model: str | None = None,
        event_fk: str | None = None,
        field: str = "status",
    ) -> None:
        self.name = name
        self.transitions = {source: frozenset(targets) for source, targets in transitions.items()}
        self.event_model_label = event_model
        self.event_fk = event_fk
        self.field = field

    def check(self, source: str, target: str) -> None:
        if target not in self.transitions.get(source, frozenset()):
            raise InvalidTransition(
                _("This %(name)s cannot go from %(source)s to %(target)s.")
                % {"name": self.name, "source": source, "target": target},
                details={"from": source, "to": target},
            )

    def changed_meanwhile(self, current: str, target: str) -> InvalidTransition:
        return InvalidTransition(
            _("This %(name)s is no longer %(status)s: it was changed meanwhile.")
            % {"name": self.name, "status": current},
            details={"from": current, "to": target},
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
        """Move the rows of `queryset` that are still in `current` to `target`, or raise.
        Writes no event: for machines without an event table (use `move` otherwise)."""
        self.check(current, target)
        updated = queryset.filter(**{field: current}).update(**{field: target}, **other_updates)
        if updated == 0:
            raise self.changed_meanwhile(current, target)

    def move(
        self,
        obj: Row,
        to: str,
        *,
        actor: Any = None,
        note: str = "",
        event: Mapping[str, Any] | None = None,
        **updates: Any,
    ) -> Row:
        """Move `obj` from the status it holds in memory to `to`, with `updates` in the same
        UPDATE, and record the event (`event`: the event table's own further columns).
        Raises InvalidTransition when the move is not declared or when the row is no longer in
        that status (someone moved it meanwhile: nothing is written). `obj` then holds the new
        status and `updates`."""
        source = getattr(obj, self.field)
        self.check(source, to)
        _store.move(self, obj, source, to, actor=actor, note=note, event=event, updates=updates)
        return obj

    def move_many(
        self,
        queryset: Any,
        source: str,
        to: str,
        *,
        actor: Any = None,
        note: str = "",
        **updates: Any,
    ) -> list[int]:
        """Move every row of `queryset` still in `source` to `to`; one event per row moved.
        Returns the ids this call moved: a row another transaction moved first is neither
        updated nor given an event here."""
        self.check(source, to)
        return _store.move_many(self, queryset, source, to, actor=actor, note=note, updates=updates)
