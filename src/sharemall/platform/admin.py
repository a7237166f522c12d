from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from sharemall.core.errors import DomainError
from sharemall.platform import rules, services
from sharemall.platform.models import PlatformSettings, SettingsChange


@admin.register(PlatformSettings)
class PlatformSettingsAdmin(admin.ModelAdmin):
    """The platform rules in the back office; every save goes through the same checks and
    history as the API (max_levels is never above 3)."""

    list_display = (
        "max_levels",
        "distribution_mode",
        "binding_mode",
        "share_daily_cap",
        "share_device_daily_cap",
        "share_ip_daily_cap",
        "share_budget_cap_bp",
        "settlement_delay_days",
        "quality_guarantee_days",
        "updated_at",
    )
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: PlatformSettings, form: Any, change: bool
    ) -> None:
        changes = {name: getattr(obj, name) for name in services.FIELDS}
        try:
            services.settings_update(changes, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return
        for warning in rules.warnings(changes):
            messages.warning(request, warning)


@admin.register(SettingsChange)
class SettingsChangeAdmin(admin.ModelAdmin):
    list_display = ("created_at", "changed_by", "changes")
    readonly_fields = ("created_at", "changed_by", "changes")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
