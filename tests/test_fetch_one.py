"""core.sql.fetch_one: a hot path's one-row look-up by equal fields, answered alike on every
database (a prepared statement on PostgreSQL, the ORM elsewhere)."""

from __future__ import annotations

import pytest
from conftest import Api
from django.db import connection

from sharemall.accounts.models import Member
from sharemall.core import sql
from sharemall.payments.models import Payment
from tests.factories import MemberFactory, product
from tests.flows import buy

pytestmark = pytest.mark.django_db


def test_finds_the_row_whose_fields_all_match_and_only_that(api: Api, member: Member) -> None:
    stranger = MemberFactory.create()
    sku = product(stock=5).skus.get()
    mine = buy(api, member, sku)["payment_id"]
    theirs = buy(api, stranger, sku)["payment_id"]

    found = sql.fetch_one(Payment, id=mine, buyer_id=member.pk)

    assert found == Payment.objects.get(pk=mine)
    assert found is not None
    assert (found.buyer_id, found.payment_no) == (
        member.pk,
        Payment.objects.get(pk=mine).payment_no,
    )
    assert sql.fetch_one(Payment, id=theirs, buyer_id=member.pk) is None
    assert sql.fetch_one(Payment, pk=theirs, buyer_id=stranger.pk) == Payment.objects.get(pk=theirs)
    assert sql.fetch_one(Payment, id=theirs + mine + 1) is None


def test_one_prepared_statement_per_set_of_fields_whatever_their_order(
    api: Api, member: Member
) -> None:
    """Prepared statements are kept by their text: naming the fields in another order must not
    prepare another."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    payment_id = buy(api, member, product().skus.get())["payment_id"]
    sql.fetch_one(Payment, id=payment_id, buyer_id=member.pk)
    sql.fetch_one(Payment, buyer_id=member.pk, id=payment_id)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements"
            " WHERE statement LIKE %s AND statement LIKE %s",
            ['%FROM "payments_payment" t WHERE%', '%"buyer_id"%'],
        )
        assert cursor.fetchone() == (1,)


def test_refuses_a_look_up_without_fields(db: None) -> None:
    with pytest.raises(TypeError):
        sql.fetch_one(Payment)
