"""The address book: one default per member, kept by the services, and its API."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from conftest import Api
from django.db import IntegrityError, connection, connections, transaction
from tests.factories import MemberFactory

from sharemall.accounts.models import Member
from sharemall.addresses import rules, selectors, services
from sharemall.addresses.models import Address

pytestmark = pytest.mark.django_db


def fields(**changes: str) -> rules.AddressFields:
    data = {
        "region_code": "440305",
        "address": "科技园 1 号",
        "receiver": "张三",
        "phone": "13912345678",
        **changes,
    }
    return rules.address_fields(**data)


def defaults(member: Member) -> list[int]:
    return list(Address.objects.filter(member=member, is_default=True).values_list("pk", flat=True))


def test_the_first_address_becomes_the_default_and_a_new_default_moves_it() -> None:
    m = MemberFactory.create()
    first = services.address_create(m, fields())
    second = services.address_create(m, fields(address="二号"))
    assert first.is_default and not second.is_default
    assert defaults(m) == [first.pk]
    third = services.address_create(m, fields(address="三号"), is_default=True)
    assert defaults(m) == [third.pk]
    services.address_make_default(m, second.pk)
    assert defaults(m) == [second.pk]
    services.address_update(m, first.pk, fields(address="改了"), is_default=True)
    assert defaults(m) == [first.pk]
    assert Address.objects.get(pk=first.pk).address == "改了"


def test_the_default_cannot_be_unset_without_choosing_another() -> None:
    m = MemberFactory.create()
    only = services.address_create(m, fields())
    services.address_update(m, only.pk, fields(receiver="李四"), is_default=False)
    assert defaults(m) == [only.pk]


def test_deleting_the_default_promotes_the_newest_remaining_address() -> None:
    m = MemberFactory.create()
    first = services.address_create(m, fields())
    older = services.address_create(m, fields(address="二号"))
    newest = services.address_create(m, fields(address="三号"))
    services.address_delete(m, first.pk)
    assert defaults(m) == [newest.pk]
    services.address_delete(m, older.pk)  # not the default: nothing moves
    assert defaults(m) == [newest.pk]
    services.address_delete(m, newest.pk)
    assert not Address.objects.filter(member=m).exists()


def test_the_database_refuses_a_second_default() -> None:
    m = MemberFactory.create()
    services.address_create(m, fields())
    with pytest.raises(IntegrityError), transaction.atomic():
        Address.objects.create(
            member=m, region_code="440305", address="x", receiver="y", phone="1", is_default=True
        )


def test_an_address_book_holds_at_most_its_cap() -> None:
    m = MemberFactory.create()
    for i in range(rules.MAX_ADDRESSES):
        services.address_create(m, fields(address=f"{i} 号"))
    with pytest.raises(rules.TooManyAddresses) as refused:
        services.address_create(m, fields())
    assert refused.value.code == "too_many_addresses"
    # The cap is per member.
    services.address_create(MemberFactory.create(), fields())


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"region_code": "440300"}, "invalid_region"),  # a city, not a district
        ({"region_code": "999999"}, "invalid_region"),
        ({"address": "  "}, "invalid_address"),
        ({"address": "长" * 201}, "invalid_address"),
        ({"receiver": ""}, "invalid_address"),
        ({"phone": "12345"}, "invalid_phone"),
    ],
)
def test_an_address_is_checked_as_checkout_checks_one(changes: dict[str, str], code: str) -> None:
    with pytest.raises(Exception) as refused:
        fields(**changes)
    assert getattr(refused.value, "code", None) == code


def test_another_members_address_is_not_found() -> None:
    owner, other = MemberFactory.create(), MemberFactory.create()
    mine = services.address_create(owner, fields())
    for attempt in (
        lambda: selectors.address_of(other, mine.pk),
        lambda: services.address_delete(other, mine.pk),
        lambda: services.address_make_default(other, mine.pk),
        lambda: services.address_update(other, mine.pk, fields()),
    ):
        with pytest.raises(Exception) as refused:
            attempt()
        assert getattr(refused.value, "status", None) == 404
    assert Address.objects.get(pk=mine.pk).address == "科技园 1 号"


def body(**changes: Any) -> dict[str, Any]:
    return {
        "region_code": "440305",
        "address": "科技园 1 号",
        "receiver": "张三",
        "phone": "+86 139 1234 5678",
        "is_default": False,
        **changes,
    }


def test_the_api_creates_lists_replaces_and_deletes_addresses(api: Api) -> None:
    m = MemberFactory.create()
    created = api.post("/me/addresses", body(), as_=m)
    assert created.status == 201, created.body
    first = created.body["id"]
    assert created.body == {
        "id": first,
        "region_code": "440305",
        "region_name": "广东省深圳市南山区",
        "address": "科技园 1 号",
        "receiver": "张三",
        "phone": "13912345678",
        "is_default": True,
    }
    second = api.post("/me/addresses", body(address="二号", is_default=True), as_=m).body["id"]
    listed = api.get("/me/addresses", as_=m)
    assert [(a["id"], a["is_default"]) for a in listed.body] == [(second, True), (first, False)]
    replaced = api.put(f"/me/addresses/{first}", body(receiver="李四", is_default=True), as_=m)
    assert replaced.status == 200, replaced.body
    assert replaced.body["receiver"] == "李四" and replaced.body["is_default"]
    assert api.delete(f"/me/addresses/{first}", as_=m).status == 204
    assert [(a["id"], a["is_default"]) for a in api.get("/me/addresses", as_=m).body] == [
        (second, True)
    ]


def test_the_api_refuses_bad_addresses_with_their_codes(api: Api) -> None:
    m = MemberFactory.create()
    for changes, code in (
        ({"region_code": "440300"}, "invalid_region"),
        ({"address": ""}, "invalid_address"),
        ({"phone": "110"}, "invalid_phone"),
    ):
        answer = api.post("/me/addresses", body(**changes), as_=m)
        assert (answer.status, answer.error_code) == (400, code)
    assert not Address.objects.filter(member=m).exists()
    mine = api.post("/me/addresses", body(), as_=m).body["id"]
    other = MemberFactory.create()
    assert api.put(f"/me/addresses/{mine}", body(), as_=other).status == 404
    assert api.delete(f"/me/addresses/{mine}", as_=other).status == 404
    bad = api.put(f"/me/addresses/{mine}", body(region_code="1"), as_=m)
    assert (bad.status, bad.error_code) == (400, "invalid_region")


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_keep_one_default_and_the_cap() -> None:
    m: Member = MemberFactory.create()
    for i in range(rules.MAX_ADDRESSES - 4):
        services.address_create(m, fields(address=f"{i} 号"))
    threads_n = 8
    barrier = threading.Barrier(threads_n)
    refused: list[str] = []
    lock = threading.Lock()

    def save(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            services.address_create(m, fields(address=f"并发 {i}"), is_default=True)
        except rules.TooManyAddresses as exc:
            with lock:
                refused.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert Address.objects.filter(member=m).count() == rules.MAX_ADDRESSES
    assert refused == ["too_many_addresses"] * 4
    assert len(defaults(m)) == 1
