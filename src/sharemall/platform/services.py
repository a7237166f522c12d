"""Reading and changing the platform rules."""

from __future__ import annotations

import copy
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from sharemall.core import versions
from sharemall.platform import rules
from sharemall.platform.models import PlatformSettings, SettingsChange

FIELDS = tuple(rules.DEFAULTS)


def _read() -> PlatformSettings:
    found = PlatformSettings.objects.filter(pk=1).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return PlatformSettings.objects.create(pk=1)
    except IntegrityError:
        return PlatformSettings.objects.get(pk=1)


# One entry (key None), under the `platform` version that settings_update bumps. Making the
# row on first read needs no bump: it holds the defaults, which is what was in force before.
_settings: versions.VersionedCache[None, PlatformSettings] = versions.VersionedCache(
    versions.PLATFORM, lambda keys: {None: _read()}
)


def current() -> PlatformSettings:
    """The rules in force (the row is made with the defaults on first read). In a request it
    comes from the process cache while the `platform` version is unchanged; each caller gets
    its own copy, so one that changes it (settings_update refreshes it) changes no other's."""
    return copy.copy(_settings.get(None))


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
        versions.bump(versions.PLATFORM)
        PlatformSettings.objects.filter(pk=1).update(**after, updated_at=timezone.now())
        SettingsChange.objects.create(changed_by=actor, changes=diff)
    row.refresh_from_db()
    return row
