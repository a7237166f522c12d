"""Back office for verification codes: who asked for what and when, read only. The codes
themselves are never shown: only their hashes are kept."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from sharemall.verification.models import VerificationCode


@admin.register(VerificationCode)
class VerificationCodeAdmin(admin.ModelAdmin):
    list_display = (
        "phone",
        "purpose",
        "delivered",
        "created_at",
        "expires_at",
        "attempts",
        "used_at",
        "address",
    )
    list_filter = ("purpose", "delivered")
    search_fields = ("phone",)
    ordering = ("-created_at",)
    fields = (
        "phone",
        "purpose",
        "delivered",
        "created_at",
        "expires_at",
        "attempts",
        "used_at",
        "address",
        "message_id",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
