from datetime import datetime

from ninja import Schema
from pydantic import Field

from sharemall.core.schemas import Id


class TaskIn(Schema):
    title: str = Field(min_length=1, max_length=60)
    posts_needed: int = Field(ge=1, le=20)
    window_days: int = Field(ge=1, le=30)
    # A coupon of the same issuer made with channel "task".
    reward_coupon_id: Id
    max_completions: int = Field(default=1, ge=1, le=10)
    valid_from: datetime
    valid_to: datetime


class RewardOut(Schema):
    coupon_id: int
    title: str
    kind: str
    amount_fen: int
    percent_bp: int
    threshold_fen: int
    cap_fen: int | None


class TaskOut(Schema):
    id: int
    merchant_id: int | None
    merchant_name: str | None
    title: str
    posts_needed: int
    window_days: int
    max_completions: int
    valid_from: str
    valid_to: str
    stopped: bool
    reward: RewardOut


class IssuerTaskOut(TaskOut):
    rewards_given: int
    members_rewarded: int


class MyTaskOut(Schema):
    task_id: int
    title: str
    merchant_id: int | None
    posts_needed: int
    window_days: int
    max_completions: int
    valid_to: str
    # Posts that brought a completed sale within their window, each counted once.
    counted_posts: int
    # Posts whose sale is paid but not completed yet (received, after-sales window open).
    pending_posts: int
    completed_times: int
    reward: RewardOut
