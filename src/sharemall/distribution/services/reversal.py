"""Reversal after a refund, in proportion to what each line has refunded."""

from django.db import transaction
from django.db.models import Sum

from sharemall.distribution import rules
from sharemall.distribution.models import (
    CommissionEntry,
)
from sharemall.distribution.rules import COMMISSION, HELD, PENDING, REVERSED, SETTLED
from sharemall.distribution.services.fraud import holds_after_refund
from sharemall.distribution.services.postings import post_moves
from sharemall.orders.models import Order, OrderLine


def commissions_reverse(order: Order, *, refund_key: str) -> int:
    """After a refund: reverse each entry in proportion to what its line has refunded so far.

    Cumulative and idempotent: the reversal target is recomputed from the line's refunded
    total, so repeating it, or refunding a line in pieces, never reverses more than was paid.
    """
    reversed_count = 0
    with transaction.atomic():
        lines = {line.pk: line for line in OrderLine.objects.filter(order=order)}
        entries = list(
            CommissionEntry.objects.filter(
                order=order, reversal_of=None, status__in=[PENDING, SETTLED, HELD]
            )
        )
        already = dict(
            CommissionEntry.objects.filter(order=order, reversal_of__isnull=False)
            .values("reversal_of")
            .annotate(total=Sum("amount_fen"))
            .values_list("reversal_of", "total")
        )
        pending_moves: list[tuple[int, str, int]] = []
        available_moves: list[tuple[int, str, int]] = []
        for entry in entries:
            line = lines[entry.order_line_id]
            done = int(already.get(entry.pk, 0))
            original = entry.amount_fen + done
            target = rules.reversed_so_far(
                original, refunded_fen=line.refunded_fen, paid_fen=line.paid_fen
            )
            delta = target - done
            if delta <= 0:
                continue
            remaining = original - target
            if remaining == 0:
                COMMISSION.move(
                    CommissionEntry(pk=entry.pk, status=entry.status),
                    REVERSED,
                    note=refund_key,
                    amount_fen=0,
                )
            else:
                CommissionEntry.objects.filter(pk=entry.pk).update(amount_fen=remaining)
            CommissionEntry.objects.create(
                order=order,
                order_line=line,
                beneficiary_id=entry.beneficiary_id,
                kind=entry.kind,
                level=entry.level,
                base_fen=entry.base_fen,
                unit=entry.unit,
                rate=entry.rate,
                amount_fen=delta,
                status=REVERSED,
                reversal_of=entry,
                reason=refund_key[:300],
            )
            account = "member_available" if entry.status == SETTLED else "member_pending"
            target_list = available_moves if entry.status == SETTLED else pending_moves
            target_list.append((entry.beneficiary_id, account, delta))
            reversed_count += 1
        moves = pending_moves + available_moves
        if moves:
            post_moves(
                f"commissions:{order.pk}:reversed:{refund_key}",
                "commission_reversed",
                order,
                moves,
                reverse=True,
            )
        # What a refund shows about the buyer and the sharer may hold their other entries.
        holds_after_refund(order)
    return reversed_count
