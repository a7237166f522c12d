"""Writes and reads of the ledger: balanced, idempotent, append-only transactions.

Signs and balances are explained in `wallet.rules`. Every write joins the caller's database
transaction, so an order and the money it moves commit or roll back together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Case, Count, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.core.errors import DomainError
from sharemall.core.money import format_yuan
from sharemall.wallet import rules
from sharemall.wallet.models import Account, LedgerTransaction, Posting
from sharemall.wallet.rules import (
    AccountRef,
    Entry,
    IdempotencyConflict,
    InsufficientBalance,
    UnbalancedTransaction,
    member,
    merchant,
    merchant_receivable,
    order_receivable,
    platform,
    transfer,
)

__all__ = [
    "AccountRef",
    "Entry",
    "IdempotencyConflict",
    "InsufficientBalance",
    "PostResult",
    "UnbalancedTransaction",
    "balance",
    "balances_for_member",
    "forget_cached_accounts",
    "hold",
    "ledger_check",
    "ledger_counts",
    "ledger_post",
    "member",
    "merchant",
    "merchant_receivable",
    "order_receivable",
    "platform",
    "transfer",
]

# ledger_check lists at most this many problems of each sort; past that the ledger needs a
# person, not a longer list.
PROBLEMS_SHOWN = 50

# (database alias, kind) → id of a platform account that is known to be committed. Filled only
# after a real commit, so a rolled-back first posting can never leave a phantom id behind, and
# emptied when a flush empties the tables (see WalletConfig.ready).
# No cache version (core.versions) guards it, unlike the other cached rules: a committed
# platform account is never deleted, re-keyed or replaced (the ledger is append-only and
# (kind, owner) is unique), so its id cannot go stale, and a hit costs no query at all, which a
# version check (one snapshot read per request or job) could only make dearer.
_platform_account_ids: dict[tuple[str, str], int] = {}


@dataclass(frozen=True)
class PostResult:
    transaction: LedgerTransaction
    created: bool


@dataclass(frozen=True, slots=True)
class _Account:
    id: int
    tracks_balance: bool


def forget_cached_accounts() -> None:
    _platform_account_ids.clear()


def _remember_platform_accounts(using: str, found: dict[tuple[str, str], int]) -> None:
    # captureOnCommitCallbacks(execute=True) runs callbacks inside a transaction that a test will
    # roll back; only a real commit leaves the connection outside an atomic block.
    if connections[using].in_atomic_block:
        return
    _platform_account_ids.update(found)


def _select_accounts(refs: Iterable[AccountRef]) -> dict[AccountRef, _Account]:
    condition = Q()
    for ref in refs:
        condition |= Q(kind=ref.kind, owner_id=ref.owner_id)
    rows = Account.objects.filter(condition).values_list("id", "kind", "owner_id", "tracks_balance")
    return {AccountRef(kind, owner_id): _Account(pk, tracks) for pk, kind, owner_id, tracks in rows}


def _resolve_accounts(refs: set[AccountRef], using: str) -> dict[AccountRef, _Account]:
    """Account ids for `refs`, creating the missing accounts. Two writers creating the same
    account meet at its unique constraint; the loser ignores the conflict and reads the winner's
    row, so there is never an error to recover from."""
    found: dict[AccountRef, _Account] = {}
    wanted: list[AccountRef] = []
    for ref in refs:
        cached = _platform_account_ids.get((using, ref.kind)) if ref.is_platform else None
        if cached is None:
            wanted.append(ref)
        else:
            found[ref] = _Account(cached, tracks_balance=False)
    if not wanted:
        return found
    found.update(_select_accounts(wanted))
    missing = [ref for ref in wanted if ref not in found]
    if missing:
        Account.objects.bulk_create(
            [
                Account(kind=ref.kind, owner_id=ref.owner_id, tracks_balance=ref.tracks_balance)
                for ref in missing
            ],
            ignore_conflicts=True,
        )
        found.update(_select_accounts(missing))
        if any(ref not in found for ref in missing):
            raise RuntimeError(f"ledger accounts could not be created: {missing}")
    learned = {(using, ref.kind): found[ref].id for ref in wanted if ref.is_platform}
    if learned:
        transaction.on_commit(partial(_remember_platform_accounts, using, learned), using=using)
    return found


def _insert_transaction(*, key: str, kind: str, memo: str, using: str) -> LedgerTransaction | None:
    """The new transaction, or None when `key` was used before.

    ON CONFLICT DO NOTHING instead of catching the IntegrityError: a failed INSERT would poison a
    PostgreSQL transaction unless wrapped in a savepoint, which costs two more statements on
    every posting. A concurrent insert of the same key makes this one wait for it to commit (then
    do nothing) or roll back (then insert), so exactly one of them creates the transaction.
    """
    connection = connections[using]
    quote = connection.ops.quote_name
    now = timezone.now()
    sql = (
        f"INSERT INTO {quote(LedgerTransaction._meta.db_table)} "  # noqa: S608 - a constant name; values are parameters
        '("key", "kind", "memo", "created_at") VALUES (%s, %s, %s, %s) '
        'ON CONFLICT ("key") DO NOTHING RETURNING "id"'
    )
    created_at = LedgerTransaction._meta.get_field("created_at").get_db_prep_save(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, kind, memo, created_at])
        row = cursor.fetchone()
    if row is None:
        return None
    return LedgerTransaction.from_db(
        using, ["id", "key", "kind", "memo", "created_at"], [row[0], key, kind, memo, now]
    )


def _write(
    *,
    key: str,
    kind: str,
    entries: Sequence[Entry],
    memo: str,
    guarded: AccountRef | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> PostResult:
    """Post a checked transaction inside the caller's atomic block. `guarded` names an account
    whose balance must cover what this transaction takes from it."""
    created = _insert_transaction(key=key, kind=kind, memo=memo, using=using)
    if created is None:
        return PostResult(LedgerTransaction.objects.using(using).get(key=key), created=False)
    accounts = _resolve_accounts({entry.account for entry in entries}, using)
    changes: dict[int, int] = defaultdict(int)
    for entry in entries:
        account = accounts[entry.account]
        if account.tracks_balance:
            changes[account.id] += entry.account.normal_sign * entry.amount_fen
    guarded_id = accounts[guarded].id if guarded is not None else None
    # Rows are always locked in id order, so two concurrent postings queue instead of deadlocking.
    for account_id in sorted(changes):
        change = changes[account_id]
        if change == 0:
            continue
        rows = Account.objects.using(using).filter(pk=account_id)
        if account_id == guarded_id and change < 0:
            # The row count decides the race: of two holds on the same fen, the second finds the
            # balance already lowered and matches nothing.
            rows = rows.filter(balance_fen__gte=-change)
        if rows.update(balance_fen=F("balance_fen") + change) == 1:
            continue
        if account_id != guarded_id:
            raise RuntimeError(f"ledger account {account_id} vanished while posting {key}")
        raise InsufficientBalance(
            _("The balance does not cover %(amount)s.") % {"amount": format_yuan(-change)},
            details={"needed_fen": -change},
        )
    Posting.objects.using(using).bulk_create(
        [
            Posting(transaction=created, account_id=accounts[e.account].id, amount_fen=e.amount_fen)
            for e in entries
        ]
    )
    return PostResult(created, created=True)


def _ensure_same_movement(
    existing: LedgerTransaction, kind: str, entries: Sequence[Entry], using: str
) -> None:
    recorded = rules.movement(
        Posting.objects.using(using)
        .filter(transaction=existing)
        .values_list("account__kind", "account__owner_id", "amount_fen")
    )
    wanted = rules.movement((e.account.kind, e.account.owner_id, e.amount_fen) for e in entries)
    if existing.kind != kind or recorded != wanted:
        raise IdempotencyConflict(
            _("The idempotency key %(key)s was already used for a different transaction.")
            % {"key": existing.key},
            details={"key": existing.key},
        )


def ledger_post(*, key: str, kind: str, entries: Sequence[Entry], memo: str = "") -> PostResult:
    """Record one balanced movement of money, exactly once per `key`.

    A repeated `key` returns the first transaction with created=False and posts nothing; if the
    repeat describes different entries it raises IdempotencyConflict instead. Unbalanced entries
    raise UnbalancedTransaction. Both errors are raised before anything is written, so a caller
    may catch them and carry on.

    No savepoint of its own (a posting is on the path of every order): an unexpected database
    error inside marks the caller's whole transaction for rollback, which is what a half-written
    posting deserves.
    """
    entries = tuple(entries)
    rules.check_labels(key, kind)
    rules.check_balanced(entries)
    using = DEFAULT_DB_ALIAS
    with transaction.atomic(using=using, savepoint=False):
        result = _write(key=key, kind=kind, entries=entries, memo=memo, using=using)
    if not result.created:
        _ensure_same_movement(result.transaction, kind, entries, using)
    return result


def hold(
    *,
    key: str,
    source: AccountRef,
    destination: AccountRef,
    amount_fen: int,
    kind: str = "withdrawal_hold",
    memo: str = "",
) -> PostResult:
    """Move `amount_fen` between two tracked accounts of one owner (a member's or a merchant's
    available and withdrawing) only if the source balance covers it; otherwise raise
    InsufficientBalance and write nothing. Two concurrent holds can never spend the same fen.
    Idempotent per `key` like ledger_post."""
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        raise DomainError(_("The amount must be a positive number of fen."), code="invalid_amount")
    if source == destination:
        raise ValueError("a hold moves money between two different accounts")
    if not (source.tracks_balance and destination.tracks_balance):
        raise ValueError("a hold moves money between tracked accounts only")
    if source.owner_id != destination.owner_id or (source.kind in rules.MEMBER_KINDS) != (
        destination.kind in rules.MEMBER_KINDS
    ):
        raise ValueError("a hold moves money between two accounts of one owner")
    entries = transfer(debit=source, credit=destination, amount_fen=amount_fen)
    rules.check_labels(key, kind)
    using = DEFAULT_DB_ALIAS
    # A real savepoint here: a refused hold must leave the caller's transaction usable.
    with transaction.atomic(using=using):
        result = _write(key=key, kind=kind, entries=entries, memo=memo, guarded=source, using=using)
    if not result.created:
        _ensure_same_movement(result.transaction, kind, entries, using)
    return result


def balance(ref: AccountRef) -> int:
    """The account's balance on its normal side (see wallet.rules): positive when a member has
    money, when a merchant is owed, when buyers' money waits in clearing."""
    if ref.tracks_balance:
        cached = (
            Account.objects.filter(kind=ref.kind, owner_id=ref.owner_id)
            .values_list("balance_fen", flat=True)
            .first()
        )
        return cached or 0
    total = Posting.objects.filter(
        account__kind=ref.kind, account__owner_id=ref.owner_id
    ).aggregate(total=Coalesce(Sum("amount_fen"), 0))["total"]
    return ref.normal_sign * int(total)


