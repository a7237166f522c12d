"""Closing an account (PIPL art. 47): the person's data is erased, the records the law makes us
keep are not.

Kept, unchanged, for the retention period (E-commerce Law art. 31: three years from the end
of the deal): orders with their lines and the delivery details as they were, ledger postings,
commission entries, withdrawals, and the binding rows (the member stays a node of the tree, so
the downline keeps its binding history). Erased: the phone (a placeholder takes its place, so
the number can be registered again by a new person), nickname, sign-up device and IP, the IP of
its share-link clicks, password, tokens and page sessions, merchant staff roles, the address
book, and the member's messages and notification settings. Experience posts are
taken down as if the author deleted them: their text and photos are the person's own words and
pictures, and an anonymous post would still tie a product review to a real purchase.

No money is posted: a member who still has money (pending, available or being withdrawn) is
refused with 400 `balance_not_empty` so nobody loses any; a debt (a negative balance) stays on
the record. The owner of a shop is refused with 400 `owns_merchant`: the shop must be handed
over first. A refusal writes nothing."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from sharemall.accounts import services as accounts
from sharemall.accounts.models import Member, WechatIdentity
from sharemall.addresses.models import Address
from sharemall.core.errors import DomainError
from sharemall.merchants.models import Merchant, Staff
from sharemall.notifications.models import Notice, NotificationPreference
from sharemall.posts import rules as post_rules
from sharemall.posts.models import ModerationEvent, Post
from sharemall.sharing.models import ShareClick
from sharemall.wallet import rules as wallet_rules
from sharemall.wallet.models import Withdrawal
from sharemall.wallet.services import balances_for_member

OPEN_WITHDRAWALS = (wallet_rules.WITHDRAWAL_REQUESTED, wallet_rules.WITHDRAWAL_APPROVED)


class BalanceNotEmpty(DomainError):
    code = "balance_not_empty"


class OwnsMerchant(DomainError):
    code = "owns_merchant"


def _refusal(member: Member) -> DomainError | None:
    if Merchant.objects.filter(owner=member).exists():
        return OwnsMerchant(
            _("You own a shop. Hand it over to someone else before closing your account.")
        )
    balances = balances_for_member(member.pk)
    if any(amount > 0 for amount in balances.values()) or (
        Withdrawal.objects.filter(member=member, status__in=OPEN_WITHDRAWALS).exists()
    ):
        return BalanceNotEmpty(
            _(
                "You still have money here. Withdraw it, and wait for pending commissions and "
                "withdrawals to finish, before closing your account."
            )
        )
    return None


def member_close(member: Member, *, password: str = "", sms_code: str = "") -> Member:
    """Close `member`'s account after checking the password (or a texted `login` code for a
    member without one). Everything happens in one transaction under the member's row lock."""
    code = accounts.closing_confirm(member, password=password, sms_code=sms_code)
    refusal = _refusal(member)
    if refusal is not None:
        raise refusal
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        refusal = _refusal(locked)  # again, under the lock: money may have moved meanwhile
        if refusal is not None:
            raise refusal
        Address.objects.filter(member=locked).delete()
        # Its WeChat accounts unlinked: the same WeChat user arriving again is a new member.
        WechatIdentity.objects.filter(member=locked).delete()
        # Messages are to the person, not records the law keeps: they go, undelivered texts too.
        Notice.objects.filter(recipient=locked).delete()
        NotificationPreference.objects.filter(member=locked).delete()
        Staff.objects.filter(member=locked).delete()
        ShareClick.objects.filter(visitor=locked).update(ip="")
        for post in Post.objects.filter(author=locked).exclude(status=post_rules.DELETED):
            post_rules.POST.move(
                post, post_rules.DELETED, actor=locked, event={"action": ModerationEvent.DELETE}
            )
        return accounts.member_close(locked, code=code)
