"""The distribution edge: sign-up through a share, platform rules, plans, team, commissions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from sharemall.accounts import services as accounts
from sharemall.accounts.auth import member_auth, require_member, require_operator
from sharemall.accounts.binding import binding_status
from sharemall.accounts.schemas import LoginByCodeIn, LoginByCodeOut, RegisterIn, RegisterOut
from sharemall.catalog.selectors import product_for_staff, sku_for_staff
from sharemall.core.errors import NotFound
from sharemall.core.http import client_address
from sharemall.distribution import rules, selectors, services
from sharemall.distribution.models import (
    CommissionEntry,
    CommissionPlan,
    DividendPeriod,
    Partner,
    PlanChange,
    RegionAgent,
)
from sharemall.distribution.schemas import (
    AgentIn,
    AgentOut,
    BindingEventOut,
    BindingOut,
    CommissionOut,
    ComplianceOut,
    DividendOut,
    PartnerIn,
    PartnerOut,
    PlanChangeOut,
    PlanIn,
    PlanOut,
    ReviewIn,
    SettingsIn,
    SettingsOut,
    SubStoreIn,
    SubStoreOut,
    TeamDepthOut,
    TeamOut,
)
from sharemall.merchants.selectors import merchant_for_staff
from sharemall.platform import rules as platform_rules
from sharemall.platform import services as platform
from sharemall.sharing import selectors as sharing_selectors

router = Router(tags=["distribution"])


@router.post("/auth/register", response={201: RegisterOut}, auth=None)
def register(request: HttpRequest, payload: RegisterIn) -> Status[dict[str, object]]:
    """Sign up; a `share_code` binds the newcomer to its sharer as the binding mode allows.
    Nothing is ever paid for a sign-up."""
    referrer, source = sharing_selectors.signup_referrer(payload.share_code)
    member = accounts.member_signup(
        phone=payload.phone,
        password=payload.password,
        nickname=payload.nickname,
        address=client_address(request),
        device=request.headers.get("X-Device-Id", ""),
        referrer=referrer,
        source=source,
        sms_code=payload.sms_code,
        accept_terms=payload.accept_terms,
        bearer_label="register",
    )
    token = member.issued_token  # issued in the sign-up's transaction
    return Status(201, {"id": member.pk, "token": token, "parent_id": member.parent_id})


@router.post("/auth/login-by-code", response=LoginByCodeOut, auth=None)
def login_by_code(request: HttpRequest, payload: LoginByCodeIn) -> dict[str, object]:
    """Log in with a `login` code from POST /auth/sms-code; a new number becomes a member,
    bound through `share_code` as at sign-up. A wrong, used or expired code → 400
    `invalid_code`."""
    referrer, source = sharing_selectors.signup_referrer(payload.share_code)
    member, is_new = accounts.member_login_by_code(
        phone=payload.phone,
        sms_code=payload.sms_code,
        address=client_address(request),
        device=request.headers.get("X-Device-Id", ""),
        referrer=referrer,
        source=source,
        accept_terms=payload.accept_terms,
        bearer_label="login-by-code",
    )
    token = member.issued_token  # issued in the sign-up's (or log-in's) transaction
    return {"id": member.pk, "token": token, "is_new": is_new}


def _settings_out() -> dict[str, Any]:
    values = platform.as_dict(platform.current())
    return {**values, "warnings": platform_rules.warnings(values)}


@router.get("/platform/settings", response=SettingsOut, auth=member_auth)
def settings_read(request: HttpRequest) -> dict[str, Any]:
    require_operator(request)
    return _settings_out()


@router.put("/platform/settings", response=SettingsOut, auth=member_auth)
def settings_write(request: HttpRequest, payload: SettingsIn) -> dict[str, Any]:
    operator = require_operator(request)
    platform.settings_update(payload.dict(exclude_none=True), actor=operator)
    return _settings_out()


def _plan(payload: PlanIn) -> rules.Plan:
    if payload.unit == rules.BP:
        return rules.plan_parse(
            rules.BP,
            share_budget=payload.share_budget_bp,
            buyer_discount=payload.buyer_discount_bp,
            levels=payload.level_bp,
            region_agent=payload.region_agent_bp,
        )
    return rules.plan_parse(
        rules.FEN,
        share_budget=payload.share_budget_fen,
        buyer_discount=payload.buyer_discount_fen,
        levels=payload.level_fen,
        region_agent=payload.region_agent_fen,
    )


def plan_out(plan: CommissionPlan) -> dict[str, Any]:
    bp = plan.unit == rules.BP
    levels = [plan.level1, plan.level2, plan.level3]
    return {
        "merchant_id": plan.merchant_id,
        "product_id": plan.product_id,
        "sku_id": plan.sku_id,
        "unit": plan.unit,
        "share_budget_bp": plan.share_budget if bp else None,
        "buyer_discount_bp": plan.buyer_discount if bp else None,
        "level_bp": levels if bp else None,
        "region_agent_bp": plan.region_agent if bp else None,
        "share_budget_fen": None if bp else plan.share_budget,
        "buyer_discount_fen": None if bp else plan.buyer_discount,
        "level_fen": None if bp else levels,
        "region_agent_fen": None if bp else plan.region_agent,
    }


@router.put("/merchants/{merchant_id}/commission-plan", response=PlanOut, auth=member_auth)
def merchant_plan_set(request: HttpRequest, merchant_id: int, payload: PlanIn) -> dict[str, Any]:
    member = require_member(request)
    merchant = merchant_for_staff(member, merchant_id, owner_only=True)
    return plan_out(services.plan_set(merchant, actor=member, plan=_plan(payload)))


@router.get("/merchants/{merchant_id}/commission-plan", response=PlanOut, auth=member_auth)
def merchant_plan_get(request: HttpRequest, merchant_id: int) -> dict[str, Any]:
    merchant = merchant_for_staff(require_member(request), merchant_id)
    plan = selectors.merchant_plan(merchant.pk)
    if plan is None:
        raise NotFound(_("This merchant has no commission plan yet."))
    return plan_out(plan)


@router.put("/products/{product_id}/commission-plan", response=PlanOut, auth=member_auth)
def product_plan_set(request: HttpRequest, product_id: int, payload: PlanIn) -> dict[str, Any]:
    member = require_member(request)
    product = product_for_staff(member, product_id)
    merchant = merchant_for_staff(member, product.merchant_id, owner_only=True)
    return plan_out(services.plan_set(merchant, actor=member, plan=_plan(payload), product=product))


@router.put("/skus/{sku_id}/commission-plan", response=PlanOut, auth=member_auth)
def sku_plan_set(request: HttpRequest, sku_id: int, payload: PlanIn) -> dict[str, Any]:
    member = require_member(request)
    sku = sku_for_staff(member, sku_id)
    merchant = merchant_for_staff(member, sku.product.merchant_id, owner_only=True)
    return plan_out(services.plan_set(merchant, actor=member, plan=_plan(payload), sku=sku))


def commission_out(entry: CommissionEntry) -> dict[str, Any]:
    bp = entry.unit == rules.BP
    return {
        "id": entry.pk,
        "order_id": entry.order_id,
        "order_line_id": entry.order_line_id,
        "level": entry.level,
        "kind": entry.kind,
        "base_fen": entry.base_fen,
        "rate_bp": entry.rate if bp else None,
        "rate_fen": None if bp else entry.rate,
        "amount_fen": entry.amount_fen,
        "status": entry.status,
        "reason": entry.reason,
        "reversal_of": entry.reversal_of_id,
    }


@router.get("/commissions", response=list[CommissionOut], auth=member_auth)
def my_commissions(request: HttpRequest, status: str | None = None) -> list[dict[str, Any]]:
    entries = selectors.commissions_of(require_member(request), status=status)
    return [commission_out(e) for e in entries[:500]]


@router.get("/team", response=TeamOut, auth=member_auth)
def my_team(request: HttpRequest) -> dict[str, Any]:
    return selectors.team(require_member(request))


@router.get("/me/binding", response=BindingOut, auth=member_auth)
def my_binding(request: HttpRequest) -> dict[str, Any]:
    """Who the caller is bound to, since when and until when, and every binding before."""
    return binding_status(require_member(request))


@router.get("/me/bindings", response=list[BindingEventOut], auth=member_auth)
def my_bindings(request: HttpRequest) -> list[dict[str, Any]]:
    """Who the caller was bound to, and until when (oldest first): the history part of
    `GET /me/binding`."""
    history: list[dict[str, Any]] = binding_status(require_member(request))["history"]
    return history


@router.get("/platform/commission-holds", response=list[CommissionOut], auth=member_auth)
def holds(request: HttpRequest) -> list[dict[str, Any]]:
    require_operator(request)
    return [commission_out(e) for e in selectors.held_commissions()[:500]]


def _held(request: HttpRequest, entry_id: int) -> tuple[Any, CommissionEntry]:
    operator = require_operator(request)
    entry = selectors.commission_for_operator(entry_id)
    if entry is None:
        raise NotFound(_("No such commission."))
    return operator, entry


@router.post("/platform/commissions/{entry_id}/release", response=CommissionOut, auth=member_auth)
def release(request: HttpRequest, entry_id: int, payload: ReviewIn) -> dict[str, Any]:
    operator, entry = _held(request, entry_id)
    return commission_out(services.hold_release(entry, operator=operator, note=payload.reason))


@router.post("/platform/commissions/{entry_id}/reject", response=CommissionOut, auth=member_auth)
def reject(request: HttpRequest, entry_id: int, payload: ReviewIn) -> dict[str, Any]:
    operator, entry = _held(request, entry_id)
    return commission_out(services.hold_reject(entry, operator=operator, reason=payload.reason))


@router.get("/platform/compliance", response=ComplianceOut, auth=member_auth)
def compliance(request: HttpRequest) -> dict[str, Any]:
    require_operator(request)
    return services.compliance_report()


def _agent_out(agent: RegionAgent) -> dict[str, Any]:
    return {
        "id": agent.pk,
        "member_id": agent.member_id,
        "region_code": agent.region_code,
        "is_active": agent.is_active,
    }


@router.post("/platform/region-agents", response={201: AgentOut}, auth=member_auth)
def agent_appoint(request: HttpRequest, payload: AgentIn) -> Status[dict[str, Any]]:
    require_operator(request)
    agent = services.region_agent_appoint(
        member_id=payload.member_id, region_code=payload.region_code
    )
    return Status(201, _agent_out(agent))


@router.get("/platform/region-agents", response=list[AgentOut], auth=member_auth)
def agents(request: HttpRequest) -> list[dict[str, Any]]:
    require_operator(request)
    return [_agent_out(a) for a in RegionAgent.objects.order_by("region_code", "id")[:1000]]


@router.post("/platform/region-agents/{agent_id}/end", response=AgentOut, auth=member_auth)
def agent_end(request: HttpRequest, agent_id: int) -> dict[str, Any]:
    require_operator(request)
    agent = RegionAgent.objects.filter(pk=agent_id).first()
    if agent is None:
        raise NotFound(_("No such agent."))
    return _agent_out(services.region_agent_end(agent))


@router.post("/platform/partners", response={201: PartnerOut}, auth=member_auth)
def partner_add(request: HttpRequest, payload: PartnerIn) -> Status[dict[str, Any]]:
    require_operator(request)
    partner = services.partner_add(member_id=payload.member_id)
    return Status(201, {"member_id": partner.member_id, "is_active": partner.is_active})


@router.get("/platform/partners", response=list[PartnerOut], auth=member_auth)
def partners(request: HttpRequest) -> list[dict[str, Any]]:
    require_operator(request)
    return [
        {"member_id": p.member_id, "is_active": p.is_active}
        for p in Partner.objects.order_by("id")[:1000]
    ]


@router.get("/platform/dividends", response=list[DividendOut], auth=member_auth)
def dividends(request: HttpRequest) -> list[dict[str, Any]]:
    require_operator(request)
    return [
        {
            "starts": d.starts,
            "ends": d.ends,
            "fees_fen": d.fees_fen,
            "pool_fen": d.pool_fen,
            "shares": d.shares,
        }
        for d in DividendPeriod.objects.order_by("-starts")[:120]
    ]


@router.put("/me/substore", response=SubStoreOut, auth=member_auth)
def substore_put(request: HttpRequest, payload: SubStoreIn) -> dict[str, Any]:
    """Choose the products of the caller's sub-store; share it as target `substore`."""
    owner = require_member(request)
    services.substore_set(owner, product_ids=payload.product_ids, title=payload.title)
    found = selectors.substore_public(owner.pk)
    assert found is not None
    return found


@router.get("/substores/{member_id}", response=SubStoreOut, auth=None)
def substore_get(request: HttpRequest, member_id: int) -> dict[str, Any]:
    found = selectors.substore_public(member_id)
    if found is None:
        raise NotFound(_("No such sub-store."))
    return found


@router.get("/team/depths", response=list[TeamDepthOut], auth=member_auth)
def team_depths(request: HttpRequest, depth: int = 3) -> list[dict[str, int]]:
    """Members per depth below the caller, down to `depth` (at most 10)."""
    return selectors.team_depths(require_member(request), depth=depth)


@router.get(
    "/merchants/{merchant_id}/commission-plan/history",
    response=list[PlanChangeOut],
    auth=member_auth,
)
def plan_history(request: HttpRequest, merchant_id: int) -> list[dict[str, Any]]:
    """Every change of the merchant's plans: who, when, before and after."""
    merchant = merchant_for_staff(require_member(request), merchant_id)
    return [
        {
            "product_id": c.product_id,
            "sku_id": c.sku_id,
            "before": c.before,
            "after": c.after,
            "changed_by": c.changed_by_id,
            "at": c.created_at,
        }
        for c in PlanChange.objects.filter(merchant=merchant).order_by("-created_at", "-id")[:500]
    ]
