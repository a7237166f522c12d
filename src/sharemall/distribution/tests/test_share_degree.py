"""An order's degree through a share (PRODUCT §6.3) reads the sharer's own earlier orders: on
PostgreSQL by one prepared statement, elsewhere through the ORM. Both must find the same
lowest degree for any mix of orders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.factories import MemberFactory, merchant, product

from sharemall.distribution import rules, selectors
from sharemall.orders import rules as order_rules
from sharemall.orders.models import Order, OrderLine
from sharemall.payments import services as payments

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ORDER = st.tuples(
    st.sampled_from(["share", "parent", ""]),  # attribution
    st.one_of(st.none(), st.integers(1, 3)),  # degree
    st.sampled_from(order_rules.ALL_STATUSES),
    st.integers(0, 2),  # which product its line is of
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(orders=st.lists(ORDER, max_size=6), asked=st.sets(st.integers(0, 2), min_size=1))
def test_the_prepared_read_finds_the_degree_the_orm_finds(
    orders: list[tuple[str, int | None, str, int]], asked: set[int]
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the prepared read is PostgreSQL's")
    with transaction.atomic():
        shop = merchant()
        skus = [product(shop, price_fen=1000).skus.get() for _ in range(3)]
        sharer = MemberFactory.create()
        payment = payments.payment_create(
            buyer=sharer, amount_fen=1000, expires_at=timezone.now() + timedelta(minutes=30)
        )
        for attribution, degree, status, which in orders:
            order = Order.objects.create(
                buyer=sharer,
                merchant=shop,
                payment=payment,
                delivery="express",
                goods_fen=1000,
                total_fen=1000,
                platform_fee_bp=500,
                attribution=attribution,
                degree=degree if attribution == "share" else None,  # only shares have one
                status=status,
            )
            sku = skus[which]
            OrderLine.objects.create(
                order=order,
                sku=sku,
                product_id=sku.product_id,
                title="茶",
                sku_name="罐",
                unit_price_fen=1000,
                quantity=1,
                paid_fen=1000,
            )
        products = [skus[i].product_id for i in sorted(asked)]
        expected = rules.degree_after(selectors.prior_degree_orm(sharer.pk, products))
        assert selectors.share_degree(sharer.pk, products) == expected
        transaction.set_rollback(True)
