"""WeChat in the Django admin, read-only: operators look up a follower, an event WeChat pushed,
a QR code or a merchant's connected account here. Changes go through the pages and the API
(the back office's WeChat page for subscribe templates; a merchant's console for its account)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sharemall.wechat.models import (
    MerchantWechatAccount,
    MerchantWechatEvent,
    OaEvent,
    OaFollower,
    OaQrCode,
    SubscribeTemplate,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OaFollower)
class OaFollowerAdmin(ReadOnlyAdmin):
    list_display = ("openid", "app_id", "member", "subscribed", "subscribed_at", "changed_at")
    list_filter = ("subscribed", "app_id")
    search_fields = ("openid", "member__nickname")
    raw_id_fields = ("member",)


@admin.register(OaEvent)
class OaEventAdmin(ReadOnlyAdmin):
    list_display = ("key", "openid", "app_id", "scene", "member", "create_time")
    list_filter = ("key", "app_id")
    search_fields = ("openid", "scene")
    raw_id_fields = ("member",)


@admin.register(OaQrCode)
class OaQrCodeAdmin(ReadOnlyAdmin):
    list_display = ("link", "app_id", "expires_at", "created_at")
    search_fields = ("link__code",)
    raw_id_fields = ("link",)


class MerchantWechatEventInline(admin.TabularInline):
    model = MerchantWechatEvent
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "actor", "note", "created_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MerchantWechatAccount)
class MerchantWechatAccountAdmin(ReadOnlyAdmin):
    list_display = ("nickname", "merchant", "app_id", "original_id", "certified", "status")
    list_filter = ("status", "certified")
    search_fields = ("nickname", "app_id", "original_id", "merchant__legal_name")
    exclude = ("refresh_token",)  # a secret: never shown
    inlines = (MerchantWechatEventInline,)


@admin.register(SubscribeTemplate)
class SubscribeTemplateAdmin(ReadOnlyAdmin):
    list_display = ("kind", "app", "template_id", "enabled", "updated_at")
    list_filter = ("app", "enabled")
