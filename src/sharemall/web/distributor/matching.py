"""为你推荐 (the products the sharer is likely to sell well, with why) and 我的选品标签 (what
their audience likes, which the matching reads)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.catalog import selectors as catalog
from sharemall.core.money import format_yuan
from sharemall.distribution import selectors as distribution_selectors
from sharemall.merchants import selectors as merchant_selectors
from sharemall.recommendations import selectors as recommendations
from sharemall.recommendations import services as recommendation_services
from sharemall.recommendations import serving
from sharemall.recommendations.models import SharerTags
from sharemall.sharing import selectors as sharing_selectors
from sharemall.web.access import member_page
from sharemall.web.actions import run_action
from sharemall.web.distributor.common import _redirect
from sharemall.web.distributor.forms import SharerTagsForm
from sharemall.web.matching import Pick, picks

RECOMMENDED_SHOWN = 20


@dataclass(frozen=True)
class PickRow:
    pick: Pick
    shop_name: str
    earn_fen: int  # 分享赚: 0 when the member earns nothing on it


def _has_tags(tags: SharerTags) -> bool:
    return not tags._state.adding


@member_page
def recommended(request: HttpRequest, member: Member) -> HttpResponse:
    found = picks(serving.recommended_for_sharer(member, limit=RECOMMENDED_SHOWN))
    products = [pick.product for pick in found]
    # 分享赚: what one sale through the member's link earns them, per product.
    earnings = distribution_selectors.share_earnings(member, products)
    shops = merchant_selectors.shop_names({p.merchant_id for p in products})
    rows = [
        PickRow(
            pick,
            shops.get(pick.product.merchant_id) or pick.product.merchant.legal_name,
            earnings.get(pick.product.pk, 0),
        )
        for pick in found
    ]
    return render(
        request,
        "web/distributor/recommended.html",
        {
            "rows": rows,
            "has_tags": _has_tags(recommendations.sharer_tags(member)),
            # Nothing shared yet: the list is the mall's popular one (cold start).
            "cold_start": not sharing_selectors.links_of(member).exists(),
            "section": "recommended",
        },
    )


def _category_choices(tree: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return [(node["id"], node["name"]) for root in tree for node in (root, *root["children"])]


def _initial(tags: SharerTags) -> dict[str, Any]:
    def yuan(fen: int | None) -> str:
        return "" if fen is None else format_yuan(fen, plain=True)

    return {
        "categories": list(tags.category_ids),
        "price_min": yuan(tags.price_min_fen),
        "price_max": yuan(tags.price_max_fen),
        "styles": ", ".join(tags.styles),
    }


@member_page
def tags(request: HttpRequest, member: Member) -> HttpResponse:
    tree: list[dict[str, Any]] = catalog.category_tree()
    choices = _category_choices(tree)
    if request.method == "POST":
        form = SharerTagsForm(request.POST, category_choices=choices)
        if form.is_valid():
            data = form.cleaned_data
            if run_action(
                request,
                lambda: recommendation_services.sharer_tags_set(
                    member,
                    category_ids=data["categories"],
                    price_min_fen=data["price_min"],
                    price_max_fen=data["price_max"],
                    styles=data["styles"],
                ),
                _("Your tags are saved."),
                form=form,
            ):
                return _redirect("web:distributor_recommended")
    else:
        form = SharerTagsForm(
            initial=_initial(recommendations.sharer_tags(member)), category_choices=choices
        )
    chosen = {str(value) for value in (form["categories"].value() or [])}
    return render(
        request,
        "web/distributor/tags.html",
        {"form": form, "tree": tree, "chosen": chosen, "section": "recommended"},
        status=400 if form.is_bound else 200,
    )
