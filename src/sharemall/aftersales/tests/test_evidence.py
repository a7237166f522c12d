"""Photos as evidence: a dispute's photos go through the same sanitiser as a request's and are
stored the same way; a hostile image, too many photos or a failed escalation leave nothing
behind; a buyer adds photos to an open request up to the limit."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from PIL import Image
from tests.aftersales_support import ask, paid_order
from tests.factories import MemberFactory
from tests.hostile_images import (
    ACCEPTED,
    REFUSED,
    HostileCase,
    metadata_segments,
    trailing_bytes,
)
from tests.races import all_at_once, postgres_only

from sharemall.accounts.models import Member
from sharemall.aftersales import rules, services
from sharemall.aftersales.models import AfterSale, AfterSalePhoto, Dispute, DisputePhoto
from sharemall.core.errors import DomainError, InvalidTransition
from sharemall.core.images import InvalidImage, stored_photos

pytestmark = pytest.mark.django_db


def png(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, format="PNG")
    return out.getvalue()


def stored_files() -> list[Path]:
    """The evidence files on disk (requests' and disputes'; a merchant's licence is not one)."""
    root = Path(settings.MEDIA_ROOT)
    return sorted(
        p
        for folder in ("aftersales", "disputes")
        for p in (root / folder).rglob("*")
        if p.is_file()
    )


def rejected() -> tuple[AfterSale, Member, Member]:
    order, buyer, owner = paid_order(units=3, price_fen=3333)
    request = ask(order, buyer, 1)
    services.aftersale_reject(request, actor=owner, reason="不同意")
    request.refresh_from_db()
    return request, buyer, owner


def test_an_escalation_keeps_its_photos_cleaned_with_thumbnails() -> None:
    request, buyer, _owner = rejected()
    gps = next(case for case in ACCEPTED if case.name == "jpeg-exif-gps")

    dispute = services.aftersale_escalate(
        request, actor=buyer, statement="盒子压坏了", photos=[png((1200, 600)), gps.data]
    )

    photos = list(DisputePhoto.objects.filter(dispute=dispute))
    assert [p.position for p in photos] == [0, 1]
    assert (photos[0].width, photos[0].height) == (1200, 600)
    assert str(photos[0].image.name).startswith("disputes/")
    assert str(photos[0].thumbnail.name).startswith("disputes/thumbs/")
    with Image.open(photos[0].thumbnail.path) as thumb:
        assert max(thumb.size) == rules.THUMBNAIL_SIDE
    kept = Path(photos[1].image.path).read_bytes()
    assert metadata_segments(kept) == [] and trailing_bytes(kept) == 0
    for payload in gps.payloads:
        assert payload not in kept
    assert len(stored_files()) == 4  # two photos and their thumbnails, nothing else


@pytest.mark.parametrize("case", REFUSED, ids=str)
def test_a_hostile_photo_refuses_the_escalation_and_writes_nothing(case: HostileCase) -> None:
    request, buyer, _owner = rejected()

    with pytest.raises(InvalidImage) as refused:
        services.aftersale_escalate(
            request, actor=buyer, statement="看图", photos=[png(), case.data]
        )

    assert refused.value.code == "invalid_image"
    assert refused.value.details == {"index": 1}
    assert not Dispute.objects.exists()
    assert AfterSale.objects.get(pk=request.pk).status == rules.REJECTED
    assert stored_files() == []


def test_more_photos_than_the_limit_refuse_the_escalation() -> None:
    request, buyer, _owner = rejected()

    with pytest.raises(DomainError) as refused:
        services.aftersale_escalate(
            request, actor=buyer, statement="看图", photos=[png()] * (rules.MAX_PHOTOS + 1)
        )

    assert refused.value.code == "invalid_image"
    assert not Dispute.objects.exists()
    assert stored_files() == []


def test_a_failed_escalation_takes_its_stored_photos_away() -> None:
    order, buyer, owner = paid_order(units=3, price_fen=3333)
    first = ask(order, buyer, 3)
    services.aftersale_reject(first, actor=owner, reason="不同意")
    ask(order, buyer, 2)  # a newer request claims the units again
    first.refresh_from_db()

    with pytest.raises(DomainError) as refused:
        services.aftersale_escalate(first, actor=buyer, statement="我要申诉", photos=[png()])

    assert refused.value.code == "units_reclaimed"
    assert not Dispute.objects.exists() and not DisputePhoto.objects.exists()
    assert stored_files() == []


def test_the_buyer_adds_photos_to_an_open_request_up_to_the_limit() -> None:
    order, buyer, _owner = paid_order(units=3, price_fen=3333)
    request = services.aftersale_request(
        buyer=buyer,
        order=order,
        kind="refund",
        lines=[(order.lines.get().pk, 1)],
        reason="坏了",
        photos=[png(), png()],
    )

    services.aftersale_photos_add(request, actor=buyer, photos=[png((50, 50))] * 3)

    photos = list(AfterSalePhoto.objects.filter(aftersale=request))
    assert [p.position for p in photos] == [0, 1, 2, 3, 4]
    assert (photos[-1].width, photos[-1].height) == (50, 50)
    assert len(stored_files()) == 10

    with pytest.raises(services.TooManyPhotos) as full:
        services.aftersale_photos_add(request, actor=buyer, photos=[png()] * 5)
    assert full.value.code == "too_many_photos"
    assert AfterSalePhoto.objects.filter(aftersale=request).count() == 5
    assert len(stored_files()) == 10


def test_a_hostile_photo_adds_nothing_to_a_request() -> None:
    order, buyer, _owner = paid_order(units=3, price_fen=3333)
    request = ask(order, buyer, 1)

    with pytest.raises(InvalidImage):
        services.aftersale_photos_add(request, actor=buyer, photos=[png(), REFUSED[0].data])

    assert not AfterSalePhoto.objects.exists()
    assert stored_files() == []


def test_photos_join_only_an_open_request_of_ones_own() -> None:
    order, buyer, _owner = paid_order(units=3, price_fen=3333)
    request = ask(order, buyer, 1)

    with pytest.raises(DomainError):
        services.aftersale_photos_add(request, actor=MemberFactory.create(), photos=[png()])
    services.aftersale_cancel(request, actor=buyer)
    request.refresh_from_db()
    with pytest.raises(InvalidTransition):
        services.aftersale_photos_add(request, actor=buyer, photos=[png()])

    assert not AfterSalePhoto.objects.exists()
    assert stored_files() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_uploads_at_once_never_pass_the_limit() -> None:
    postgres_only()
    order, buyer, _owner = paid_order(units=3, price_fen=3333)
    request = ask(order, buyer, 1)

    both_stored = threading.Barrier(2, timeout=20)

    @contextmanager
    def stored_then_wait(*args: Any, **kwargs: Any) -> Iterator[Any]:
        # Both uploads have counted the photos and written their files before either counts
        # again in its transaction.
        with stored_photos(*args, **kwargs) as stored:
            both_stored.wait()
            yield stored

    def add_five() -> AfterSale:
        mine = AfterSale.objects.get(pk=request.pk)
        return services.aftersale_photos_add(mine, actor=buyer, photos=[png()] * 5)

    with mock.patch.object(services, "stored_photos", stored_then_wait):
        outcomes = all_at_once([add_five, add_five])

    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], services.TooManyPhotos), outcomes
    kept = AfterSalePhoto.objects.filter(aftersale=request)
    assert sorted(kept.values_list("position", flat=True)) == [0, 1, 2, 3, 4]
    assert len(stored_files()) == 10  # the refused upload's files were taken away
