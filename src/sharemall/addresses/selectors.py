from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.addresses.models import Address
from sharemall.core.errors import NotFound


def addresses_of(member: Member) -> QuerySet[Address]:
    """The member's addresses, the default first, then the newest."""
    return Address.objects.filter(member=member)


def address_of(member: Member, address_id: int) -> Address:
    """One of the member's addresses; someone else's answers 404 like a missing one."""
    found = Address.objects.filter(member=member, pk=address_id).first()
    if found is None:
        raise NotFound(_("No such address."))
    return found


def default_address(member: Member) -> Address | None:
    return Address.objects.filter(member=member, is_default=True).first()
