from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from sharemall.accounts.auth import member_auth, require_member
from sharemall.freight import rules, selectors, services
from sharemall.freight.models import FreightTemplate
from sharemall.freight.schemas import TemplateIn, TemplateOut
from sharemall.merchants.selectors import merchant_for_staff

router = Router(tags=["freight"])


def template_out(template: FreightTemplate) -> dict[str, Any]:
    return {
        "id": template.pk,
        "merchant_id": template.merchant_id,
        "name": template.name,
        "by": template.by,
        "rules": [
            {
                "region_codes": r.region_codes,
                "first_units": r.first_units,
                "first_fen": r.first_fen,
                "extra_units": r.extra_units,
                "extra_fen": r.extra_fen,
            }
            for r in template.rules.all()
        ],
        "free_over_fen": template.free_over_fen,
        "no_delivery_region_codes": template.no_delivery_region_codes,
    }


def _template(payload: TemplateIn) -> rules.Template:
    return rules.Template(
        by=payload.by,
        rules=tuple(
            rules.Rule(
                tuple(r.region_codes), r.first_units, r.first_fen, r.extra_units, r.extra_fen
            )
            for r in payload.rules
        ),
        free_over_fen=payload.free_over_fen,
        no_delivery_region_codes=tuple(payload.no_delivery_region_codes),
    )


def _fresh(template: FreightTemplate) -> dict[str, Any]:
    # Re-read so the answer shows the rules as stored, not a stale prefetch.
    return template_out(FreightTemplate.objects.prefetch_related("rules").get(pk=template.pk))


@router.get(
    "/merchants/{merchant_id}/freight-templates", response=list[TemplateOut], auth=member_auth
)
def template_list(request: HttpRequest, merchant_id: int) -> list[dict[str, Any]]:
    """The merchant's freight templates (owner only)."""
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    return [template_out(t) for t in selectors.templates_of(merchant)]


@router.post(
    "/merchants/{merchant_id}/freight-templates",
    response={201: TemplateOut},
    auth=member_auth,
)
def template_create(
    request: HttpRequest, merchant_id: int, payload: TemplateIn
) -> Status[dict[str, Any]]:
    """A template charging by piece or by weight (grams), with per-region rules (GB/T 2260
    codes; a province or city code covers the regions under it, the most specific wins), regions
    not delivered to and free shipping from an amount. Bad input: 400 `invalid_freight_rule`."""
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    saved = services.template_create(merchant, name=payload.name, template=_template(payload))
    return Status(201, _fresh(saved))


@router.get(
    "/merchants/{merchant_id}/freight-templates/{template_id}",
    response=TemplateOut,
    auth=member_auth,
)
def template_detail(request: HttpRequest, merchant_id: int, template_id: int) -> dict[str, Any]:
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    return template_out(selectors.template_of(merchant, template_id))


@router.put(
    "/merchants/{merchant_id}/freight-templates/{template_id}",
    response=TemplateOut,
    auth=member_auth,
)
def template_update(
    request: HttpRequest, merchant_id: int, template_id: int, payload: TemplateIn
) -> dict[str, Any]:
    """Replace the template as a whole (name, rules, no-delivery regions, free-over amount)."""
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    saved = selectors.template_of(merchant, template_id)
    services.template_update(saved, name=payload.name, template=_template(payload))
    return _fresh(saved)


@router.delete(
    "/merchants/{merchant_id}/freight-templates/{template_id}",
    response={204: None},
    auth=member_auth,
)
def template_delete(request: HttpRequest, merchant_id: int, template_id: int) -> Status[None]:
    """A template products still name answers 409 `template_in_use`."""
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    services.template_delete(selectors.template_of(merchant, template_id))
    return Status(204, None)
