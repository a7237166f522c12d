"""Banners in the Django admin. The back office's banner page is the usual way to keep them
(its uploads are cleaned); here operators can review and correct titles, links and windows."""

from __future__ import annotations

from django.contrib import admin

from sharemall.showcase.models import Banner


@admin.register(Banner)
class BannerAdmin(admin.ModelAdmin):
    list_display = ("title", "position", "is_active", "starts_at", "ends_at", "link_url")
    list_editable = ("position", "is_active")
    list_filter = ("is_active",)
    search_fields = ("title", "link_url")
    readonly_fields = ("image", "width", "height", "created_at", "updated_at")
    fields = (
        "title",
        "image",
        "link_url",
        "position",
        "is_active",
        "starts_at",
        "ends_at",
        "width",
        "height",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request: object) -> bool:
        return False  # added from the back office's banner page, where uploads are cleaned
