"""The status a buyer reads (待付款 / 待发货 / 待收货 / 待评价 / 已完成 / 已退款)."""

from __future__ import annotations

import pytest
from django.utils import translation

from sharemall.orders import rules

ONE_LINE = [(2, 0)]
HALF_REFUNDED = [(2, 1), (1, 0)]
ALL_REFUNDED = [(2, 2), (1, 1)]


@pytest.mark.parametrize(
    ("status", "lines", "unreviewed", "expected"),
    [
        (rules.PENDING_PAYMENT, ONE_LINE, False, rules.LABEL_UNPAID),
        (rules.CANCELLED, ONE_LINE, False, rules.LABEL_CANCELLED),
        (rules.PAID, ONE_LINE, False, rules.LABEL_TO_SHIP),
        (rules.SHIPPED, ONE_LINE, False, rules.LABEL_TO_RECEIVE),
        (rules.READY_FOR_PICKUP, ONE_LINE, False, rules.LABEL_TO_RECEIVE),
        (rules.RECEIVED, ONE_LINE, True, rules.LABEL_TO_REVIEW),
        (rules.RECEIVED, ONE_LINE, False, rules.LABEL_DONE),
        (rules.COMPLETED, ONE_LINE, True, rules.LABEL_TO_REVIEW),
        (rules.COMPLETED, HALF_REFUNDED, False, rules.LABEL_DONE),
        (rules.CLOSED, ONE_LINE, False, rules.LABEL_REFUNDED),
        # Everything refunded after receipt: the order completes, the buyer reads 已退款.
        (rules.COMPLETED, ALL_REFUNDED, True, rules.LABEL_REFUNDED),
        (rules.RECEIVED, ALL_REFUNDED, False, rules.LABEL_REFUNDED),
        (rules.SHIPPED, ALL_REFUNDED, False, rules.LABEL_REFUNDED),
    ],
)
def test_buyer_status(
    status: str, lines: list[tuple[int, int]], unreviewed: bool, expected: str
) -> None:
    assert rules.buyer_status(status, lines, unreviewed=unreviewed) == expected


def test_an_order_without_lines_is_not_refunded() -> None:
    assert not rules.fully_refunded([])


def test_labels_read_in_chinese() -> None:
    with translation.override("zh-hans"):
        labels = {
            key: rules.buyer_status_label(status, lines, unreviewed=unreviewed)
            for key, (status, lines, unreviewed) in {
                "unpaid": (rules.PENDING_PAYMENT, ONE_LINE, False),
                "ship": (rules.PAID, ONE_LINE, False),
                "receive": (rules.SHIPPED, ONE_LINE, False),
                "review": (rules.RECEIVED, ONE_LINE, True),
                "done": (rules.COMPLETED, ONE_LINE, False),
                "refunded": (rules.COMPLETED, ALL_REFUNDED, False),
            }.items()
        }
    assert labels == {
        "unpaid": "待付款",
        "ship": "待发货",
        "receive": "待收货",
        "review": "待评价",
        "done": "已完成",
        "refunded": "已退款",
    }
