"""Reading members."""

from __future__ import annotations

from sharemall.accounts.models import Member
from sharemall.accounts.rules import normalize_phone
from sharemall.core.errors import DomainError


def active_member(*, member_id: int | None = None, phone: str | None = None) -> Member | None:
    """An active member by id, or by the phone they signed up with (None if neither finds one,
    or the phone is not a phone number)."""
    if member_id is not None:
        return Member.objects.filter(pk=member_id, is_active=True).first()
    if phone:
        try:
            number = normalize_phone(phone)
        except DomainError:
            return None
        return Member.objects.filter(phone=number, is_active=True).first()
    return None
