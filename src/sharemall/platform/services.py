"""Reading and changing the platform rules."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from sharemall.platform import rules
from sharemall.platform.models import PlatformSettings, SettingsChange

FIELDS = tuple(rules.DEFAULTS)


def current() -> PlatformSettings:
    """The rules in force (the row is made with the defaults on first read)."""
    found = PlatformSettings.objects.filter(pk=1).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return PlatformSettings.objects.create(pk=1)
    except IntegrityError:
        return PlatformSettings.objects.get(pk=1)


def as_dict(row: PlatformSettings) -> dict[str, Any]:
    return {name: getattr(row, name) for name in FIELDS}


def settings_update(changes: dict[str, Any], *, actor: Any) -> PlatformSettings:
    """Apply a subset of the rules, checked as a whole, and record the change."""
    row = current()
    before = as_dict(row)
    after = {**before, **{k: v for k, v in changes.items() if k in FIELDS}}
    rules.check(after)
    diff = {k: [before[k], after[k]] for k in FIELDS if before[k] != after[k]}
    if not diff:
        return row
    with transaction.atomic():
        PlatformSettings.objects.filter(pk=1).update(**after, updated_at=timezone.now())
        SettingsChange.objects.create(changed_by=actor, changes=diff)
    row.refresh_from_db()
    return row
