"""Share tasks (任务): merchants and operators set them up; members see them and their progress.
Rewards are given by the `run-due-jobs` sweep, never by a request."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from sharemall.accounts.auth import member_auth, require_member, require_operator
from sharemall.merchants.models import Merchant
from sharemall.merchants.selectors import merchant_for_staff
from sharemall.promotions.models import ShareTask
from sharemall.promotions.rules import tasks as rules
from sharemall.promotions.schemas.coupons import CreatedOut
from sharemall.promotions.schemas.tasks import IssuerTaskOut, MyTaskOut, TaskIn, TaskOut
from sharemall.promotions.selectors import coupons as coupon_selectors
from sharemall.promotions.selectors import tasks as selectors
from sharemall.promotions.services import tasks as services

router = Router(tags=["promotions"])


def reward_out(task: ShareTask) -> dict[str, Any]:
    c = task.reward_coupon
    return {
        "coupon_id": c.pk,
        "title": c.title,
        "kind": c.kind,
        "amount_fen": c.amount_fen,
        "percent_bp": c.percent_bp,
        "threshold_fen": c.threshold_fen,
        "cap_fen": c.cap_fen,
    }


def task_out(task: ShareTask) -> dict[str, Any]:
    return {
        "id": task.pk,
        "merchant_id": task.merchant_id,
        "merchant_name": task.merchant.legal_name if task.merchant else None,
        "title": task.title,
        "posts_needed": task.posts_needed,
        "window_days": task.window_days,
        "max_completions": task.max_completions,
        "valid_from": task.valid_from.isoformat(),
        "valid_to": task.valid_to.isoformat(),
        "stopped": task.stopped_at is not None,
        "reward": reward_out(task),
    }


def _issuer_list(merchant_id: int | None) -> list[dict[str, Any]]:
    tasks = list(selectors.tasks_of_issuer(merchant_id)[:200])
    given = selectors.completions_by_task(t.pk for t in tasks)
    return [
        {
            **task_out(t),
            "rewards_given": given.get(t.pk, (0, 0))[0],
            "members_rewarded": given.get(t.pk, (0, 0))[1],
        }
        for t in tasks
    ]


def _create(request: HttpRequest, merchant: Merchant | None, payload: TaskIn) -> ShareTask:
    actor = require_member(request)
    coupon = coupon_selectors.coupon_of_issuer(
        merchant.pk if merchant else None, payload.reward_coupon_id
    )
    return services.task_create(
        merchant=merchant,
        actor=actor,
        reward_coupon=coupon,
        definition=rules.Definition(
            merchant_id=merchant.pk if merchant else None,
            title=payload.title,
            posts_needed=payload.posts_needed,
            window_days=payload.window_days,
            max_completions=payload.max_completions,
            valid_from=payload.valid_from,
            valid_to=payload.valid_to,
        ),
    )


# --- merchants ---------------------------------------------------------------------------------


@router.post("/merchants/{merchant_id}/share-tasks", response={201: CreatedOut}, auth=member_auth)
def merchant_task_create(
    request: HttpRequest, merchant_id: int, payload: TaskIn
) -> Status[dict[str, Any]]:
    """ "`posts_needed` of your posts each bring a completed sale of our goods within
    `window_days` → `reward_coupon_id`": the reward is one of the shop's coupons made with
    channel "task". Only completed sales to other buyers count, never clicks or sign-ups.
    Bad input: 400 `invalid_task` (`invalid_reward` for an unusable coupon)."""
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    return Status(201, {"id": _create(request, merchant, payload).pk})


@router.get("/merchants/{merchant_id}/share-tasks", response=list[IssuerTaskOut], auth=member_auth)
def merchant_task_list(request: HttpRequest, merchant_id: int) -> list[dict[str, Any]]:
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    return _issuer_list(merchant.pk)


@router.post(
    "/merchants/{merchant_id}/share-tasks/{task_id}/stop", response=TaskOut, auth=member_auth
)
def merchant_task_stop(request: HttpRequest, merchant_id: int, task_id: int) -> dict[str, Any]:
    """Posts published from now on no longer count; rounds already under way still finish."""
    merchant = merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    return task_out(services.task_stop(selectors.task_of_issuer(merchant.pk, task_id)))


# --- members -----------------------------------------------------------------------------------


@router.get("/tasks", response=list[TaskOut])
def task_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Share tasks running now."""
    return [task_out(t) for t in selectors.running_tasks(timezone.now())[:200]]


@router.get("/me/tasks", response=list[MyTaskOut], auth=member_auth)
def my_tasks(request: HttpRequest) -> list[dict[str, Any]]:
    """Running share tasks and the caller's progress: posts counted (a completed sale each),
    posts waiting for their sale to complete, and rounds completed (each rewarded once by the
    periodic job)."""
    member = require_member(request)
    tasks = list(selectors.running_tasks(timezone.now())[:200])
    done = selectors.rewards_of_member((t.pk for t in tasks), member.pk)
    found = []
    for t in tasks:
        progress = selectors.task_progress(t, author_id=member.pk).get(member.pk)
        found.append(
            {
                "task_id": t.pk,
                "title": t.title,
                "merchant_id": t.merchant_id,
                "posts_needed": t.posts_needed,
                "window_days": t.window_days,
                "max_completions": t.max_completions,
                "valid_to": t.valid_to.isoformat(),
                "counted_posts": len(progress.counted_posts) if progress else 0,
                "pending_posts": len(progress.pending_posts) if progress else 0,
                "completed_times": done.get(t.pk, 0),
                "reward": reward_out(t),
            }
        )
    return found


# --- operators ---------------------------------------------------------------------------------


@router.post("/platform/share-tasks", response={201: CreatedOut}, auth=member_auth)
def platform_task_create(request: HttpRequest, payload: TaskIn) -> Status[dict[str, Any]]:
    """The platform's task (operators): sales of any shop count; the reward is a platform coupon
    made with channel "task"."""
    require_operator(request)
    return Status(201, {"id": _create(request, None, payload).pk})


@router.get("/platform/share-tasks", response=list[IssuerTaskOut], auth=member_auth)
def platform_task_list(request: HttpRequest) -> list[dict[str, Any]]:
    require_operator(request)
    return _issuer_list(None)


@router.post("/platform/share-tasks/{task_id}/stop", response=TaskOut, auth=member_auth)
def platform_task_stop(request: HttpRequest, task_id: int) -> dict[str, Any]:
    require_operator(request)
    return task_out(services.task_stop(selectors.task_of_issuer(None, task_id)))
