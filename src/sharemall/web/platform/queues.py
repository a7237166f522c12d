"""What waits for an operator: the counts on the back office's menu and its overview."""

from __future__ import annotations

from dataclasses import dataclass

from sharemall.aftersales import selectors as aftersale_selectors
from sharemall.community import selectors as community_selectors
from sharemall.distribution import selectors as distribution_selectors
from sharemall.merchants import rules as merchant_rules
from sharemall.merchants import selectors as merchant_selectors
from sharemall.posts import selectors as post_selectors
from sharemall.wallet import rules as wallet_rules
from sharemall.wallet import selectors as wallet_selectors


@dataclass(frozen=True)
class Waiting:
    merchants: int
    withdrawals: int
    bank_transfers: int
    holds: int
    disputes: int
    posts: int
    appeals: int = 0

    @property
    def total(self) -> int:
        return (
            self.merchants
            + self.withdrawals
            + self.bank_transfers
            + self.holds
            + self.disputes
            + self.posts
            + self.appeals
        )


def waiting() -> Waiting:
    return Waiting(
        merchants=merchant_selectors.merchant_review_queue(merchant_rules.SUBMITTED).count(),
        withdrawals=wallet_selectors.withdrawal_queue(wallet_rules.WITHDRAWAL_REQUESTED).count(),
        bank_transfers=wallet_selectors.withdrawal_queue(wallet_rules.WITHDRAWAL_APPROVED)
        .filter(channel=wallet_rules.CHANNEL_BANK)
        .count(),
        holds=distribution_selectors.held_commissions().count(),
        disputes=aftersale_selectors.disputes_open().count(),
        posts=post_selectors.report_queue().count(),
        appeals=community_selectors.appeal_queue().count(),
    )
