"""The pricing engine (PRODUCT §7): what a cart costs, as pure functions — no Django, no database.

Order of application, followed exactly by `price_cart`:

1. Promotion price: a flash, group or bargain unit price replaces the list unit price.
2. Spend tiers (满减), per merchant: the best tier whose threshold the merchant's lines reach.
3. Coupons, narrowest scope first (product → category → merchant → platform, then in the order
   given): each applies when the amount its eligible lines still pay reaches its threshold.
   Where a tier applied and the merchant's settings say coupons do not stack with 满减, that
   merchant's lines are not eligible.
4. The share discount, per line, on what the line still pays (a promotion-priced line only if its
   merchant says so).
5. Shipping, per merchant order, added to the total and never discounted.

Every order-level discount (tiers, coupons) is apportioned to the lines it covers by largest
remainder, weighted by what each line still pays at that step, so no line goes negative. No
discount covers shipping, and each merchant order keeps at least 1 fen of goods: whichever step
would take the last fen is capped. So a merchant order's total is never below 1 fen.

A line's commission base is what it really paid (shipping excluded), or 0 for a promotion-priced
line whose merchant says promotions earn no commission.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from sharemall.core.errors import DomainError
from sharemall.core.i18n import gettext as _
from sharemall.core.money import BP_WHOLE, apply_bp, split_largest_remainder

FLASH, GROUP, BARGAIN = "flash", "group", "bargain"
PROMOTION_KINDS = (FLASH, GROUP, BARGAIN)

# A share discount's unit, as in distribution plans: basis points of what the line still pays, or
# fen per unit.
BP, FEN = "bp", "fen"

AMOUNT, PERCENT = "amount", "percent"
SCOPE_PRODUCT, SCOPE_CATEGORY, SCOPE_MERCHANT, SCOPE_PLATFORM = (
    "product",
    "category",
    "merchant",
    "platform",
)
# Narrowest first: the order coupons are applied in.
SCOPES = (SCOPE_PRODUCT, SCOPE_CATEGORY, SCOPE_MERCHANT, SCOPE_PLATFORM)
FUNDED_BY_PLATFORM, FUNDED_BY_MERCHANT = "platform", "merchant"

# Each merchant order keeps at least this much of its goods.
MIN_PAYABLE_FEN = 1


class InvalidPricing(DomainError):
    code = "invalid_pricing"


class InvalidCartLine(InvalidPricing):
    code = "invalid_cart_line"


class InvalidSpendTier(InvalidPricing):
    code = "invalid_spend_tier"


class InvalidCoupon(InvalidPricing):
    code = "invalid_coupon"


class InvalidShipping(InvalidPricing):
    code = "invalid_shipping"


@dataclass(frozen=True)
class ShareDiscount:
    """A buyer arriving through a share saves `rate` (distribution Plan.buyer_discount in
    Plan.unit): basis points of what the line still pays, or fen per unit; never more than it."""

    unit: str
    rate: int

    def of(self, amount_fen: int, quantity: int) -> int:
        portion = apply_bp(amount_fen, self.rate) if self.unit == BP else self.rate * quantity
        return min(amount_fen, portion)


@dataclass(frozen=True)
class CartLine:
    key: str
    merchant_id: int
    product_id: int
    category_id: int | None
    unit_price_fen: int
    quantity: int
    promotion_unit_fen: int | None = None
    promotion_kind: str | None = None
    share: ShareDiscount | None = None

    @property
    def list_fen(self) -> int:
        return self.unit_price_fen * self.quantity

    @property
    def promoted(self) -> bool:
        return self.promotion_unit_fen is not None


@dataclass(frozen=True)
class SpendTier:
    threshold_fen: int
    off_fen: int


@dataclass(frozen=True)
class Coupon:
    """A coupon to apply. `merchant_id` confines it to one merchant's lines (a merchant's own
    coupon); `funded_by` says whose money it is, for booking."""

    key: str
    kind: str
    threshold_fen: int = 0
    amount_fen: int = 0
    percent_bp: int = 0
    cap_fen: int | None = None
    scope: str = SCOPE_PLATFORM
    scope_ids: frozenset[int] = frozenset()
    funded_by: str = FUNDED_BY_PLATFORM
    merchant_id: int | None = None


@dataclass(frozen=True)
class Stacking:
    """A merchant's stacking settings. By default a coupon the buyer holds still counts after
    满减 (what buyers expect from a coupon they were given); a promotion price is the whole
    offer: no share discount on top and no commission, so a flash or group price never costs
    the merchant more than it set."""

    coupon_with_tier: bool = True
    promotion_gets_share_discount: bool = False
    promotion_earns_commission: bool = False


@dataclass(frozen=True)
class LinePrice:
    key: str
    merchant_id: int
    list_fen: int
    promotion_fen: int
    tier_fen: int
    coupon_fen: int
    share_fen: int
    paid_fen: int
    commission_base_fen: int
    # What each coupon took from this line, by coupon key.
    coupons: Mapping[str, int] = field(default_factory=dict)

    @property
    def discount_fen(self) -> int:
        return self.promotion_fen + self.tier_fen + self.coupon_fen + self.share_fen


@dataclass(frozen=True)
class OrderPrice:
    merchant_id: int
    lines: tuple[LinePrice, ...]
    goods_fen: int
    promotion_fen: int
    tier_fen: int
    coupon_fen: int
    share_fen: int
    shipping_fen: int

    @property
    def discount_fen(self) -> int:
        return self.promotion_fen + self.tier_fen + self.coupon_fen + self.share_fen

    @property
    def paid_goods_fen(self) -> int:
        return self.goods_fen - self.discount_fen

    @property
    def total_fen(self) -> int:
        return self.paid_goods_fen + self.shipping_fen


@dataclass(frozen=True)
class CouponUse:
    key: str
    funded_by: str
    merchant_id: int | None
    taken_fen: int

    @property
    def applied(self) -> bool:
        return self.taken_fen > 0


@dataclass(frozen=True)
class CartPrice:
    orders: tuple[OrderPrice, ...]
    coupons: tuple[CouponUse, ...]

    @property
    def total_fen(self) -> int:
        return sum(o.total_fen for o in self.orders)


Shipping = Mapping[int, int] | Callable[[int, int], int]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_line(line: CartLine) -> None:
    if not _is_int(line.unit_price_fen) or line.unit_price_fen < 1:
        raise InvalidCartLine(_("A unit price is at least 1 fen."))
    if not _is_int(line.quantity) or line.quantity < 1:
        raise InvalidCartLine(_("A quantity is at least 1."), code="invalid_quantity")
    if (line.promotion_unit_fen is None) != (line.promotion_kind is None):
        raise InvalidCartLine(_("A promotion price needs its kind, and a kind its price."))
    if line.promotion_unit_fen is not None:
        if line.promotion_kind not in PROMOTION_KINDS:
            raise InvalidCartLine(_("A promotion is a flash sale, a group-buy or a bargain."))
        if not _is_int(line.promotion_unit_fen) or not (
            1 <= line.promotion_unit_fen <= line.unit_price_fen
        ):
            raise InvalidCartLine(
                _("A promotion price is at least 1 fen and at most the list price.")
            )
    if line.share is not None and (
        line.share.unit not in (BP, FEN)
        or not _is_int(line.share.rate)
        or line.share.rate < 0
        or (line.share.unit == BP and line.share.rate > BP_WHOLE)
    ):
        raise InvalidCartLine(_("A share discount is a rate in bp or fen, zero or more."))


def check_tier(tier: SpendTier) -> None:
    if not _is_int(tier.threshold_fen) or tier.threshold_fen < 0:
        raise InvalidSpendTier(_("A spend tier's threshold is zero or more."))
    if not _is_int(tier.off_fen) or tier.off_fen < 1:
        raise InvalidSpendTier(_("A spend tier takes off at least 1 fen."))


def check_coupon(coupon: Coupon) -> None:
    if not _is_int(coupon.threshold_fen) or coupon.threshold_fen < 0:
        raise InvalidCoupon(_("A coupon's threshold is zero or more."))
    if coupon.kind == AMOUNT:
        if not _is_int(coupon.amount_fen) or coupon.amount_fen < 1:
            raise InvalidCoupon(_("An amount coupon takes off at least 1 fen."))
    elif coupon.kind == PERCENT:
        if not _is_int(coupon.percent_bp) or not 1 <= coupon.percent_bp <= BP_WHOLE:
            raise InvalidCoupon(_("A percent coupon takes off between 1 bp and 100 %."))
        if coupon.cap_fen is not None and (not _is_int(coupon.cap_fen) or coupon.cap_fen < 1):
            raise InvalidCoupon(_("A percent coupon's cap is at least 1 fen."))
    else:
        raise InvalidCoupon(_("A coupon is an amount or a percent off."))
    if coupon.scope not in SCOPES:
        raise InvalidCoupon(_("A coupon's scope is platform, merchant, category or product."))
    if coupon.scope != SCOPE_PLATFORM and not coupon.scope_ids:
        raise InvalidCoupon(
            _("A coupon for a merchant, category or product names which."), code="missing_scope"
        )
    if coupon.funded_by not in (FUNDED_BY_PLATFORM, FUNDED_BY_MERCHANT):
        raise InvalidCoupon(_("A coupon is funded by the platform or a merchant."))
    if coupon.funded_by == FUNDED_BY_MERCHANT and coupon.merchant_id is None:
        raise InvalidCoupon(_("A merchant's coupon names its merchant."))


def _in_scope(coupon: Coupon, line: CartLine) -> bool:
    if coupon.merchant_id is not None and line.merchant_id != coupon.merchant_id:
        return False
    if coupon.scope == SCOPE_PRODUCT:
        return line.product_id in coupon.scope_ids
    if coupon.scope == SCOPE_CATEGORY:
        return line.category_id in coupon.scope_ids
    if coupon.scope == SCOPE_MERCHANT:
        return line.merchant_id in coupon.scope_ids
    return True


def coupon_face_fen(coupon: Coupon, eligible_fen: int) -> int:
    """What a coupon takes off eligible lines paying `eligible_fen`: 0 under its threshold."""
    if eligible_fen <= 0 or eligible_fen < coupon.threshold_fen:
        return 0
    if coupon.kind == AMOUNT:
        face = coupon.amount_fen
    else:
        face = apply_bp(eligible_fen, coupon.percent_bp)
        if coupon.cap_fen is not None:
            face = min(face, coupon.cap_fen)
    return min(face, eligible_fen)


def best_tier_fen(tiers: Sequence[SpendTier], amount_fen: int) -> int:
    """The most any tier reached by `amount_fen` takes off (0 when none is reached)."""
    return max((t.off_fen for t in tiers if amount_fen >= t.threshold_fen), default=0)


class _Cart:
    """The working state: what each line still pays, and each step's discounts so far."""

    def __init__(self, lines: Sequence[CartLine]) -> None:
        self.lines = list(lines)
        self.remaining = [line.list_fen for line in lines]
        self.promotion = [0] * len(lines)
        self.tier = [0] * len(lines)
        self.coupon = [0] * len(lines)
        self.share = [0] * len(lines)
        self.by_coupon: list[dict[str, int]] = [{} for _line in lines]

    def merchant_rows(self, merchant_id: int) -> list[int]:
        return [i for i, line in enumerate(self.lines) if line.merchant_id == merchant_id]

    def headroom(self, merchant_id: int) -> int:
        """How much more discount a merchant's order can take and keep its last fen."""
        paid = sum(self.remaining[i] for i in self.merchant_rows(merchant_id))
        return max(0, paid - MIN_PAYABLE_FEN)

    def split(self, total_fen: int, rows: Sequence[int]) -> dict[int, int]:
        """`total_fen` apportioned to `rows` by largest remainder of what each still pays."""
        weights = [self.remaining[i] for i in rows]
        if total_fen <= 0 or sum(weights) == 0:
            return dict.fromkeys(rows, 0)
        return dict(zip(rows, split_largest_remainder(total_fen, weights), strict=True))


