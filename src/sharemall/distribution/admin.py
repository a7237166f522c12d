from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sharemall.core.errors import DomainError
from sharemall.distribution import services
from sharemall.distribution.models import CommissionEntry, CommissionPlan, RegionAgent


@admin.register(CommissionEntry)
class CommissionEntryAdmin(admin.ModelAdmin):
    """The fraud review queue: filter by status "held", then release or reject."""

    list_display = (
        "id",
        "beneficiary",
        "order",
        "level",
        "amount_fen",
        "status",
        "reason",
        "created_at",
    )
    list_filter = ("status", "kind", "level")
    search_fields = ("beneficiary__phone", "reason")
    readonly_fields = [f.name for f in CommissionEntry._meta.fields]
    actions = ("release", "reject")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Release held commissions"))
    def release(self, request: HttpRequest, queryset: QuerySet[CommissionEntry]) -> None:
        for entry in queryset:
            try:
                services.hold_release(entry, operator=request.user, note="back office")  # type: ignore[arg-type]
            except DomainError as exc:
                messages.error(request, f"{entry.pk}: {exc.message}")

    @admin.action(description=_("Reject held commissions (brushing or self-referral)"))
    def reject(self, request: HttpRequest, queryset: QuerySet[CommissionEntry]) -> None:
        for entry in queryset:
            try:
                services.hold_reject(
                    entry,
                    operator=request.user,  # type: ignore[arg-type]
                    reason=str(_("Rejected in back office review")),
                )
            except DomainError as exc:
                messages.error(request, f"{entry.pk}: {exc.message}")


@admin.register(CommissionPlan)
class CommissionPlanAdmin(admin.ModelAdmin):
    list_display = (
        "merchant",
        "product",
        "sku",
        "unit",
        "share_budget",
        "buyer_discount",
        "level1",
        "level2",
        "level3",
        "region_agent",
    )
    readonly_fields = [f.name for f in CommissionPlan._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(RegionAgent)
class RegionAgentAdmin(admin.ModelAdmin):
    list_display = ("member", "region_code", "is_active", "created_at")
    list_filter = ("is_active",)
