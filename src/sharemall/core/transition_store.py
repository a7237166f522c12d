"""The database side of `core.transitions`: each move is one conditional UPDATE and its event
rows, in one transaction. Installed by `CoreConfig.ready()`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models.expressions import Combinable
from django.db.models.sql import UpdateQuery
from django.utils import timezone

from sharemall.core.transitions import StateMachine


class DatabaseMoves:
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
    ) -> None:
        model = type(obj)
        with transaction.atomic():
            moved = model._default_manager.filter(pk=obj.pk, **{machine.field: source}).update(
                **{machine.field: to}, **updates
            )
            if moved != 1:
                raise machine.changed_meanwhile(source, to)
            _event(
                machine, obj.pk, source, to, actor=actor, note=note, at=timezone.now(), extra=event
            ).save(force_insert=True)
        setattr(obj, machine.field, to)
        computed = [name for name, v in updates.items() if isinstance(v, Combinable)]
        for name, value in updates.items():
            if name not in computed:
                setattr(obj, name, value)
        if computed:
            obj.refresh_from_db(fields=computed)

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
    ) -> list[int]:
        """On PostgreSQL the ids come from the UPDATE itself (RETURNING); elsewhere writes are
        serial (SQLite), so the ids selected inside the transaction are the ones the
        conditional update then moves, which the count checks."""
        with transaction.atomic():
            candidates = queryset.filter(**{machine.field: source})
            if connection.vendor == "postgresql":
                ids = _update_returning_ids(candidates, {machine.field: to, **updates})
            else:
                ids = list(candidates.order_by("pk").values_list("pk", flat=True))
                if ids:
                    moved = candidates.filter(pk__in=ids).update(**{machine.field: to}, **updates)
                    if moved != len(ids):
                        raise machine.changed_meanwhile(source, to)
            if ids:
                now = timezone.now()
                _event_model(machine)._default_manager.bulk_create(
                    [
                        _event(machine, pk, source, to, actor=actor, note=note, at=now)
                        for pk in sorted(ids)
                    ]
                )
        return sorted(ids)


def _event_model(machine: StateMachine) -> type[models.Model]:
    if machine.event_model_label is None or machine.event_fk is None:
        raise TypeError(f"The {machine.name} machine declares no event model.")
    return apps.get_model(machine.event_model_label)


def _event(
    machine: StateMachine,
    row_id: int,
    source: str,
    target: str,
    *,
    actor: Any,
    note: str,
    at: Any,
    extra: Mapping[str, Any] | None = None,
) -> models.Model:
    model = _event_model(machine)
    note_length = getattr(model._meta.get_field("note"), "max_length", None)
    return model(
        **{f"{machine.event_fk}_id": row_id},
        **(extra or {}),
        from_status=source,
        to_status=target,
        actor=actor,
        note=note[:note_length] if note_length else note,
        created_at=at,
    )


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