def _capped(parts: dict[int, int], cap_fen: int) -> dict[int, int]:
    """Parts reduced to sum to at most `cap_fen`, in proportion to themselves."""
    total = sum(parts.values())
    if total <= cap_fen:
        return parts
    if cap_fen <= 0:
        return dict.fromkeys(parts, 0)
    rows = list(parts)
    return dict(zip(rows, split_largest_remainder(cap_fen, [parts[i] for i in rows]), strict=True))


def _apply(cart: _Cart, parts: Mapping[int, int], step: list[int]) -> None:
    for i, fen in parts.items():
        cart.remaining[i] -= fen
        step[i] += fen


def _cap_per_merchant(cart: _Cart, parts: dict[int, int]) -> dict[int, int]:
    """Keep each merchant order's last fen: cap the parts falling on each merchant's lines."""
    capped: dict[int, int] = {}
    for merchant_id in sorted({cart.lines[i].merchant_id for i in parts}):
        mine = {i: fen for i, fen in parts.items() if cart.lines[i].merchant_id == merchant_id}
        capped.update(_capped(mine, cart.headroom(merchant_id)))
    return capped


def price_cart(
    lines: Sequence[CartLine],
    *,
    tiers: Mapping[int, Sequence[SpendTier]] | None = None,
    coupons: Sequence[Coupon] = (),
    stacking: Mapping[int, Stacking] | None = None,
    shipping: Shipping | None = None,
) -> CartPrice:
    """Price a cart (see the module's docstring for the order of the steps).

    `tiers` and `stacking` are by merchant id (a merchant without settings gets `Stacking()`).
    `shipping` is each merchant order's shipping in fen: a mapping by merchant id, or a function
    of (merchant id, goods the buyer pays after every discount) for free-over templates.
    """
    tiers = tiers or {}
    check_inputs(lines, tiers, coupons)
    own = dict(stacking or {})
    for line in lines:
        own.setdefault(line.merchant_id, Stacking())
    cart = _Cart(lines)
    _promotions(cart)
    tiered = _tiers(cart, tiers)
    uses = _coupons(cart, coupons, tiered, own)
    _share(cart, own)
    orders = tuple(
        _order(cart, merchant_id, own[merchant_id], shipping)
        for merchant_id in sorted({line.merchant_id for line in lines})
    )
    return CartPrice(orders, uses)


