"""Group-buy (拼团) writes: a merchant's group-buys, opening a group, and the seats checkout
reserves, releases and fills through the GROUP offer handler registered below.

The seat-take is the heart of it: when a member's payment is captured, one conditional UPDATE
`paid_count = paid_count + 1 WHERE id = ? AND paid_count < size AND status = 'forming' AND
expires_at > now` decides whether the payer got a seat. The payer whose UPDATE fills the group
turns it succeeded (a conditional move with its event row) and takes the hold off every paid
order of the group; a payer who finds no seat is handed back to checkout as RefundDue, and
checkout refunds that order in full at once. Each seat is keyed on its order: the seat row
moves from pending to paid conditionally first, so a replayed capture never takes two seats.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.db.models.sql import UpdateQuery
from django.utils import timezone
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.catalog.models import Sku
from sharemall.core.errors import Conflict, DomainError, NotFound
from sharemall.merchants.models import Merchant
from sharemall.notifications import rules as notices
from sharemall.notifications.services import notify
from sharemall.orders import services as orders
from sharemall.orders.models import Order
from sharemall.promotions.models import Group, GroupBuy, GroupMember
from sharemall.promotions.rules import groups as rules
from sharemall.promotions.rules.offers import GROUP, Offer
from sharemall.promotions.selectors import groups as selectors
from sharemall.promotions.services import offers


class InvalidGroupBuy(DomainError):
    code = "invalid_group_buy"


class GroupClosed(Conflict):
    code = "group_closed"


class AlreadyInGroup(Conflict):
    code = "already_in_group"


# The reasons a paid order is refunded at once or later, told to the buyer (translated when
# the refund is written, in the language of the request that triggers it).
def reason_full() -> str:
    return _("The group was already full when your payment arrived; it is refunded in full.")


def reason_closed() -> str:
    return _("The group had closed when your payment arrived; it is refunded in full.")


def reason_refused(group: Group) -> str:
    return reason_full() if group.paid_count >= group.size else reason_closed()


def reason_expired() -> str:
    return _("The group did not fill in time; your payment is refunded in full.")


# --- a merchant's group-buys ---------------------------------------------------------------


def group_buy_create(
    merchant: Merchant, *, sku_id: int, price_fen: int, size: int, hours: int
) -> GroupBuy:
    sku = Sku.objects.select_related("product").filter(pk=sku_id).first()
    if sku is None or sku.product.merchant_id != merchant.pk:
        raise InvalidGroupBuy(_("No such SKU in your shop."), code="unknown_sku")
    refusal = rules.group_buy_refusal(
        price_fen=price_fen, sku_price_fen=sku.price_fen, size=size, hours=hours
    )
    if refusal:
        raise InvalidGroupBuy(refusal)
    return GroupBuy.objects.create(
        merchant=merchant, sku=sku, price_fen=price_fen, size=size, hours=hours
    )


def group_buy_stop(group_buy: GroupBuy) -> GroupBuy:
    """No new groups open; groups already forming go on to their end."""
    GroupBuy.objects.filter(pk=group_buy.pk, status=rules.ACTIVE).update(
        status=rules.STOPPED, stopped_at=timezone.now()
    )
    group_buy.refresh_from_db()
    return group_buy


# --- groups --------------------------------------------------------------------------------


def group_open(group_buy: GroupBuy, *, leader: Member, now: datetime) -> Group:
    """The leader opens a group (in the caller's transaction, with the leader's order): its
    clock starts now. Nobody else can join until the leader has paid."""
    if group_buy.status != rules.ACTIVE:
        raise GroupClosed(_("This group-buy has ended."), code="group_buy_ended")
    return Group.objects.create(
        group_buy=group_buy,
        leader=leader,
        price_fen=group_buy.price_fen,
        size=group_buy.size,
        opened_at=now,
        expires_at=rules.expires_at(now, group_buy.hours),
    )


def _succeed(group_id: int) -> None:
    """The payer that filled the group: turn it succeeded (once), and let every paid order go
    on to shipping."""
    group = Group.objects.get(pk=group_id)
    if group.status != rules.FORMING or group.paid_count < group.size:
        return
    rules.GROUP.move(group, rules.SUCCEEDED, note=rules.NOTE_FILLED, closed_at=timezone.now())
    paid = list(
        GroupMember.objects.filter(group_id=group_id, status=rules.PAID)
        .order_by("order_id")
        .values_list("order_id", flat=True)
    )
    orders.orders_release_hold(paid)
    _notify(group, succeeded=True)


def _update_returning(
    rows: QuerySet[Any], values: dict[str, Any], columns: Sequence[str]
) -> list[tuple[Any, ...]]:
    """`rows.update(**values)` answering `columns` of the rows it changed, in one statement
    (UPDATE … RETURNING, on PostgreSQL and SQLite alike). Every condition of `rows` sits in
    the UPDATE's own WHERE, so a row another transaction changed while this one waited for its
    lock is checked again (and skipped if it no longer matches)."""
    query = cast(UpdateQuery, rows.query.chain(UpdateQuery))
    query.add_update_values(values)
    sql, params = query.get_compiler(using=rows.db).as_sql()
    if not sql:
        return []
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {quoted}", params)
        return [tuple(row) for row in cursor.fetchall()]


def _notify(group: Group, *, succeeded: bool) -> None:
    kind = notices.GROUP_SUCCEEDED if succeeded else notices.GROUP_FAILED
    for member_id in selectors.paid_member_ids(group):
        notify(member_id, kind, f"group:{group.pk}:{group.status}:{member_id}", group_id=group.pk)


def group_fail_expired(group_id: int, *, now: datetime) -> bool:
    """A group still forming at its deadline fails, once (a conditional move with its event).
    Its paid seats stay paid until the coordinator has refunded each order (`seat_refunded`),
    so a run killed between the two leaves them for the next run to find."""
    with transaction.atomic():
        group = Group.objects.filter(pk=group_id, status=rules.FORMING, expires_at__lte=now).first()
        if group is None:
            return False
        try:
            rules.GROUP.move(group, rules.FAILED, note=rules.NOTE_EXPIRED, closed_at=now)
        except Conflict:
            return False  # another run failed it, or the last payer filled it, meanwhile
        _notify(group, succeeded=False)
    return True


def seat_refunded(order_id: int) -> bool:
    """The order of a paid seat in a failed group was refunded: the seat is closed."""
    return (
        GroupMember.objects.filter(
            order_id=order_id, status=rules.PAID, group__status=rules.FAILED
        ).update(status=rules.REFUNDED, closed_at=timezone.now())
        == 1
    )


# --- the offer handler checkout talks to ----------------------------------------------------


class GroupOffers:
    """Checkout's side of a group: the price offered to a buyer, the seat reserved with the
    order, released when it is never paid, and taken (or refused) when it is paid."""

    def offer(self, ref_id: int, *, buyer: Member, sku_id: int, now: datetime) -> Offer:
        group = Group.objects.select_related("group_buy").filter(pk=ref_id).first()
        if group is None or group.group_buy.sku_id != sku_id:
            raise NotFound(_("No such group."))
        if group.status != rules.FORMING or group.expires_at <= now:
            raise GroupClosed(_("This group is no longer forming."))
        if group.paid_count >= group.size:
            raise GroupClosed(_("This group is full."))
        if buyer.pk != group.leader_id and not selectors.leader_paid(group):
            raise GroupClosed(
                _("The leader has not paid yet; the group opens when they do."),
                code="group_not_open",
            )
        if selectors.holds_seat(group, buyer):
            raise AlreadyInGroup(_("You are already in this group."))
        return Offer(GROUP, group.pk, sku_id, group.price_fen, max_quantity=1)

    def reserve(self, offer: Offer, *, buyer: Member, quantity: int, order: Order) -> None:
        if quantity != 1:
            raise DomainError(_("A group seat is one unit."), code="invalid_quantity")
        group = Group.objects.filter(pk=offer.ref_id).first()
        if group is None:
            raise NotFound(_("No such group."))
        try:
            with transaction.atomic():
                GroupMember.objects.create(
                    group=group,
                    member=buyer,
                    order=order,
                    is_leader=buyer.pk == group.leader_id,
                )
        except IntegrityError as exc:
            raise AlreadyInGroup(_("You are already in this group.")) from exc

    def release(self, order_ids: Sequence[int]) -> None:
        """Unpaid orders cancelled: their seats never held anything and are closed. A group
        whose leader never paid fails (nobody else could join it, so no one is refunded)."""
        now = timezone.now()
        seats = list(
            GroupMember.objects.filter(order_id__in=order_ids, status=rules.PENDING).values_list(
                "pk", "group_id", "is_leader"
            )
        )
        if not seats:
            return
        GroupMember.objects.filter(
            pk__in=[pk for pk, _g, _l in seats], status=rules.PENDING
        ).update(status=rules.CANCELLED, closed_at=now)
        for group in Group.objects.filter(
            pk__in=[g for _pk, g, leader in seats if leader], status=rules.FORMING, paid_count=0
        ):
            try:
                rules.GROUP.move(
                    group, rules.FAILED, note=rules.NOTE_LEADER_NEVER_PAID, closed_at=now
                )
            except Conflict:
                continue

    def paid(self, orders_paid: Sequence[Order]) -> list[offers.RefundDue]:
        """Take a seat for each paid group order, or hand it back to be refunded at once.
        Every capture in the mall passes here: for orders that are not group orders this is
        one indexed UPDATE that matches nothing."""
        now = timezone.now()
        by_id = {o.pk: o for o in orders_paid}
        if not by_id:
            return []
        # Keyed on the order: only the capture that moves the seat from pending goes on, so a
        # replayed capture never takes a second seat.
        claimed = _update_returning(
            GroupMember.objects.filter(order_id__in=list(by_id), status=rules.PENDING),
            {"status": rules.PAID, "paid_at": now},
            ("id", "group_id", "order_id"),
        )
        due: list[offers.RefundDue] = []
        for seat_id, group_id, order_id in sorted(claimed):
            taken = _update_returning(
                Group.objects.filter(
                    pk=group_id,
                    status=rules.FORMING,
                    paid_count__lt=F("size"),
                    expires_at__gt=now,
                ),
                {"paid_count": F("paid_count") + 1},
                ("paid_count", "size"),
            )
            if taken:
                paid_count, size = taken[0]
                if paid_count == size:
                    _succeed(group_id)  # this payer took the last seat
                continue
            GroupMember.objects.filter(pk=seat_id, status=rules.PAID).update(
                status=rules.REFUSED, closed_at=now
            )
            group = Group.objects.only("paid_count", "size").get(pk=group_id)
            due.append(offers.RefundDue(by_id[order_id], reason_refused(group)))
        return due


HANDLER = GroupOffers()
offers.register(GROUP, HANDLER)
