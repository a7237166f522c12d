"""Helpers the back-office pages share."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any

from django import forms
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.core.errors import NotFound
from sharemall.platform import rules as platform_rules
from sharemall.web.access import MemberView, not_found
from sharemall.web.actions import run_form_action
from sharemall.web.humanize import percent
from sharemall.web.platform import queues as platform_queues


def _post_only(view: MemberView) -> MemberView:
    @wraps(view)
    def wrapper(request: HttpRequest, member: Member, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return view(request, member, *args, **kwargs)

    return wrapper


def _back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    """Back to the back-office page the form was on (its filter and page kept), never elsewhere."""
    target = request.POST.get("next", "")
    if target.startswith("/platform/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(fallback)


def _decide[M, T](
    request: HttpRequest,
    found: M | None,
    form: forms.Form | None,
    act: Callable[[M, dict[str, Any]], T],
    success: str | Callable[[T], str],
    *,
    back: str,
) -> HttpResponse:
    """An operator's decision on one row (an application, a withdrawal, a hold, a post): the
    404 page when the row does not exist, else the form checked and the owning service run,
    then back to the page the decision was made on (`back` when it did not say)."""
    if found is None:
        return not_found(request)
    run_form_action(request, form, lambda data: act(found, data), success)
    return _back(request, back)


def _choices_label(choices: Iterable[tuple[Any, Any]], value: Any) -> str:
    return str(dict(choices).get(value, value))


@dataclass(frozen=True)
class Step:
    """One line of a trail: a state change, who made it and why."""

    at: datetime
    source: str
    target: str
    who: str
    note: str


def _names(member_ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {pk for pk in member_ids if pk is not None}
    return dict(Member.objects.filter(pk__in=wanted).values_list("pk", "nickname"))


def _who(names: dict[int, str], member_id: int | None) -> str:
    if member_id is None:
        return _("the system")
    return names.get(member_id, f"#{member_id}")


def _as_written(note: str) -> str:
    return note


def _steps(
    events: list[dict[str, Any]],
    labels: Iterable[tuple[Any, Any]],
    names: dict[int, str],
    notes: Callable[[str], str] = _as_written,
) -> list[Step]:
    """The trail's lines; `notes` puts the owning app's system notes in the reader's words."""
    choices = list(labels)
    return [
        Step(
            at=e["at"],
            # A change that keeps the status (a fee change) reads as its note alone.
            source=_choices_label(choices, e["from"]) if e["from"] and e["from"] != e["to"] else "",
            target=_choices_label(choices, e["to"]),
            who=_who(names, e["actor_id"]),
            note=notes(e.get("reason") or e.get("note") or ""),
        )
        for e in events
    ]


def _found[M: Model](lookup: Callable[[], M | None]) -> M | None:
    """The object a page is about; None when it does not exist (the 404 page is shown)."""
    try:
        return lookup()
    except NotFound:
        return None


def setting_text(name: str, value: Any) -> str:
    """A platform setting's value as people read it: words for modes, yes or no, percent.
    (Day counts stay bare numbers: their names already say "days".)"""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    choices = platform_rules.SETTING_CHOICES.get(name)
    if choices is not None:
        return str(choices.get(value, value))
    if name == "share_budget_cap_bp" and isinstance(value, int):
        return percent(value)
    return str(value)


def setting_rows(values: dict[str, Any]) -> list[tuple[str, str]]:
    """Every setting as (its name, its value) in the reader's language."""
    return [(platform_rules.setting_label(k), setting_text(k, v)) for k, v in values.items()]


# The menu item each page belongs to (base.html marks it current).
SECTIONS = {
    "platform_dashboard": "dashboard",
    "platform_propagation": "propagation",
    "platform_campaigns": "campaigns",
    "platform_quality": "quality",
    "platform_merchants": "merchants",
    "platform_merchant": "merchants",
    "platform_withdrawals": "withdrawals",
    "platform_holds": "holds",
    "platform_disputes": "disputes",
    "platform_dispute": "disputes",
    "platform_posts": "posts",
    "platform_banned_words": "banned_words",
    "platform_agents": "agents",
    "compliance": "compliance",
    "platform_settings": "settings",
    "platform_legal": "legal",
    "platform_wechat": "wechat",
    "platform_coupons": "coupons",
    "platform_members": "members",
    "platform_member": "members",
    "platform_appeals": "appeals",
    "platform_convention": "convention",
}


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """A back-office page in the console shell: its menu item marked, the queues' counts on
    the menu."""
    match = request.resolver_match
    section = SECTIONS.get(match.url_name or "", "") if match is not None else ""
    return render(
        request,
        template,
        {"section": section, "todo": platform_queues.waiting(), **context},
        status=status,
    )
