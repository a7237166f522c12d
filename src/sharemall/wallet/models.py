"""The ledger's tables: accounts, transactions and their postings; and withdrawals.

Postings and transactions are append-only: a mistake is corrected by a new transaction, never by
changing history. The ORM refuses updates and deletes here, and database triggers (migration
0002) refuse them for everything else, raw SQL included.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import NotSupportedError, models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharemall.core.models import StatusEvent
from sharemall.wallet import rules


class AppendOnlyViolation(NotSupportedError):
    """Someone tried to change or remove ledger history."""


class AppendOnlyQuerySet[M: models.Model](models.QuerySet[M]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyViolation(f"{self.model.__name__} rows are append-only: no update")

    def delete(self) -> NoReturn:
        raise AppendOnlyViolation(f"{self.model.__name__} rows are append-only: no delete")

    # These two would reach update() inside an atomic block of their own and doom the caller's
    # transaction; refusing up front keeps a refusal harmless.
    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyViolation(f"{self.model.__name__} rows are append-only: no update")

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyViolation(f"{self.model.__name__} rows are append-only: no update")


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyViolation(f"{type(self).__name__} rows are append-only: no update")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyViolation(f"{type(self).__name__} rows are append-only: no delete")


class AccountQuerySet(models.QuerySet["Account"]):
    def delete(self) -> NoReturn:
        # The services cache platform account ids for the life of the process.
        raise AppendOnlyViolation("ledger accounts are never deleted")


class Account(models.Model):
    class Kind(models.TextChoices):
        MEMBER_PENDING = rules.MEMBER_PENDING, _("member pending")
        MEMBER_AVAILABLE = rules.MEMBER_AVAILABLE, _("member available")
        MEMBER_WITHDRAWING = rules.MEMBER_WITHDRAWING, _("member withdrawing")
        MERCHANT_RECEIVABLE = rules.MERCHANT_RECEIVABLE, _("merchant receivable")
        MERCHANT_AVAILABLE = rules.MERCHANT_AVAILABLE, _("merchant available")
        MERCHANT_WITHDRAWING = rules.MERCHANT_WITHDRAWING, _("merchant withdrawing")
        ORDER_RECEIVABLE = rules.ORDER_RECEIVABLE, _("order receivable")
        PLATFORM_FEES = rules.PLATFORM_FEES, _("platform fees")
        BUYER_PAYMENTS_CLEARING = rules.BUYER_PAYMENTS_CLEARING, _("buyer payments clearing")
        PROVIDER_FUNDS = rules.PROVIDER_FUNDS, _("funds at payment providers")
        PAYOUTS = rules.PAYOUTS, _("payouts")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    # A member id for member_* kinds, a merchant id for merchant_*, an order id for
    # order_receivable. Plain integers, not foreign keys: the wallet sits below accounts,
    # merchants and orders and must not import them.
    owner_id = models.BigIntegerField(_("owner"), null=True, blank=True)
    # Tracked accounts cache their balance on the normal side (rules.normal_sign × the sum of
    # their postings, so positive when a member has money), kept in step by every posting and
    # checked by ledger_check. Untracked accounts keep 0 here and are read from their postings.
    balance_fen = models.BigIntegerField(_("balance (fen)"), default=0)
    tracks_balance = models.BooleanField(_("tracks balance"), default=False)

    objects = AccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.UniqueConstraint(fields=["kind", "owner_id"], name="wallet_account_per_owner"),
            # NULLs are distinct in a unique constraint, so platform accounts need their own.
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(owner_id__isnull=True),
                name="wallet_platform_account_once",
            ),
            models.CheckConstraint(
                condition=(Q(kind__in=rules.PLATFORM_KINDS) & Q(owner_id__isnull=True))
                | (Q(kind__in=rules.OWNED_KINDS) & Q(owner_id__isnull=False)),
                name="wallet_account_owner_matches_kind",
            ),
            models.CheckConstraint(
                condition=(Q(kind__in=rules.TRACKED_KINDS) & Q(tracks_balance=True))
                | (~Q(kind__in=rules.TRACKED_KINDS) & Q(tracks_balance=False, balance_fen=0)),
                name="wallet_account_tracking_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.kind if self.owner_id is None else f"{self.kind}:{self.owner_id}"

    @property
    def ref(self) -> rules.AccountRef:
        return rules.AccountRef(self.kind, self.owner_id)


class LedgerTransactionQuerySet(AppendOnlyQuerySet["LedgerTransaction"]):
    pass


class LedgerTransaction(AppendOnlyModel):
    key = models.CharField(_("idempotency key"), max_length=rules.KEY_MAX_LENGTH, unique=True)
    kind = models.CharField(_("kind"), max_length=rules.KIND_MAX_LENGTH)
    memo = models.TextField(_("memo"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = LedgerTransactionQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        constraints = [
            models.CheckConstraint(condition=~Q(key=""), name="wallet_transaction_key_not_empty")
        ]

    def __str__(self) -> str:
        return self.key


class PostingQuerySet(AppendOnlyQuerySet["Posting"]):
    pass


class Posting(AppendOnlyModel):
    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="postings"
    )
    # Indexed below together with the id, which also serves an account's statement in order.
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="postings", db_index=False
    )
    amount_fen = models.BigIntegerField(_("amount (fen)"))

    objects = PostingQuerySet.as_manager()

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        constraints = [
            models.CheckConstraint(condition=~Q(amount_fen=0), name="wallet_posting_not_zero")
        ]
        indexes = [models.Index(fields=["account", "id"], name="wallet_posting_account_idx")]

    def __str__(self) -> str:
        return f"{self.transaction_id} {self.account_id} {self.amount_fen:+d}"


class Withdrawal(models.Model):
    """A member taking money out: their own, or a merchant's they own (`merchant_id` set). From
    request until it is paid, rejected or failed the amount sits in the holder's withdrawing
    account (ledger key `withdrawal:<id>:hold`)."""

    class Status(models.TextChoices):
        REQUESTED = rules.WITHDRAWAL_REQUESTED, _("requested")
        APPROVED = rules.WITHDRAWAL_APPROVED, _("approved")
        PAID = rules.WITHDRAWAL_PAID, _("paid")
        REJECTED = rules.WITHDRAWAL_REJECTED, _("rejected")
        FAILED = rules.WITHDRAWAL_FAILED, _("failed")

    class Channel(models.TextChoices):
        WECHAT = rules.CHANNEL_WECHAT, _("WeChat Pay")
        ALIPAY = rules.CHANNEL_ALIPAY, _("Alipay")
        BANK = rules.CHANNEL_BANK, _("bank card")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="withdrawals",
        verbose_name=_("member"),
    )
    # Set when the money is a merchant's: `member` is then who asked for it (the owner), kept
    # for the audit trail and the four-eyes rule. A plain id like Account.owner_id.
    merchant_id = models.BigIntegerField(_("merchant"), null=True, blank=True)
    # What leaves the holder's balance; the payee receives amount_fen − fee_fen.
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    fee_fen = models.BigIntegerField(_("fee (fen)"), default=0)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    # WeChat openid, Alipay logon or user id, or bank card number: whatever the channel pays to.
    payee = models.CharField(_("payee account"), max_length=128, blank=True)
    payee_name = models.CharField(_("payee name"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    # Made once at request and sent on every payout attempt: providers pay a bill number once.
    out_bill_no = models.CharField(_("out-bill number"), max_length=32, unique=True)
    # The provider that was asked to pay ("" for a bank card, paid by hand), kept so that
    # asking again goes to the same provider.
    provider = models.CharField(_("provider"), max_length=16, blank=True)
    # The provider's transfer id, or the operator's bank reference for a card paid by hand.
    provider_transfer_id = models.CharField(_("transfer reference"), max_length=64, blank=True)
    # WeChat Pay's transfers wait for the payee to accept them in WeChat (WAIT_USER_CONFIRM):
    # this is what the withdrawal page hands wx.requestMerchantTransfer for them to do so.
    package_info = models.TextField(_("WeChat confirmation package"), blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    # The day whose cap this withdrawal counts against while it holds money.
    cap_day = models.DateField(_("counted on day"))
    # Holds after a failure: the ledger keys of the n-th retry end in ":<n>".
    retries = models.PositiveSmallIntegerField(_("retries"), default=0)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_fen__gt=0), name="wallet_withdrawal_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(fee_fen__gte=0) & Q(fee_fen__lt=models.F("amount_fen")),
                name="wallet_withdrawal_fee_below_amount",
            ),
            models.CheckConstraint(
                condition=Q(status__in=rules.WITHDRAWAL_STATUSES),
                name="wallet_withdrawal_status_known",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=rules.CHANNELS), name="wallet_withdrawal_channel_known"
            ),
        ]
        indexes = [
            models.Index(fields=["member", "-id"], name="wallet_withdrawal_member_idx"),
            models.Index(
                fields=["merchant_id", "-id"],
                condition=Q(merchant_id__isnull=False),
                name="wallet_withdrawal_merchant_idx",
            ),
            models.Index(fields=["status", "id"], name="wallet_withdrawal_status_idx"),
        ]

    def __str__(self) -> str:
        return f"withdrawal {self.pk} {self.status}"

    @property
    def holder(self) -> rules.Holder:
        return rules.holder_of(self.member_id, self.merchant_id)

    @property
    def payout_fen(self) -> int:
        return self.amount_fen - self.fee_fen


class WithdrawalEvent(StatusEvent):
    withdrawal = models.ForeignKey(Withdrawal, on_delete=models.PROTECT, related_name="events")

    class Meta(StatusEvent.Meta):
        verbose_name = _("withdrawal event")
        verbose_name_plural = _("withdrawal events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.withdrawal_id}: {self.from_status or '-'} → {self.to_status}"


class WithdrawalDay(models.Model):
    """How much one holder (a member's own money, or a merchant's) asked to withdraw on one day
    (China time), for the daily cap. Exactly one of `member` and `merchant_id` is set.

    Raised by a conditional UPDATE that only matches while the total stays within the cap, so
    concurrent requests can never pass it together; lowered when a withdrawal is rejected or
    fails.
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    merchant_id = models.BigIntegerField(null=True, blank=True)
    day = models.DateField()
    requested_fen = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("withdrawals of a day")
        verbose_name_plural = _("withdrawals of a day")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "day"],
                condition=Q(merchant_id__isnull=True),
                name="wallet_withdrawal_day_once",
            ),
            models.UniqueConstraint(
                fields=["merchant_id", "day"],
                condition=Q(merchant_id__isnull=False),
                name="wallet_withdrawal_merchant_day_once",
            ),
            models.CheckConstraint(
                condition=(Q(member__isnull=False) & Q(merchant_id__isnull=True))
                | (Q(member__isnull=True) & Q(merchant_id__isnull=False)),
                name="wallet_withdrawal_day_one_holder",
            ),
            models.CheckConstraint(
                condition=Q(requested_fen__gte=0), name="wallet_withdrawal_day_not_negative"
            ),
        ]

    def __str__(self) -> str:
        who = self.member_id if self.merchant_id is None else f"merchant {self.merchant_id}"
        return f"{who} {self.day}: {self.requested_fen}"
