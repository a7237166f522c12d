"""Freight templates in the Django admin, to look at only: merchants keep them in their console
or through the API, where every rule is checked as a whole before anything is written."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from sharemall.freight.models import FreightRule, FreightTemplate


class FreightRuleInline(admin.TabularInline):
    model = FreightRule
    fields = ("position", "region_codes", "first_units", "first_fen", "extra_units", "extra_fen")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(FreightTemplate)
class FreightTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "merchant", "by", "free_over_fen", "updated_at")
    list_filter = ("by",)
    search_fields = ("name", "merchant__legal_name")
    readonly_fields = (
        "merchant",
        "name",
        "by",
        "free_over_fen",
        "no_delivery_region_codes",
        "created_at",
        "updated_at",
    )
    fields = readonly_fields
    inlines = (FreightRuleInline,)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
