"""One rule says whether a product can be bought; its query form agrees with it."""

import itertools

import pytest
from tests.factories import merchant, product

from sharemall.catalog import rules, selectors
from sharemall.catalog.models import Product
from sharemall.merchants import rules as merchant_rules
from sharemall.merchants.models import Merchant

PRODUCT_STATES = (rules.DRAFT, rules.ON_SALE, rules.OFF_SALE)
MERCHANT_STATES = (
    merchant_rules.DRAFT,
    merchant_rules.SUBMITTED,
    merchant_rules.APPROVED,
    merchant_rules.REJECTED,
    merchant_rules.SUSPENDED,
)


def test_only_a_product_on_sale_at_an_approved_merchant_can_be_bought() -> None:
    buyable = {
        (p, m)
        for p, m in itertools.product(PRODUCT_STATES, MERCHANT_STATES)
        if rules.is_buyable(p, m)
    }

    assert buyable == {(rules.ON_SALE, merchant_rules.APPROVED)}


@pytest.mark.django_db
def test_the_query_finds_exactly_the_products_the_rule_calls_buyable() -> None:
    made = {}
    for merchant_status in MERCHANT_STATES:
        seller = merchant()
        Merchant.objects.filter(pk=seller.pk).update(status=merchant_status)
        for product_status in PRODUCT_STATES:
            item = product(seller)
            Product.objects.filter(pk=item.pk).update(status=product_status)
            made[item.pk] = (product_status, merchant_status)

    found = set(Product.objects.filter(selectors.BUYABLE).values_list("pk", flat=True))

    assert found == {pk for pk, states in made.items() if rules.is_buyable(*states)}
    assert len(found) == 1


@pytest.mark.django_db
def test_a_list_of_products_keeps_those_on_sale_in_its_order_whichever_way_it_is_read() -> None:
    first, second, third = product(), product(), product()
    withdrawn = product()
    Product.objects.filter(pk=withdrawn.pk).update(status=rules.OFF_SALE)
    suspended = product()
    Merchant.objects.filter(pk=suspended.merchant_id).update(status=merchant_rules.SUSPENDED)
    asked = [third.pk, withdrawn.pk, first.pk, third.pk, suspended.pk, 987654, second.pk]

    shown = selectors.on_sale_in_order(asked)
    ids = selectors.on_sale_in_order(asked, ids_only=True)

    assert [p.pk for p in shown] == [third.pk, first.pk, second.pk]
    assert ids == [third.pk, first.pk, second.pk]
    # Read to be shown: with what a tile needs.
    assert shown[0].price_from_fen == 9900  # type: ignore[attr-defined]
    assert selectors.on_sale_in_order([]) == []
