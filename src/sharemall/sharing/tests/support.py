"""Builders shared by the sharing tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sharemall.accounts.models import Member
from sharemall.merchants import services as merchant_services
from sharemall.merchants.models import Merchant, Store
from sharemall.platform import services as platform

# 12:00 in Shanghai: far from either end of the share day.
NOON = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)


def offline_store(m: Merchant, **fields: Any) -> Store:
    return merchant_services.store_create(
        m,
        kind="offline",
        name=fields.get("name", "南山店"),
        region_code="440305",
        address="科技园路 1 号",
        latitude=22.54,
        longitude=113.95,
    )


def set_rules(**changes: Any) -> None:
    platform.settings_update(changes, actor=None)


def distributor(member: Member) -> Member:
    member.is_distributor = True
    member.save(update_fields=["is_distributor"])
    return member
