"""Promotions in the Django admin, to look at only: merchants set their tools up in the console
or through the API, where every rule is checked."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from sharemall.promotions.models import BargainDeviceFlag, BargainHelp, BargainRun


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(BargainDeviceFlag)
class BargainDeviceFlagAdmin(_ReadOnly):
    """Devices refused for helping more bargain runs in a day than one person plausibly would."""

    list_display = (
        "device_id",
        "runs_helped",
        "refusals",
        "last_member",
        "last_ip",
        "flagged_at",
        "last_refused_at",
    )
    search_fields = ("device_id", "last_member__phone", "last_member__nickname")


class BargainHelpInline(admin.TabularInline):
    model = BargainHelp
    fields = ("seq", "helper", "cut_fen", "price_after_fen", "device_id", "ip", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(BargainRun)
class BargainRunAdmin(_ReadOnly):
    list_display = (
        "id",
        "bargain",
        "starter",
        "status",
        "helps",
        "helpers_needed",
        "current_price_fen",
        "expires_at",
    )
    list_filter = ("status",)
    search_fields = ("share_code", "starter__phone")
    inlines = (BargainHelpInline,)
