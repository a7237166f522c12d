"""Pure rules of the ledger: account kinds, account references, what makes a transaction whole;
and of withdrawals: their holders (a member or a merchant), states, channels, fee and daily cap
(at the end of the module).

Signs are those of double-entry bookkeeping: a debit is positive, a credit negative, and every
transaction sums to zero. An arrow "A → B" in the docs means "debit A, credit B", e.g.

- payment captured:   provider_funds +A, buyer_payments_clearing −A
- order allocated:    buyer_payments_clearing +T, order_receivable −T, order_receivable +fee,
                      platform_fees −fee
- commission pending: order_receivable +c, member_pending −c
- order settled:      order_receivable +n, merchant_available −n
- withdrawal held:    member_available +x, member_withdrawing −x   (merchant_… alike)
- withdrawal paid:    member_withdrawing +x, payouts −x            (merchant_… alike)

Each kind has a normal side. `provider_funds` (buyers' money received through WeChat Pay or
Alipay, net of refunds) is an asset, normally in debit; every other account is what the platform
owes, has earned or has paid out, normally in credit. A *balance* is always read on the normal
side, so the balances people look at are positive: what a member may withdraw, what a merchant is
owed, what waits in clearing, what was paid out — and provider_funds equals the sum of all the
others. A balance below zero is a debt (a member's commission, or a merchant's sale, clawed back
after settlement).

What an order owes its merchant waits in the order's own `order_receivable` account (owned by the
order id) until the order settles; settling moves exactly that account's balance to the
merchant's `merchant_available`, so no recomputation can ever disagree with what was posted.
`merchant_receivable` (owned by a merchant id) is where orders booked before per-order accounts
existed still wait.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sharemall.core.errors import Conflict, DomainError
from sharemall.core.i18n import gettext as _
from sharemall.core.money import BP_WHOLE, apply_bp
from sharemall.core.transitions import StateMachine

MEMBER_PENDING = "member_pending"
MEMBER_AVAILABLE = "member_available"
MEMBER_WITHDRAWING = "member_withdrawing"
MERCHANT_RECEIVABLE = "merchant_receivable"
MERCHANT_AVAILABLE = "merchant_available"
MERCHANT_WITHDRAWING = "merchant_withdrawing"
ORDER_RECEIVABLE = "order_receivable"
PLATFORM_FEES = "platform_fees"
BUYER_PAYMENTS_CLEARING = "buyer_payments_clearing"
PROVIDER_FUNDS = "provider_funds"
PAYOUTS = "payouts"

MEMBER_KINDS = (MEMBER_PENDING, MEMBER_AVAILABLE, MEMBER_WITHDRAWING)
MERCHANT_KINDS = (MERCHANT_RECEIVABLE, MERCHANT_AVAILABLE, MERCHANT_WITHDRAWING)
ORDER_KINDS = (ORDER_RECEIVABLE,)
PLATFORM_KINDS = (PLATFORM_FEES, BUYER_PAYMENTS_CLEARING, PROVIDER_FUNDS, PAYOUTS)
OWNED_KINDS = MEMBER_KINDS + MERCHANT_KINDS + ORDER_KINDS
ALL_KINDS = OWNED_KINDS + PLATFORM_KINDS
# Member and merchant withdrawable balances are shown on every wallet page and guarded by
# conditional updates when money is held, so they are cached on the account row. Platform
# accounts take part in nearly every order: a cached balance there would make every checkout
# queue on one hot row, so their balance (like an order's and the legacy receivable) is the sum
# of their postings. A merchant's available balance moves only when an order settles, is
# refunded after settling, or is withdrawn: never on the checkout path.
TRACKED_KINDS = (*MEMBER_KINDS, MERCHANT_AVAILABLE, MERCHANT_WITHDRAWING)
DEBIT_NORMAL_KINDS = (PROVIDER_FUNDS,)

KEY_MAX_LENGTH = 200
KIND_MAX_LENGTH = 40


class UnbalancedTransaction(DomainError):
    code = "unbalanced_transaction"


class InsufficientBalance(DomainError):
    code = "insufficient_balance"


class IdempotencyConflict(Conflict):
    """The key was already used for a different movement of money: a bug in the caller."""

    code = "idempotency_key_reused"


@dataclass(frozen=True, slots=True)
class AccountRef:
    """Names an account without touching the database: its kind and, unless a platform account,
    the member or merchant id that owns it."""

    kind: str
    owner_id: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in ALL_KINDS:
            raise ValueError(f"unknown account kind {self.kind!r}")
        if self.kind in PLATFORM_KINDS:
            if self.owner_id is not None:
                raise ValueError(f"{self.kind} is a platform account and has no owner")
        elif (
            not isinstance(self.owner_id, int)
            or isinstance(self.owner_id, bool)
            or self.owner_id <= 0
        ):
            raise ValueError(f"{self.kind} needs a positive owner id, got {self.owner_id!r}")

    @property
    def is_platform(self) -> bool:
        return self.kind in PLATFORM_KINDS

    @property
    def tracks_balance(self) -> bool:
        return self.kind in TRACKED_KINDS

    @property
    def normal_sign(self) -> int:
        return normal_sign(self.kind)

    def __str__(self) -> str:
        return self.kind if self.owner_id is None else f"{self.kind}:{self.owner_id}"


@dataclass(frozen=True, slots=True)
class Entry:
    account: AccountRef
    amount_fen: int

    def __post_init__(self) -> None:
        if not isinstance(self.amount_fen, int) or isinstance(self.amount_fen, bool):
            raise ValueError(f"an entry is a whole number of fen, got {self.amount_fen!r}")


def platform(kind: str) -> AccountRef:
    if kind not in PLATFORM_KINDS:
        raise ValueError(f"{kind!r} is not a platform account kind")
    return AccountRef(kind)


def member(kind: str, member_id: int) -> AccountRef:
    if kind not in MEMBER_KINDS:
        raise ValueError(f"{kind!r} is not a member account kind")
    return AccountRef(kind, member_id)


def merchant_receivable(merchant_id: int) -> AccountRef:
    return AccountRef(MERCHANT_RECEIVABLE, merchant_id)


def merchant(kind: str, merchant_id: int) -> AccountRef:
    if kind not in MERCHANT_KINDS:
        raise ValueError(f"{kind!r} is not a merchant account kind")
    return AccountRef(kind, merchant_id)


def order_receivable(order_id: int) -> AccountRef:
    """What one order owes its merchant until it settles."""
    return AccountRef(ORDER_RECEIVABLE, order_id)


def normal_sign(kind: str) -> int:
    """+1 for kinds whose balance is their debit total, -1 for those read on the credit side."""
    return 1 if kind in DEBIT_NORMAL_KINDS else -1


def transfer(*, debit: AccountRef, credit: AccountRef, amount_fen: int) -> tuple[Entry, Entry]:
    """The two entries of "debit → credit" for `amount_fen`."""
    return Entry(debit, amount_fen), Entry(credit, -amount_fen)


def check_balanced(entries: Sequence[Entry]) -> None:
    """Refuse anything but a real movement of money: two or more non-zero entries on at least
    two accounts, summing to exactly zero."""
    if len(entries) < 2:
        raise UnbalancedTransaction(_("A ledger transaction needs at least two entries."))
    if any(entry.amount_fen == 0 for entry in entries):
        raise UnbalancedTransaction(_("A ledger entry cannot be zero."))
    total = sum(entry.amount_fen for entry in entries)
    if total != 0:
        raise UnbalancedTransaction(
            _("The entries of a ledger transaction must sum to zero; they sum to %(total)d fen.")
            % {"total": total},
            details={"total_fen": total},
        )
    if len({entry.account for entry in entries}) < 2:
        raise UnbalancedTransaction(_("A ledger transaction must move money between accounts."))


def check_labels(key: str, kind: str) -> None:
    if not key or len(key) > KEY_MAX_LENGTH:
        raise ValueError(f"an idempotency key has 1 to {KEY_MAX_LENGTH} characters: {key!r}")
    if not kind or len(kind) > KIND_MAX_LENGTH:
        raise ValueError(f"a transaction kind has 1 to {KIND_MAX_LENGTH} characters: {kind!r}")


Movement = Counter[tuple[str, int | None, int]]


def movement(rows: Iterable[tuple[str, int | None, int]]) -> Movement:
    """Entries as an unordered multiset of (kind, owner id, amount), to compare a replay."""
    return Counter(rows)


# --- withdrawals ----------------------------------------------------------------------------

WITHDRAWAL_REQUESTED = "requested"
WITHDRAWAL_APPROVED = "approved"  # e-wallet: sent or being sent to the provider; bank: to pay
WITHDRAWAL_PAID = "paid"
WITHDRAWAL_REJECTED = "rejected"
WITHDRAWAL_FAILED = "failed"
WITHDRAWAL_STATUSES = (
    WITHDRAWAL_REQUESTED,
    WITHDRAWAL_APPROVED,
    WITHDRAWAL_PAID,
    WITHDRAWAL_REJECTED,
    WITHDRAWAL_FAILED,
)

WITHDRAWAL = StateMachine(
    "withdrawal",
    {
        WITHDRAWAL_REQUESTED: {WITHDRAWAL_APPROVED, WITHDRAWAL_REJECTED},
        WITHDRAWAL_APPROVED: {WITHDRAWAL_PAID, WITHDRAWAL_FAILED},
        # A retry holds the money again and pays with the same out-bill number.
        WITHDRAWAL_FAILED: {WITHDRAWAL_APPROVED},
    },
    event_model="wallet.WithdrawalEvent",
    event_fk="withdrawal",
)

CHANNEL_WECHAT = "wechat"
CHANNEL_ALIPAY = "alipay"
CHANNEL_BANK = "bank"
CHANNELS = (CHANNEL_WECHAT, CHANNEL_ALIPAY, CHANNEL_BANK)
# Paid through a provider's transfer API; a bank card is paid by an operator, by hand.
PROVIDER_CHANNELS = (CHANNEL_WECHAT, CHANNEL_ALIPAY)

# The daily cap counts the requests of a calendar day in China, wherever the server runs.
CAP_TIME_ZONE = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True, slots=True)
class WithdrawalPolicy:
    """The platform's withdrawal terms. The fee is `fee_bp` of the part of an amount above
    `fee_free_fen`, rounded down to the fen."""

    minimum_fen: int
    daily_cap_fen: int
    fee_free_fen: int
    fee_bp: int

    def __post_init__(self) -> None:
        for name in ("minimum_fen", "daily_cap_fen", "fee_free_fen", "fee_bp"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a whole number ≥ 0, got {value!r}")
        if self.minimum_fen < 1:
            raise ValueError("minimum_fen must be at least 1 fen")
        if self.daily_cap_fen < self.minimum_fen:
            raise ValueError("daily_cap_fen must not be below minimum_fen")
        # Below 100 % the fee is always less than the amount, so something is always paid.
        if self.fee_bp >= BP_WHOLE:
            raise ValueError(f"fee_bp must be below {BP_WHOLE}, got {self.fee_bp}")

    def fee_for(self, amount_fen: int) -> int:
        return apply_bp(max(0, amount_fen - self.fee_free_fen), self.fee_bp)


HOLDER_MEMBER = "member"
HOLDER_MERCHANT = "merchant"
HOLDER_KINDS = (HOLDER_MEMBER, HOLDER_MERCHANT)


@dataclass(frozen=True, slots=True)
class Holder:
    """Whose money a withdrawal takes: a member's own commission, or a merchant's sales. The
    holder decides the two accounts the money moves between, and whose terms apply."""

    kind: str
    owner_id: int

    def __post_init__(self) -> None:
        if self.kind not in HOLDER_KINDS:
            raise ValueError(f"unknown withdrawal holder {self.kind!r}")

    @property
    def available(self) -> AccountRef:
        kind = MEMBER_AVAILABLE if self.kind == HOLDER_MEMBER else MERCHANT_AVAILABLE
        return AccountRef(kind, self.owner_id)

    @property
    def withdrawing(self) -> AccountRef:
        kind = MEMBER_WITHDRAWING if self.kind == HOLDER_MEMBER else MERCHANT_WITHDRAWING
        return AccountRef(kind, self.owner_id)

    @property
    def is_merchant(self) -> bool:
        return self.kind == HOLDER_MERCHANT


def holder_of(member_id: int, merchant_id: int | None) -> Holder:
    """A withdrawal's holder: its merchant when it has one, else the member who asked."""
    if merchant_id is not None:
        return Holder(HOLDER_MERCHANT, merchant_id)
    return Holder(HOLDER_MEMBER, member_id)


def cap_day(moment: datetime) -> date:
    """The day whose cap a request made at `moment` counts against."""
    return moment.astimezone(CAP_TIME_ZONE).date()


def mask_payee(channel: str, payee: str) -> str:
    """A bank card as its owner may see it in a listing: only the last four digits."""
    if channel != CHANNEL_BANK or len(payee) <= 4:
        return payee
    return "**** " + payee[-4:]
