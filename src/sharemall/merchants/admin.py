"""Back office for merchants. Operators review applications here; every decision goes through
the merchant services so it is checked against the state machine and leaves a MerchantEvent
naming the operator. Application fields are the merchant's own words: read-only here."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from sharemall.accounts.models import Member
from sharemall.core.errors import DomainError
from sharemall.merchants import services
from sharemall.merchants.models import Merchant, MerchantEvent, Staff, Store

REASON_TEMPLATE = "admin/sharemall/action_reason.html"


class ReadOnlyInline(admin.TabularInline):
    """History and dependants shown beside the merchant, never edited from here."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class MerchantEventInline(ReadOnlyInline):
    model = MerchantEvent
    fields = ("created_at", "from_status", "to_status", "actor", "note")
    readonly_fields = fields
    ordering = ("created_at", "id")
    verbose_name_plural = _("decision trail")


class StoreInline(ReadOnlyInline):
    model = Store
    fields = ("kind", "name", "region_code", "address", "phone", "is_active")
    readonly_fields = fields


class StaffInline(ReadOnlyInline):
    model = Staff
    fields = ("member", "role", "store", "added_at")
    readonly_fields = fields


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("The merchant sees this reason."),
    )


def _operator(request: HttpRequest) -> Member:
    user = request.user
    if not isinstance(user, Member):  # the admin is only reachable when signed in
        raise PermissionError("an operator must be signed in")
    return user


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "status", "uscc", "legal_rep", "contact_phone", "created_at")
    list_filter = ("status",)
    search_fields = ("legal_name", "uscc", "contact_phone", "owner__phone", "owner__nickname")
    list_select_related = ("owner",)
    ordering = ("-created_at",)
    date_hierarchy = "created_at"
    fields = (
        "legal_name",
        "uscc",
        "legal_rep",
        "contact_phone",
        "owner",
        "licence_image",
        "status",
        "rejection_reason",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = (MerchantEventInline, StoreInline, StaffInline)
    actions = ("approve", "reject", "suspend", "reinstate")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # merchants apply themselves

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # applications are kept for the record

    def _apply(
        self,
        request: HttpRequest,
        queryset: QuerySet[Merchant],
        decide: Callable[[Merchant, Member], object],
        done: Callable[[int], str],
    ) -> None:
        """Run one decision per merchant; a refused one is reported and the rest still run."""
        operator = _operator(request)
        count = 0
        for merchant in queryset:
            try:
                decide(merchant, operator)
            except DomainError as exc:
                self.message_user(request, f"{merchant}: {exc.message}", messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, done(count), messages.SUCCESS)

    def _with_reason(
        self,
        request: HttpRequest,
        queryset: QuerySet[Merchant],
        *,
        action: str,
        title: str,
        explanation: str,
        decide: Callable[[Merchant, Member, str], object],
        done: Callable[[int], str],
    ) -> TemplateResponse | None:
        """First ask for the reason on a page of its own, then decide with it."""
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            self._apply(request, queryset, lambda m, op: decide(m, op, reason), done)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "explanation": explanation,
            "submit_label": title,
            "form": form,
            "queryset": queryset,
            "action": action,
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, REASON_TEMPLATE, context)

    @admin.action(description=_("Approve the selected applications"), permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Merchant]) -> None:
        self._apply(
            request,
            queryset,
            lambda m, op: services.merchant_approve(m, operator=op),
            lambda n: (
                ngettext("Approved %(n)d merchant.", "Approved %(n)d merchants.", n) % {"n": n}
            ),
        )

    @admin.action(description=_("Reject the selected applications…"), permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Merchant]) -> TemplateResponse | None:
        return self._with_reason(
            request,
            queryset,
            action="reject",
            title=gettext("Reject applications"),
            explanation=gettext("Tell the applicants what to correct before they apply again."),
            decide=lambda m, op, why: services.merchant_reject(m, operator=op, reason=why),
            done=lambda n: (
                ngettext("Rejected %(n)d application.", "Rejected %(n)d applications.", n)
                % {"n": n}
            ),
        )

    @admin.action(description=_("Suspend the selected merchants…"), permissions=["change"])
    def suspend(
        self, request: HttpRequest, queryset: QuerySet[Merchant]
    ) -> TemplateResponse | None:
        return self._with_reason(
            request,
            queryset,
            action="suspend",
            title=gettext("Suspend merchants"),
            explanation=gettext(
                "A suspended merchant's products leave the storefront until it is reinstated."
            ),
            decide=lambda m, op, why: services.merchant_suspend(m, operator=op, reason=why),
            done=lambda n: (
                ngettext("Suspended %(n)d merchant.", "Suspended %(n)d merchants.", n) % {"n": n}
            ),
        )

    @admin.action(description=_("Reinstate the selected merchants"), permissions=["change"])
    def reinstate(self, request: HttpRequest, queryset: QuerySet[Merchant]) -> None:
        self._apply(
            request,
            queryset,
            lambda m, op: services.merchant_reinstate(m, operator=op),
            lambda n: (
                ngettext("Reinstated %(n)d merchant.", "Reinstated %(n)d merchants.", n) % {"n": n}
            ),
        )