def check_inputs(
    lines: Sequence[CartLine],
    tiers: Mapping[int, Sequence[SpendTier]],
    coupons: Sequence[Coupon],
) -> None:
    """Refuse a cart, tiers or coupons that cannot be priced."""
    if not lines:
        raise InvalidCartLine(_("The order has no items."))
    for line in lines:
        check_line(line)
    if len({line.key for line in lines}) != len(lines):
        raise InvalidCartLine(_("Each cart line has its own key."))
    for merchant_tiers in tiers.values():
        for tier in merchant_tiers:
            check_tier(tier)
    for coupon in coupons:
        check_coupon(coupon)
    if len({c.key for c in coupons}) != len(coupons):
        raise InvalidCoupon(_("A coupon is used at most once."), code="coupon_repeated")


def _promotions(cart: _Cart) -> None:
    """Step 1: a promotion unit price replaces the list unit price."""
    for i, line in enumerate(cart.lines):
        if line.promotion_unit_fen is not None:
            off = (line.unit_price_fen - line.promotion_unit_fen) * line.quantity
            _apply(cart, {i: off}, cart.promotion)


def _tiers(cart: _Cart, tiers: Mapping[int, Sequence[SpendTier]]) -> set[int]:
    """Step 2: each merchant's best tier reached, capped to keep the last fen. Returns the
    merchants whose orders took a tier."""
    tiered: set[int] = set()
    for merchant_id in sorted({line.merchant_id for line in cart.lines}):
        rows = cart.merchant_rows(merchant_id)
        off = best_tier_fen(tiers.get(merchant_id, ()), sum(cart.remaining[i] for i in rows))
        off = min(off, cart.headroom(merchant_id))
        if off > 0:
            tiered.add(merchant_id)
            _apply(cart, cart.split(off, rows), cart.tier)
    return tiered


