"""The pricing engine's rules: worked examples of each step with exact fen, the stacking settings,
the errors, and properties over random carts (parts sum to the whole, nothing negative, every
order keeps at least 1 fen, the commission base never exceeds what was paid)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sharemall.core.errors import DomainError
from sharemall.promotions.rules import pricing as r


def line(
    key: str,
    price: int,
    quantity: int = 1,
    *,
    merchant: int = 1,
    product: int = 1,
    category: int | None = 1,
    promo: int | None = None,
    share: r.ShareDiscount | None = None,
) -> r.CartLine:
    return r.CartLine(
        key,
        merchant,
        product,
        category,
        price,
        quantity,
        promotion_unit_fen=promo,
        promotion_kind=r.FLASH if promo is not None else None,
        share=share,
    )


def lines_by_key(price: r.CartPrice) -> dict[str, r.LinePrice]:
    return {lp.key: lp for order in price.orders for lp in order.lines}


# --- Worked examples, one per step ------------------------------------------------------------


def test_promotion_price_replaces_the_list_price_and_earns_no_commission_by_default() -> None:
    cart = [line("a", 100_00, 2, promo=80_00), line("b", 50_00)]
    priced = lines_by_key(r.price_cart(cart))
    assert (priced["a"].promotion_fen, priced["a"].paid_fen) == (40_00, 160_00)
    assert priced["a"].commission_base_fen == 0
    assert priced["b"].commission_base_fen == 50_00
    earning = r.price_cart(cart, stacking={1: r.Stacking(promotion_earns_commission=True)})
    assert lines_by_key(earning)["a"].commission_base_fen == 160_00


def test_the_best_tier_reached_is_apportioned_by_what_each_line_pays() -> None:
    tiers = {1: [r.SpendTier(50_00, 5_00), r.SpendTier(100_00, 15_00)]}
    price = r.price_cart([line("a", 60_00), line("b", 40_00)], tiers=tiers)
    priced = lines_by_key(price)
    assert (priced["a"].tier_fen, priced["b"].tier_fen) == (9_00, 6_00)
    assert price.orders[0].tier_fen == 15_00
    assert price.orders[0].total_fen == 85_00


def test_a_tier_is_reached_on_promotion_prices_not_list_prices() -> None:
    tiers = {1: [r.SpendTier(100_00, 15_00)]}
    price = r.price_cart([line("a", 120_00, promo=90_00)], tiers=tiers)
    assert price.orders[0].tier_fen == 0
    assert price.orders[0].total_fen == 90_00


def test_a_coupon_after_a_tier_when_they_stack() -> None:
    tiers = {1: [r.SpendTier(100_00, 15_00)]}
    coupon = r.Coupon("c", r.AMOUNT, threshold_fen=80_00, amount_fen=10_00)
    price = r.price_cart(
        [line("a", 60_00), line("b", 40_00)],
        tiers=tiers,
        coupons=[coupon],
        stacking={1: r.Stacking(coupon_with_tier=True)},
    )
    priced = lines_by_key(price)
    # After the tier the lines pay 51.00 and 34.00: the ¥10 splits 6.00 / 4.00.
    assert (priced["a"].coupon_fen, priced["b"].coupon_fen) == (6_00, 4_00)
    assert (priced["a"].paid_fen, priced["b"].paid_fen) == (45_00, 30_00)
    assert price.coupons == (r.CouponUse("c", r.FUNDED_BY_PLATFORM, None, 10_00),)
    assert priced["a"].coupons == {"c": 6_00}


def test_a_coupon_does_not_stack_with_a_tier_when_the_merchant_says_so() -> None:
    tiers = {1: [r.SpendTier(100_00, 15_00)]}
    coupon = r.Coupon("c", r.AMOUNT, threshold_fen=80_00, amount_fen=10_00)
    price = r.price_cart(
        [line("a", 60_00), line("b", 40_00)],
        tiers=tiers,
        coupons=[coupon],
        stacking={1: r.Stacking(coupon_with_tier=False)},
    )
    assert price.orders[0].coupon_fen == 0
    assert price.coupons[0].taken_fen == 0
    assert not price.coupons[0].applied


def test_a_coupon_threshold_is_met_by_what_the_lines_pay_after_the_tier() -> None:
    tiers = {1: [r.SpendTier(100_00, 15_00)]}
    coupon = r.Coupon("c", r.AMOUNT, threshold_fen=90_00, amount_fen=10_00)
    price = r.price_cart(
        [line("a", 100_00)],
        tiers=tiers,
        coupons=[coupon],
        stacking={1: r.Stacking(coupon_with_tier=True)},
    )
    assert price.orders[0].coupon_fen == 0  # 85.00 is under 90.00, though the list is 100.00


def test_a_percent_coupon_is_capped() -> None:
    coupon = r.Coupon("p", r.PERCENT, percent_bp=1000, cap_fen=5_00)
    assert r.price_cart([line("a", 85_00)], coupons=[coupon]).orders[0].coupon_fen == 5_00
    uncapped = r.Coupon("p", r.PERCENT, percent_bp=1000)
    assert r.price_cart([line("a", 85_00)], coupons=[uncapped]).orders[0].coupon_fen == 8_50


def test_a_scoped_coupon_covers_only_its_lines() -> None:
    cart = [
        line("a", 30_00, product=7, category=2),
        line("b", 70_00, product=8, category=3),
        line("c", 50_00, merchant=2, product=9, category=2),
    ]
    category = r.Coupon(
        "cat",
        r.AMOUNT,
        amount_fen=10_00,
        scope=r.SCOPE_CATEGORY,
        scope_ids=frozenset({2}),
        funded_by=r.FUNDED_BY_MERCHANT,
        merchant_id=1,
    )
    product = r.Coupon(
        "prod", r.AMOUNT, amount_fen=5_00, scope=r.SCOPE_PRODUCT, scope_ids=frozenset({8, 9})
    )
    price = r.price_cart(cart, coupons=[category, product])
    priced = lines_by_key(price)
    assert priced["a"].coupons == {"cat": 10_00}  # merchant 1's own category coupon only
    # The product coupon spans merchants: 5.00 by 70.00 : 50.00.
    assert priced["b"].coupons == {"prod": 2_92}
    assert priced["c"].coupons == {"prod": 2_08}
    assert [u.taken_fen for u in price.coupons] == [10_00, 5_00]


def test_the_share_discount_comes_last_on_what_the_line_still_pays() -> None:
    coupon = r.Coupon("c", r.AMOUNT, amount_fen=10_00)
    cart = [
        line("a", 60_00, share=r.ShareDiscount(r.BP, 1000)),
        line("b", 40_00, share=r.ShareDiscount(r.FEN, 2_00)),
    ]
    priced = lines_by_key(r.price_cart(cart, coupons=[coupon]))
    assert (priced["a"].coupon_fen, priced["b"].coupon_fen) == (6_00, 4_00)
    assert priced["a"].share_fen == 5_40  # 10 % of 54.00
    assert priced["b"].share_fen == 2_00
    assert (priced["a"].paid_fen, priced["b"].paid_fen) == (48_60, 34_00)
    assert priced["a"].commission_base_fen == 48_60


def test_promotion_lines_get_the_share_discount_only_when_the_merchant_says_so() -> None:
    cart = [line("a", 100_00, promo=80_00, share=r.ShareDiscount(r.BP, 1000))]
    assert lines_by_key(r.price_cart(cart))["a"].share_fen == 0
    allowed = r.price_cart(cart, stacking={1: r.Stacking(promotion_gets_share_discount=True)})
    assert lines_by_key(allowed)["a"].share_fen == 8_00


def test_shipping_is_added_last_and_never_discounted() -> None:
    coupon = r.Coupon("c", r.AMOUNT, amount_fen=500_00)
    price = r.price_cart([line("a", 100_00)], coupons=[coupon], shipping={1: 8_00})
    order = price.orders[0]
    assert (order.coupon_fen, order.shipping_fen, order.total_fen) == (99_99, 8_00, 8_01)
    assert order.lines[0].commission_base_fen == 1


def test_shipping_can_depend_on_the_goods_paid() -> None:
    seen: list[tuple[int, int]] = []

    def free_over_50(merchant_id: int, goods_fen: int) -> int:
        seen.append((merchant_id, goods_fen))
        return 0 if goods_fen >= 50_00 else 6_00

    coupon = r.Coupon("c", r.AMOUNT, amount_fen=15_00)
    price = r.price_cart([line("a", 60_00)], coupons=[coupon], shipping=free_over_50)
    assert seen == [(1, 45_00)]
    assert price.total_fen == 51_00


def test_the_last_discount_is_capped_to_keep_one_fen() -> None:
    cart = [line("a", 1_00, share=r.ShareDiscount(r.BP, 10_000))]
    tiers = {1: [r.SpendTier(0, 50)]}
    priced = lines_by_key(r.price_cart(cart, tiers=tiers))["a"]
    assert (priced.tier_fen, priced.share_fen, priced.paid_fen) == (50, 49, 1)


def test_orders_come_per_merchant_in_merchant_order() -> None:
    cart = [line("x", 10_00, merchant=5), line("y", 20_00, merchant=2)]
    price = r.price_cart(cart, shipping={5: 3_00})
    assert [(o.merchant_id, o.total_fen) for o in price.orders] == [(2, 20_00), (5, 13_00)]
    assert price.total_fen == 33_00


# --- Impossible inputs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cart", "kwargs", "code"),
    [
        ([], {}, "invalid_cart_line"),
        ([line("a", 0)], {}, "invalid_cart_line"),
        ([line("a", 1_00, 0)], {}, "invalid_quantity"),
        ([line("a", 1_00, promo=2_00)], {}, "invalid_cart_line"),
        ([line("a", 1_00, promo=0)], {}, "invalid_cart_line"),
        ([r.CartLine("a", 1, 1, 1, 1_00, 1, promotion_unit_fen=50)], {}, "invalid_cart_line"),
        (
            [r.CartLine("a", 1, 1, 1, 1_00, 1, promotion_unit_fen=50, promotion_kind="x")],
            {},
            "invalid_cart_line",
        ),
        ([line("a", 1_00, share=r.ShareDiscount(r.BP, -1))], {}, "invalid_cart_line"),
        ([line("a", 1_00, share=r.ShareDiscount("yuan", 1))], {}, "invalid_cart_line"),
        ([line("a", 1_00), line("a", 2_00)], {}, "invalid_cart_line"),
        ([line("a", 1_00)], {"tiers": {1: [r.SpendTier(-1, 10)]}}, "invalid_spend_tier"),
        ([line("a", 1_00)], {"tiers": {1: [r.SpendTier(100, 0)]}}, "invalid_spend_tier"),
        ([line("a", 1_00)], {"coupons": [r.Coupon("c", "gift")]}, "invalid_coupon"),
        ([line("a", 1_00)], {"coupons": [r.Coupon("c", r.AMOUNT)]}, "invalid_coupon"),
        (
            [line("a", 1_00)],
            {"coupons": [r.Coupon("c", r.AMOUNT, amount_fen=1, threshold_fen=-5)]},
            "invalid_coupon",
        ),
        (
            [line("a", 1_00)],
            {"coupons": [r.Coupon("c", r.PERCENT, percent_bp=0)]},
            "invalid_coupon",
        ),
        (
            [line("a", 1_00)],
            {"coupons": [r.Coupon("c", r.PERCENT, percent_bp=10_001)]},
            "invalid_coupon",
        ),
        (
            [line("a", 1_00)],
            {"coupons": [r.Coupon("c", r.PERCENT, percent_bp=100, cap_fen=0)]},
            "invalid_coupon",
        ),
        (
            [line("a", 1_00)],
            {"coupons": [r.Coupon("c", r.AMOUNT, amount_fen=1, scope=r.SCOPE_PRODUCT)]},
            "missing_scope",
        ),
        (
            [line("a", 1_00)],
            {"coupons": [r.Coupon("c", r.AMOUNT, amount_fen=1, scope="world")]},
            "invalid_coupon",
        ),
        (
            [line("a", 1_00)],
            {"coupons": [r.Coupon("c", r.AMOUNT, amount_fen=1, funded_by=r.FUNDED_BY_MERCHANT)]},
            "invalid_coupon",
        ),
        (
            [line("a", 1_00)],
            {"coupons": [r.Coupon("c", r.AMOUNT, amount_fen=1)] * 2},
            "coupon_repeated",
        ),
        ([line("a", 1_00)], {"shipping": {1: -1}}, "invalid_shipping"),
    ],
)
def test_impossible_inputs_are_refused_with_a_code(
    cart: list[r.CartLine], kwargs: dict[str, object], code: str
) -> None:
    with pytest.raises(r.InvalidPricing) as caught:
        r.price_cart(cart, **kwargs)  # type: ignore[arg-type]
    assert isinstance(caught.value, DomainError)
    assert caught.value.code == code
    assert caught.value.status == 400
    assert caught.value.message


# --- Properties -------------------------------------------------------------------------------

MERCHANTS = (1, 2, 3)


@st.composite
def carts(draw: st.DrawFn) -> list[r.CartLine]:
    n = draw(st.integers(min_value=1, max_value=6))
    result = []
    for k in range(n):
        price = draw(st.integers(min_value=1, max_value=300_00))
        promo = draw(st.none() | st.integers(min_value=1, max_value=price))
        share = draw(
            st.none()
            | st.builds(r.ShareDiscount, st.just(r.BP), st.integers(0, 10_000))
            | st.builds(r.ShareDiscount, st.just(r.FEN), st.integers(0, 50_00))
        )
        result.append(
            r.CartLine(
                key=f"l{k}",
                merchant_id=draw(st.sampled_from(MERCHANTS)),
                product_id=draw(st.integers(1, 5)),
                category_id=draw(st.none() | st.integers(1, 3)),
                unit_price_fen=price,
                quantity=draw(st.integers(1, 5)),
                promotion_unit_fen=promo,
                promotion_kind=draw(st.sampled_from(r.PROMOTION_KINDS)) if promo else None,
                share=share,
            )
        )
    return result


tier_lists = st.lists(
    st.builds(r.SpendTier, st.integers(0, 500_00), st.integers(1, 200_00)), max_size=3
)


@st.composite
def coupon_lists(draw: st.DrawFn) -> list[r.Coupon]:
    n = draw(st.integers(0, 3))
    result = []
    for k in range(n):
        kind = draw(st.sampled_from((r.AMOUNT, r.PERCENT)))
        scope = draw(st.sampled_from(r.SCOPES))
        ids = {
            r.SCOPE_PRODUCT: st.integers(1, 5),
            r.SCOPE_CATEGORY: st.integers(1, 3),
            r.SCOPE_MERCHANT: st.sampled_from(MERCHANTS),
            r.SCOPE_PLATFORM: st.integers(1, 3),
        }[scope]
        merchant = draw(st.none() | st.sampled_from(MERCHANTS))
        result.append(
            r.Coupon(
                key=f"c{k}",
                kind=kind,
                threshold_fen=draw(st.integers(0, 500_00)),
                amount_fen=draw(st.integers(1, 300_00)) if kind == r.AMOUNT else 0,
                percent_bp=draw(st.integers(1, 10_000)) if kind == r.PERCENT else 0,
                cap_fen=draw(st.none() | st.integers(1, 100_00)) if kind == r.PERCENT else None,
                scope=scope,
                scope_ids=frozenset(draw(st.sets(ids, min_size=1, max_size=3))),
                funded_by=r.FUNDED_BY_MERCHANT if merchant else r.FUNDED_BY_PLATFORM,
                merchant_id=merchant,
            )
        )
    return result


stackings = st.builds(r.Stacking, st.booleans(), st.booleans(), st.booleans())


@settings(max_examples=200, deadline=None)
@given(
    cart=carts(),
    tiers=st.dictionaries(st.sampled_from(MERCHANTS), tier_lists),
    coupons=coupon_lists(),
    stacking=st.dictionaries(st.sampled_from(MERCHANTS), stackings),
    shipping=st.dictionaries(st.sampled_from(MERCHANTS), st.integers(0, 20_00)),
)
def test_every_priced_cart_adds_up(
    cart: list[r.CartLine],
    tiers: dict[int, list[r.SpendTier]],
    coupons: list[r.Coupon],
    stacking: dict[int, r.Stacking],
    shipping: dict[int, int],
) -> None:
    price = r.price_cart(cart, tiers=tiers, coupons=coupons, stacking=stacking, shipping=shipping)
    source = {cl.key: cl for cl in cart}
    priced = lines_by_key(price)
    assert set(priced) == set(source)
    for lp in priced.values():
        cl = source[lp.key]
        _check_line(cl, lp, stacking.get(cl.merchant_id, r.Stacking()))
    for order in price.orders:
        _check_order(order, tiers, stacking.get(order.merchant_id, r.Stacking()), shipping)
    _check_coupons(coupons, price, source)


def _check_line(cl: r.CartLine, lp: r.LinePrice, own: r.Stacking) -> None:
    steps = (lp.promotion_fen, lp.tier_fen, lp.coupon_fen, lp.share_fen)
    assert all(s >= 0 for s in steps)
    assert lp.paid_fen == cl.list_fen - lp.discount_fen >= 0
    assert sum(lp.coupons.values()) == lp.coupon_fen
    if cl.share is None or (cl.promoted and not own.promotion_gets_share_discount):
        assert lp.share_fen == 0
    if cl.promoted:
        off = (cl.unit_price_fen - (cl.promotion_unit_fen or 0)) * cl.quantity
        assert lp.promotion_fen == off
        earns = own.promotion_earns_commission
    else:
        assert lp.promotion_fen == 0
        earns = True
    assert lp.commission_base_fen == (lp.paid_fen if earns else 0)


def _check_order(
    order: r.OrderPrice,
    tiers: dict[int, list[r.SpendTier]],
    own: r.Stacking,
    shipping: dict[int, int],
) -> None:
    assert {lp.merchant_id for lp in order.lines} == {order.merchant_id}
    assert order.total_fen >= 1
    assert order.total_fen == order.paid_goods_fen + order.shipping_fen
    assert order.shipping_fen == shipping.get(order.merchant_id, 0)
    assert order.goods_fen == sum(lp.list_fen for lp in order.lines)
    assert order.coupon_fen == sum(lp.coupon_fen for lp in order.lines)
    assert order.tier_fen == sum(lp.tier_fen for lp in order.lines)
    assert order.share_fen == sum(lp.share_fen for lp in order.lines)
    assert order.paid_goods_fen == sum(lp.paid_fen for lp in order.lines) >= 1
    commission_base = sum(lp.commission_base_fen for lp in order.lines)
    assert commission_base <= order.total_fen - order.shipping_fen
    assert order.tier_fen <= r.best_tier_fen(tiers.get(order.merchant_id, ()), 10**12)
    if order.tier_fen and not own.coupon_with_tier:
        assert order.coupon_fen == 0


def _check_coupons(
    coupons: list[r.Coupon], price: r.CartPrice, source: dict[str, r.CartLine]
) -> None:
    priced = lines_by_key(price)
    assert [u.key for u in price.coupons] == [c.key for c in coupons]
    for coupon, use in zip(coupons, price.coupons, strict=True):
        parts = {k: lp.coupons.get(coupon.key, 0) for k, lp in priced.items()}
        assert sum(parts.values()) == use.taken_fen
        assert (use.funded_by, use.merchant_id) == (coupon.funded_by, coupon.merchant_id)
        assert all(r._in_scope(coupon, source[k]) for k, fen in parts.items() if fen)
        if coupon.kind == r.AMOUNT:
            assert use.taken_fen <= coupon.amount_fen
        elif coupon.cap_fen is not None:
            assert use.taken_fen <= coupon.cap_fen


@settings(max_examples=200, deadline=None)
@given(total=st.integers(0, 10**7), weights=st.lists(st.integers(0, 10**6), min_size=1, max_size=8))
def test_apportioning_never_takes_more_than_a_line_pays(total: int, weights: list[int]) -> None:
    cart = r._Cart([line(f"l{i}", max(w, 1)) for i, w in enumerate(weights)])
    cart.remaining = list(weights)
    rows = list(range(len(weights)))
    parts = cart.split(min(total, sum(weights)), rows)
    assert sum(parts.values()) == min(total, sum(weights)) or sum(weights) == 0
    assert all(0 <= parts[i] <= weights[i] for i in rows)