def balances_for_member(member_id: int) -> dict[str, int]:
    """Every member account kind with its balance, 0 for accounts not opened yet."""
    found = dict(
        Account.objects.filter(owner_id=member_id, kind__in=rules.MEMBER_KINDS).values_list(
            "kind", "balance_fen"
        )
    )
    return {kind: found.get(kind, 0) for kind in rules.MEMBER_KINDS}


def ledger_counts() -> tuple[int, int]:
    """(transactions, postings)."""
    return LedgerTransaction.objects.count(), Posting.objects.count()


def _more(count: int) -> list[str]:
    if count <= PROBLEMS_SHOWN:
        return []
    return [_("… and more; only the first %(n)d are listed.") % {"n": PROBLEMS_SHOWN}]


def ledger_check() -> list[str]:
    """Every way the ledger disagrees with itself; empty when it is healthy."""
    problems: list[str] = []

    broken = list(
        LedgerTransaction.objects.annotate(
            total=Coalesce(Sum("postings__amount_fen"), 0), n=Count("postings")
        )
        .filter(~Q(total=0) | Q(n__lt=2))
        .order_by("pk")
        .values_list("key", "total", "n")[: PROBLEMS_SHOWN + 1]
    )
    for key, total, n in broken[:PROBLEMS_SHOWN]:
        if n < 2:
            problems.append(
                _("Transaction %(key)s has %(n)d posting(s); every transaction needs two or more.")
                % {"key": key, "n": n}
            )
        if total != 0:
            problems.append(
                _("Transaction %(key)s does not balance: its postings sum to %(total)d fen.")
                % {"key": key, "total": total}
            )
    problems += _more(len(broken))

    posted = Coalesce(Sum("postings__amount_fen"), 0)
    drifted = list(
        Account.objects.filter(tracks_balance=True)
        .annotate(
            expected=Case(
                When(kind__in=rules.DEBIT_NORMAL_KINDS, then=posted),
                default=Value(-1) * posted,
            )
        )
        .filter(~Q(balance_fen=F("expected")))
        .order_by("pk")
        .values_list("kind", "owner_id", "balance_fen", "expected")[: PROBLEMS_SHOWN + 1]
    )
    for kind, owner_id, cached, expected in drifted[:PROBLEMS_SHOWN]:
        problems.append(
            _(
                "Account %(account)s caches a balance of %(cached)d fen "
                "but its postings give %(expected)d fen."
            )
            % {"account": AccountRef(kind, owner_id), "cached": cached, "expected": expected}
        )
    problems += _more(len(drifted))

    grand_total = Posting.objects.aggregate(total=Coalesce(Sum("amount_fen"), 0))["total"]
    if grand_total != 0:
        problems.append(
            _("All postings together sum to %(total)d fen instead of 0.") % {"total": grand_total}
        )
    return problems