def _coupons(
    cart: _Cart, coupons: Sequence[Coupon], tiered: set[int], own: Mapping[int, Stacking]
) -> tuple[CouponUse, ...]:
    """Step 3: coupons, narrowest scope first; what each took, in the order given."""
    uses: dict[str, CouponUse] = {}
    for coupon in sorted(coupons, key=lambda c: SCOPES.index(c.scope)):
        rows = [
            i
            for i, line in enumerate(cart.lines)
            if _in_scope(coupon, line)
            and (line.merchant_id not in tiered or own[line.merchant_id].coupon_with_tier)
        ]
        face = coupon_face_fen(coupon, sum(cart.remaining[i] for i in rows))
        parts = _cap_per_merchant(cart, cart.split(face, rows)) if face else {}
        _apply(cart, parts, cart.coupon)
        for i, fen in parts.items():
            if fen:
                cart.by_coupon[i][coupon.key] = fen
        uses[coupon.key] = CouponUse(
            coupon.key, coupon.funded_by, coupon.merchant_id, sum(parts.values())
        )
    return tuple(uses[c.key] for c in coupons)


def _share(cart: _Cart, own: Mapping[int, Stacking]) -> None:
    """Step 4: share discounts on what each line still pays, capped to keep the last fen."""
    share: dict[int, int] = {}
    for i, line in enumerate(cart.lines):
        if line.share is not None and (
            not line.promoted or own[line.merchant_id].promotion_gets_share_discount
        ):
            share[i] = line.share.of(cart.remaining[i], line.quantity)
    _apply(cart, _cap_per_merchant(cart, share), cart.share)


