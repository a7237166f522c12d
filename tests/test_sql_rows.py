"""A hot path's column values (core.sql) skip a field's conversions only where they give the
value back unchanged, so its rows stay byte-for-byte what the ORM's INSERT writes."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    DateTimeField,
    DecimalField,
    Field,
    ForeignKey,
    IntegerField,
    JSONField,
    TextField,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from sharemall.core import sql

FIELDS = [
    f
    for model in apps.get_models()
    if model.__module__.startswith("sharemall.")
    for f in model._meta.concrete_fields
]
SKIPPED = [f for f in FIELDS if sql._as_is(f) is not None]

VALUES: dict[type, st.SearchStrategy[Any]] = {
    int: st.integers(min_value=-(2**63), max_value=2**63 - 1),
    str: st.text(st.characters(exclude_characters="\x00")),
    bool: st.booleans(),
}


def test_text_flags_and_references_are_skipped_and_converted_columns_are_not() -> None:
    assert {type(f) for f in SKIPPED} >= {CharField, TextField, BooleanField, ForeignKey}
    for f in FIELDS:
        # PostgreSQL's backend wraps integers in their column's own type (Int8, Int4...).
        if isinstance(f, DateTimeField | DecimalField | JSONField | IntegerField):
            assert sql._as_is(f) is None, f


@settings(max_examples=400)
@given(field=st.sampled_from(SKIPPED), data=st.data())
def test_a_skipped_field_writes_its_value_as_it_is(field: Field[Any, Any], data: Any) -> None:
    kind = sql._as_is(field)
    assert kind is not None
    value = data.draw(VALUES[kind])
    converted = field.get_db_prep_save(value, connection)
    assert converted == value and type(converted) is kind
    assert field.get_db_prep_save(None, connection) is None
