"""The periodic jobs `sharemall run-due-jobs` runs, in order.

Each job is an idempotent database sweep: it finds what is due at `now` and moves it on with
conditional updates, so running it twice, late, or from two workers at once is harmless.

Each item moves in one transaction (a payment with its orders' cancellation and stock, an order
with its commissions' settlement), so a worker killed mid-run leaves every item untouched or
wholly moved on; what must wait for a payment provider stays in a state the sweep selects again
(a refund still refunding, a payout still approved). Where older code could leave an item
half-done, the sweep's selection also finds it and finishes it. tests/test_job_kills.py kills
`run-due-jobs` at random points to check this.

New sweeps are added to the list below, in the order they should run, and keep to the above.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[datetime], int]  # returns how many things it moved on


def all_jobs() -> list[Job]:
    # Imported here: the job list is read when the command runs, after Django is set up.
    from sharemall.accounts.services import login_guards_purge  # noqa: PLC0415
    from sharemall.aftersales.services import (  # noqa: PLC0415
        aftersales_auto_approve,
        aftersales_finish_refunds,
    )
    from sharemall.checkout.services import (  # noqa: PLC0415
        late_refunds_retry,
        orders_complete,
        unpaid_timeout,
    )
    from sharemall.checkout.services_promotions import groups_expire  # noqa: PLC0415
    from sharemall.core.idempotency import idempotency_records_purge  # noqa: PLC0415
    from sharemall.distribution.services import partner_dividends_due  # noqa: PLC0415
    from sharemall.notifications.services import notifications_deliver  # noqa: PLC0415
    from sharemall.orders.services import orders_auto_receive  # noqa: PLC0415
    from sharemall.promotions.services.tasks import tasks_evaluate  # noqa: PLC0415
    from sharemall.recommendations.services import models_train_due  # noqa: PLC0415
    from sharemall.settlement.services import merchants_settle_due  # noqa: PLC0415
    from sharemall.verification.services import codes_purge  # noqa: PLC0415
    from sharemall.wallet.services_withdrawals import withdrawals_check  # noqa: PLC0415

    return [
        Job("unpaid_order_timeout", unpaid_timeout),
        # After the timeout (a leader who never paid has failed their group by then), before
        # notifications go out: groups past their deadline fail and their members are refunded.
        Job("group_buy_expiry", groups_expire),
        Job("auto_receipt", orders_auto_receive),
        Job("aftersales_auto_approve", aftersales_auto_approve),
        Job("aftersales_finish_refunds", aftersales_finish_refunds),
        Job("late_refunds_retry", late_refunds_retry),
        Job("order_completion", orders_complete),
        # Right after completion: with no settlement delay, an order completes and settles
        # into its merchant's available balance in the same run.
        Job("merchant_settlement", merchants_settle_due),
        # After completion: a share task counts only completed sales.
        Job("share_tasks_evaluate", tasks_evaluate),
        Job("withdrawals_check", withdrawals_check),
        Job("partner_dividends", partner_dividends_due),
        # Last of the business sweeps: what they told members goes out in the same run.
        # After the sweeps that move sales and returns on: the model and the quality verdicts
        # see this run's completions and refunds.
        Job("recommendations_train", models_train_due),
        Job("notifications_deliver", notifications_deliver),
        Job("idempotency_records_purge", idempotency_records_purge),
        Job("login_guards_purge", login_guards_purge),
        Job("verification_codes_purge", codes_purge),
    ]


def run_due_jobs(now: datetime) -> dict[str, int]:
    return {job.name: job.run(now) for job in all_jobs()}