def _order(
    cart: _Cart, merchant_id: int, settings: Stacking, shipping: Shipping | None
) -> OrderPrice:
    """Step 5: a merchant's order, its shipping added."""
    priced = tuple(_line_price(cart, i, settings) for i in cart.merchant_rows(merchant_id))
    return OrderPrice(
        merchant_id=merchant_id,
        lines=priced,
        goods_fen=sum(p.list_fen for p in priced),
        promotion_fen=sum(p.promotion_fen for p in priced),
        tier_fen=sum(p.tier_fen for p in priced),
        coupon_fen=sum(p.coupon_fen for p in priced),
        share_fen=sum(p.share_fen for p in priced),
        shipping_fen=_shipping(shipping, merchant_id, sum(p.paid_fen for p in priced)),
    )


def _line_price(cart: _Cart, i: int, settings: Stacking) -> LinePrice:
    line = cart.lines[i]
    paid = cart.remaining[i]
    earns = not line.promoted or settings.promotion_earns_commission
    return LinePrice(
        key=line.key,
        merchant_id=line.merchant_id,
        list_fen=line.list_fen,
        promotion_fen=cart.promotion[i],
        tier_fen=cart.tier[i],
        coupon_fen=cart.coupon[i],
        share_fen=cart.share[i],
        paid_fen=paid,
        commission_base_fen=paid if earns else 0,
        coupons=dict(cart.by_coupon[i]),
    )


def _shipping(shipping: Shipping | None, merchant_id: int, paid_goods_fen: int) -> int:
    if shipping is None:
        fen = 0
    elif isinstance(shipping, Mapping):
        fen = shipping.get(merchant_id, 0)
    else:
        fen = shipping(merchant_id, paid_goods_fen)
    if not _is_int(fen) or fen < 0:
        raise InvalidShipping(_("Shipping is zero or more fen."))
    return fen
