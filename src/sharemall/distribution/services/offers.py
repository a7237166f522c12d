"""What a share is worth, per SKU, before anyone buys: the friend's discount and the sharer's
rebate on one unit. The product page shows both (好友立减 ¥x on a shared page, 分享赚 ¥y in the
share sheet), computed by the same plan lookup and rules that checkout and commissions apply."""

from collections.abc import Sequence
from dataclasses import dataclass

from sharemall.accounts.models import Member
from sharemall.catalog.models import Sku
from sharemall.distribution import rules
from sharemall.distribution.services.plans import plans_for
from sharemall.platform import rules as platform_rules
from sharemall.platform.services import current as platform_settings


@dataclass(frozen=True)
class ShareOffer:
    """One unit of a SKU bought through a share."""

    sku_id: int
    price_fen: int
    discount_fen: int  # what the friend saves (the plan's buyer discount)
    earn_fen: int  # what the sharer earns at level 1 on what the friend pays

    @property
    def paid_fen(self) -> int:
        return self.price_fen - self.discount_fen


def share_offers(skus: Sequence[Sku]) -> dict[int, ShareOffer]:
    """Per SKU id; a SKU whose merchant gives nothing up for sharing offers zero and zero."""
    offers = {}
    for sku_id, plan in plans_for(skus).items():
        price = next(s.price_fen for s in skus if s.pk == sku_id)
        discount = rules.buyer_discount(plan, list_fen=price, quantity=1) if plan else 0
        earn = rules.level_amount(plan, 1, base_fen=price - discount, quantity=1) if plan else 0
        offers[sku_id] = ShareOffer(sku_id, price, discount, earn)
    return offers


def sharer_earns(member: Member) -> bool:
    """Whether the member's shares earn a rebate: everyone's do (人人分销) unless the platform
    pays only enabled distributors (指定分销). Either way the friend gets the discount."""
    if platform_settings().distribution_mode == platform_rules.APPROVED:
        return member.is_distributor
    return True
