"""Declared state machines applied as conditional updates, each move with its event row.

Correctness never rests on row locks (SQLite ignores SELECT … FOR UPDATE): a change is an
`UPDATE … WHERE pk = <id> AND status = <from>` and the row count tells whether this caller won
the race. The event row (a `core.models.StatusEvent` subclass) is written in the same
transaction, so every state a row ever had is on record with who moved it, and a lost race
writes nothing. See docs/adr/0010-transitions-and-status-events.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models.sql import UpdateQuery
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.core.errors import InvalidTransition


class StateMachine:
    """A named transition table; with `event_model` ("app_label.Model", resolved lazily so
    pure rules modules can declare machines) and `event_fk` (the event's foreign key to the
    moving row), `move`/`move_many` also write the event rows."""

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

    def sources_for(self, target: str) -> list[str]:
        return sorted(s for s, targets in self.transitions.items() if target in targets)

    def check(self, source: str, target: str) -> None:
        if target not in self.transitions.get(source, frozenset()):
            raise InvalidTransition(
                _("This %(name)s cannot go from %(source)s to %(target)s.")
                % {"name": self.name, "source": source, "target": target},
                details={"from": source, "to": target},
            )

    def _changed_meanwhile(self, current: str, target: str) -> InvalidTransition:
        return InvalidTransition(
            _("This %(name)s is no longer %(status)s: it was changed meanwhile.")
            % {"name": self.name, "status": current},
            details={"from": current, "to": target},
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
        """Move the rows of `queryset` that are still in `current` to `target`, or raise.
        Writes no event: for machines without an event table (use `move` otherwise)."""
        self.check(current, target)
        updated = queryset.filter(**{field: current}).update(**{field: target}, **other_updates)
        if updated == 0:
            raise self._changed_meanwhile(current, target)

    # --- with event rows ---------------------------------------------------------------------

    def _event_model(self) -> type[models.Model]:
        if self.event_model_label is None or self.event_fk is None:
            raise TypeError(f"The {self.name} machine declares no event model.")
        return apps.get_model(self.event_model_label)

    def _event(
        self,
        row_id: int,
        source: str,
        target: str,
        *,
        actor: Any,
        note: str,
        at: Any,
        extra: Mapping[str, Any] | None = None,
    ) -> models.Model:
        model = self._event_model()
        return model(
            **{f"{self.event_fk}_id": row_id},
            **(extra or {}),
            from_status=source,
            to_status=target,
            actor=actor,
            note=note[: getattr(model._meta.get_field("note"), "max_length", None) or len(note)],
            created_at=at,
        )

    def move(
        self,
        obj: models.Model,
        to: str,
        *,
        actor: Any = None,
        note: str = "",
        event: Mapping[str, Any] | None = None,
        **updates: Any,
    ) -> models.Model:
        """Move `obj` from the status it holds in memory to `to`, with `updates` in the same
        UPDATE, and record the event (`event`: the event table's own further columns).
        Raises InvalidTransition when the move is not declared
        or when the row is no longer in that status (someone moved it meanwhile: nothing is
        written). `obj` then holds the new status and `updates`."""
        source = getattr(obj, self.field)
        self.check(source, to)
        model = type(obj)
        with transaction.atomic():
            moved = model._default_manager.filter(pk=obj.pk, **{self.field: source}).update(
                **{self.field: to}, **updates
            )
            if moved != 1:
                raise self._changed_meanwhile(source, to)
            self._event(
                obj.pk, source, to, actor=actor, note=note, at=timezone.now(), extra=event
            ).save(force_insert=True)
        setattr(obj, self.field, to)
        for name, value in updates.items():
            if not isinstance(value, models.expressions.Combinable):
                setattr(obj, name, value)
        if any(isinstance(v, models.expressions.Combinable) for v in updates.values()):
            obj.refresh_from_db(fields=list(updates))
        return obj

    def move_many(
        self,
        queryset: models.QuerySet[Any],
        source: str,
        to: str,
        *,
        actor: Any = None,
        note: str = "",
        **updates: Any,
    ) -> list[int]:
        """Move every row of `queryset` still in `source` to `to`; one event per row moved.

        Returns the ids this call moved: a row another transaction moved first is neither
        updated nor given an event here. On PostgreSQL the ids come from the UPDATE itself
        (RETURNING); elsewhere writes are serial (SQLite), so the ids selected inside the
        transaction are the ones the conditional update then moves, which the count checks."""
        self.check(source, to)
        with transaction.atomic():
            candidates = queryset.filter(**{self.field: source})
            if connection.vendor == "postgresql":
                ids = _update_returning_ids(candidates, {self.field: to, **updates})
            else:
                ids = list(candidates.order_by("pk").values_list("pk", flat=True))
                if ids:
                    moved = candidates.filter(pk__in=ids).update(**{self.field: to}, **updates)
                    if moved != len(ids):
                        raise self._changed_meanwhile(source, to)
            if ids:
                now = timezone.now()
                self._event_model()._default_manager.bulk_create(
                    [
                        self._event(pk, source, to, actor=actor, note=note, at=now)
                        for pk in sorted(ids)
                    ]
                )
        return sorted(ids)


def _update_returning_ids(candidates: models.QuerySet[Any], values: dict[str, Any]) -> list[int]:
    """`candidates.update(**values)` with RETURNING id, in one statement (PostgreSQL).

    Every condition of `candidates` (the status among them) sits in the UPDATE's own WHERE,
    so a row another transaction changed while this one waited for its lock is checked again
    and skipped."""
    query = cast(UpdateQuery, candidates.query.chain(UpdateQuery))
    query.add_update_values(values)
    compiler = query.get_compiler(using=candidates.db)
    sql, params = compiler.as_sql()
    if not sql:
        return []
    pk_column = connection.ops.quote_name(candidates.model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {pk_column}", params)
        return [row[0] for row in cursor.fetchall()]
