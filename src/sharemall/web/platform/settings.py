"""The platform's settings and their history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.platform import rules as platform_rules
from sharemall.platform import services as platform
from sharemall.platform.models import SettingsChange
from sharemall.web.access import operator_page
from sharemall.web.actions import run_action
from sharemall.web.platform.common import _render, setting_text
from sharemall.web.platform.forms import SettingsForm

HISTORY_SIZE = 50


@dataclass(frozen=True)
class Change:
    at: datetime
    who: str
    fields: list[tuple[str, str, str]]  # label, before, after


def _history() -> list[Change]:
    rows = SettingsChange.objects.select_related("changed_by")[:HISTORY_SIZE]
    return [
        Change(
            at=row.created_at,
            who=row.changed_by.nickname if row.changed_by else _("the system"),
            fields=[
                (
                    platform_rules.setting_label(name),
                    setting_text(name, old),
                    setting_text(name, new),
                )
                for name, (old, new) in row.changes.items()
            ],
        )
        for row in rows
    ]


def _settings_saved(
    request: HttpRequest, form: SettingsForm, current: dict[str, Any], member: Member
) -> bool:
    """Save through the platform service; a newly risky choice needs the operator's consent."""
    values = form.values()
    after = {**current, **values}
    if not run_action(request, lambda: platform_rules.check(after), form=form):
        return False
    before_warnings = platform_rules.warnings(current)
    new_risks = [w for w in platform_rules.warnings(after) if w not in before_warnings]
    if new_risks and not form.cleaned_data["accept_risk"]:
        form.add_error("accept_risk", _("Read the warning and tick this box to save."))
        return False
    return bool(
        run_action(request, lambda: platform.settings_update(values, actor=member), form=form)
    )


def _risk_preview(form: SettingsForm, current: dict[str, Any]) -> list[str]:
    """What the API would warn if the levels were set to three, with the rest as chosen."""
    preview = dict(current)
    if form.is_bound and hasattr(form, "cleaned_data"):  # what passed the form's checks
        preview.update(form.values())
    preview["max_levels"] = platform_rules.LEVELS_HARD_LIMIT
    return platform_rules.warnings(preview)


def _risk_shown(form: SettingsForm, current: dict[str, Any]) -> bool:
    """The consent box shows when three levels are being chosen (not when already in force,
    where the page warns at the top), and whenever the consent is what stopped the save."""
    risky = platform_rules.LEVELS_HARD_LIMIT
    choosing = str(form["max_levels"].value()) == str(risky) and current["max_levels"] != risky
    return choosing or bool(form.errors.get("accept_risk"))


@operator_page
def settings_page(request: HttpRequest, member: Member) -> HttpResponse:
    current = platform.as_dict(platform.current())
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid() and _settings_saved(request, form, current, member):
            messages.success(request, _("The platform settings are saved."))
            return HttpResponseRedirect(reverse("web:platform_settings"))
    else:
        form = SettingsForm(initial=current)
    return _render(
        request,
        "web/platform/settings.html",
        {
            "form": form,
            "in_force": platform_rules.warnings(current),
            "risks": _risk_preview(form, current),
            "risky_levels": platform_rules.LEVELS_HARD_LIMIT,
            "current_levels": current["max_levels"],
            "risk_shown": _risk_shown(form, current),
            "history": _history(),
        },
    )
