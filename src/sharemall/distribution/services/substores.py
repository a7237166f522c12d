"""Distributors' sub-stores (分销小店): the products they choose to show."""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.catalog.selectors import on_sale_in_order
from sharemall.core.errors import DomainError
from sharemall.distribution.models import (
    SubStore,
    SubStoreItem,
)

SUBSTORE_MAX_ITEMS = 200


def substore_set(owner: Member, *, product_ids: Sequence[int], title: str = "") -> SubStore:
    """Choose the products of a distributor's sub-store (in the order given). Only products on
    sale can be chosen; enabling distribution is what opens a sub-store, and it costs nothing."""
    if not owner.is_distributor:
        raise DomainError(_("Enable distribution first; it is free."), code="not_a_distributor")
    ids = list(dict.fromkeys(product_ids))
    if len(ids) > SUBSTORE_MAX_ITEMS:
        raise DomainError(
            _("A sub-store holds at most %(n)d products.") % {"n": SUBSTORE_MAX_ITEMS},
            code="invalid_input",
        )
    public = set(on_sale_in_order(ids, ids_only=True))
    missing = [i for i in ids if i not in public]
    if missing:
        raise DomainError(
            _("These products are not on sale: %(ids)s") % {"ids": ", ".join(map(str, missing))},
            code="invalid_product",
            details={"product_ids": missing},
        )
    with transaction.atomic():
        store, _created = SubStore.objects.get_or_create(member=owner)
        SubStore.objects.filter(pk=store.pk).update(
            title=" ".join(title.split())[:40], updated_at=timezone.now()
        )
        SubStoreItem.objects.filter(substore=store).delete()
        SubStoreItem.objects.bulk_create(
            SubStoreItem(substore=store, product_id=pid, position=i) for i, pid in enumerate(ids)
        )
    store.refresh_from_db()
    return store
