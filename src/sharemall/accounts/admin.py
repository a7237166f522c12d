"""Back office for members. Members sign themselves up (operators with `create_operator`), so
the admin never creates one, never shows a password, and keeps the phone as registered."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sharemall.accounts.models import ApiToken, Member, MemberDevice

admin.site.site_header = _("ShareMall platform back office")
admin.site.site_title = _("ShareMall back office")
admin.site.index_title = _("Platform administration")


class MemberChangeForm(UserChangeForm):
    class Meta:
        model = Member
        fields = "__all__"
        field_classes: dict[str, type] = {}


class ApiTokenInline(admin.TabularInline):
    model = ApiToken
    extra = 0
    can_delete = False
    fields = ("label", "created_at", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    verbose_name_plural = _("API tokens (only their hashes are kept)")

    def has_add_permission(self, request: HttpRequest, obj: Member | None = None) -> bool:
        return False


class MemberDeviceInline(admin.TabularInline):
    """The devices the member was seen on, for judging a fraud hold: another account on the
    same device is the usual sign of self-referral."""

    model = MemberDevice
    extra = 0
    can_delete = False
    fields = ("device_id", "first_seen", "last_seen", "last_ip")
    readonly_fields = fields
    ordering = ("-last_seen",)
    verbose_name_plural = _("devices seen (cookie, app or WeChat)")

    def has_add_permission(self, request: HttpRequest, obj: Member | None = None) -> bool:
        return False


@admin.register(Member)
class MemberAdmin(UserAdmin):
    form = MemberChangeForm
    list_display = (
        "phone",
        "nickname",
        "is_distributor",
        "is_operator",
        "is_staff",
        "is_active",
        "date_joined",
    )
    list_filter = ("is_active", "is_distributor", "is_operator", "is_staff")
    search_fields = ("phone", "nickname")
    ordering = ("-date_joined",)
    raw_id_fields = ("parent",)
    readonly_fields = ("phone", "last_login", "date_joined", "signup_device", "signup_ip")
    fieldsets = (
        (None, {"fields": ("phone", "nickname", "password")}),
        (_("Distribution"), {"fields": ("is_distributor", "parent", "bound_until")}),
        (
            _("Access"),
            {
                "fields": (
                    "is_active",
                    "is_operator",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (
            _("Sign-in history"),
            {"fields": ("date_joined", "signup_device", "signup_ip", "last_login")},
        ),
    )
    inlines = (MemberDeviceInline, ApiTokenInline)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
