from dataclasses import asdict
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from sharemall.accounts.auth import member_auth, require_member, require_operator
from sharemall.analytics import campaigns, selectors
from sharemall.analytics.exports import propagation_csv
from sharemall.analytics.schemas import CampaignOut, PlatformCampaignsOut, PropagationOut
from sharemall.analytics.selectors import Propagation
from sharemall.merchants.selectors import merchant_for_staff

router = Router(tags=["analytics"])

MAX_ID = 2**63 - 1


class PropagationQuery(Schema):
    product_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    post_id: int | None = Field(default=None, ge=1, le=MAX_ID)


def _report(request: HttpRequest, q: PropagationQuery) -> Propagation:
    return selectors.propagation(
        require_member(request), product_id=q.product_id, post_id=q.post_id
    )


def propagation_out(report: Propagation) -> dict[str, Any]:
    out = asdict(report)
    out["by_degree"] = [{**asdict(r), "conversion": r.conversion} for r in report.by_degree]
    return out


@router.get("/analytics/propagation", response=PropagationOut, auth=member_auth)
def propagation(request: HttpRequest, q: Query[PropagationQuery]) -> dict[str, Any]:
    """Merchant staff or operators: how a product (or one post) spread, degree by degree."""
    return propagation_out(_report(request, q))


@router.get(
    "/analytics/propagation.csv",
    auth=member_auth,
    openapi_extra={
        "responses": {200: {"description": "The same figures as CSV.", "content": {"text/csv": {}}}}
    },
)
def propagation_export(request: HttpRequest, q: Query[PropagationQuery]) -> HttpResponse:
    report = _report(request, q)
    response = HttpResponse(propagation_csv(report), content_type="text/csv; charset=utf-8")
    name = (
        f"propagation-post-{report.post_id}"
        if report.post_id
        else (f"propagation-product-{report.product_id}")
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@router.get("/merchants/{merchant_id}/campaigns", response=list[CampaignOut], auth=member_auth)
def merchant_campaigns(request: HttpRequest, merchant_id: int) -> list[dict[str, Any]]:
    """The shop's campaigns (owner): coupons, 满减, flash sales, group-buys, bargains and share
    tasks, each with its orders and buyers (paid, not refunded in full), GMV (what those buyers
    paid less refunds), cost (what the campaign gave off them; a task: its reward coupons'
    use), `cost_ratio_bp` (cost / GMV) and orders `by_degree` ("1", "2", "3+", "direct")."""
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    return [campaigns.stats_out(s) for s in campaigns.merchant_campaigns(merchant.pk)]


@router.get("/platform/campaigns", response=PlatformCampaignsOut, auth=member_auth)
def platform_campaigns(request: HttpRequest) -> dict[str, Any]:
    """Operators: the platform's own coupons and share tasks, and every campaign of the mall
    summed per kind, counted as for a shop's campaigns."""
    require_operator(request)
    found = campaigns.platform_campaigns()
    return {
        "coupons": [campaigns.stats_out(s) for s in found.coupons],
        "tasks": [campaigns.stats_out(s) for s in found.tasks],
        "by_kind": [campaigns.summary_out(s) for s in found.by_kind],
    }
