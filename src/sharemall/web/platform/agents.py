"""Regional agents and partners."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.accounts.rules import normalize_phone
from sharemall.core.errors import DomainError, NotFound
from sharemall.distribution import services as distribution_services
from sharemall.distribution.models import Partner, RegionAgent
from sharemall.merchants import rules as merchant_rules
from sharemall.web.access import not_found, operator_page
from sharemall.web.actions import run_form_action
from sharemall.web.platform.common import _post_only, _render
from sharemall.web.platform.forms import (
    AgentForm,
    PartnerForm,
)


def _member_by_phone(raw: str) -> Member:
    member = Member.objects.filter(phone=normalize_phone(raw), is_active=True).first()
    if member is None:
        raise NotFound(_("No member has this mobile number."))
    return member


@operator_page
def agents(request: HttpRequest, member: Member) -> HttpResponse:
    region_agents = RegionAgent.objects.select_related("member").order_by(
        "-is_active", "region_code", "id"
    )
    partners = Partner.objects.select_related("member").order_by("-is_active", "id")
    return _render(
        request,
        "web/platform/agents.html",
        {
            "agents": [(a, _region_name(a.region_code)) for a in region_agents[:1000]],
            "partners": partners[:1000],
            "agent_form": AgentForm(auto_id="agent_%s"),
            "partner_form": PartnerForm(auto_id="partner_%s"),
        },
    )


def _region_name(code: str) -> str:
    try:
        return merchant_rules.region(code).full_name
    except DomainError:
        return code


@operator_page
@_post_only
def agent_appoint(request: HttpRequest, member: Member) -> HttpResponse:
    run_form_action(
        request,
        AgentForm(request.POST),
        lambda data: distribution_services.region_agent_appoint(
            member_id=_member_by_phone(data["phone"]).pk, region_code=data["region_code"]
        ),
        _("The regional agent is appointed."),
    )
    return HttpResponseRedirect(reverse("web:platform_agents"))


@operator_page
@_post_only
def agent_end(request: HttpRequest, member: Member, agent_id: int) -> HttpResponse:
    agent = RegionAgent.objects.filter(pk=agent_id).first()
    if agent is None:
        return not_found(request)
    distribution_services.region_agent_end(agent)
    messages.success(request, _("The regional agent's term is ended."))
    return HttpResponseRedirect(reverse("web:platform_agents"))


@operator_page
@_post_only
def partner_add(request: HttpRequest, member: Member) -> HttpResponse:
    run_form_action(
        request,
        PartnerForm(request.POST),
        lambda data: distribution_services.partner_add(
            member_id=_member_by_phone(data["phone"]).pk
        ),
        _("The member is a partner."),
    )
    return HttpResponseRedirect(reverse("web:platform_agents"))
