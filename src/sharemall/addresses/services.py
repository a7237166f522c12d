"""Writing the address book. A member with addresses has exactly one default: the first address
becomes it, choosing another moves it with two conditional updates inside one transaction (clear
the current default, then set the new one — the partial unique constraint refuses a second), and
deleting the default promotes the newest remaining address. Every write first locks the member's
row, so concurrent writes of one member's book (and its cap) queue rather than race."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.addresses import rules
from sharemall.addresses.models import Address
from sharemall.addresses.selectors import address_of


def _lock(member: Member) -> None:
    Member.objects.select_for_update().filter(pk=member.pk).values_list("pk").first()


def _make_default(member: Member, address_id: int) -> None:
    Address.objects.filter(member=member, is_default=True).filter(~Q(pk=address_id)).update(
        is_default=False
    )
    Address.objects.filter(member=member, pk=address_id, is_default=False).update(is_default=True)


def address_create(
    member: Member, fields: rules.AddressFields, *, is_default: bool = False
) -> Address:
    """Save a new address; the member's first one, or one asked to be, becomes the default.
    More than MAX_ADDRESSES answers 400 too_many_addresses."""
    with transaction.atomic():
        _lock(member)
        count = Address.objects.filter(member=member).count()
        if count >= rules.MAX_ADDRESSES:
            raise rules.TooManyAddresses(
                _("An address book holds at most %(n)d addresses.") % {"n": rules.MAX_ADDRESSES}
            )
        address = Address.objects.create(
            member=member,
            region_code=fields.region_code,
            address=fields.address,
            receiver=fields.receiver,
            phone=fields.phone,
        )
        if is_default or count == 0:
            _make_default(member, address.pk)
            address.is_default = True
    return address


def address_update(
    member: Member, address_id: int, fields: rules.AddressFields, *, is_default: bool = False
) -> Address:
    """Replace an address's fields; `is_default` makes it the default. The default stays the
    default until another address is chosen (a book with addresses always has one)."""
    with transaction.atomic():
        _lock(member)
        address = address_of(member, address_id)
        Address.objects.filter(pk=address.pk).update(
            region_code=fields.region_code,
            address=fields.address,
            receiver=fields.receiver,
            phone=fields.phone,
        )
        if is_default:
            _make_default(member, address.pk)
    return address_of(member, address_id)


def address_make_default(member: Member, address_id: int) -> Address:
    with transaction.atomic():
        _lock(member)
        address_of(member, address_id)
        _make_default(member, address_id)
    return address_of(member, address_id)


def address_delete(member: Member, address_id: int) -> None:
    """Delete an address; deleting the default promotes the newest remaining one."""
    with transaction.atomic():
        _lock(member)
        address = address_of(member, address_id)
        address.delete()
        if address.is_default:
            newest = Address.objects.filter(member=member).order_by("-created_at", "-id").first()
            if newest is not None:
                _make_default(member, newest.pk)
