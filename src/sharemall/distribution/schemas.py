from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import Field


class PlanIn(Schema):
    """Rates in basis points (`*_bp`), or with `unit: "fen"`, fen per unit (`*_fen`)."""

    unit: Literal["bp", "fen"] = "bp"
    share_budget_bp: int | None = Field(default=None, strict=True)
    buyer_discount_bp: int = Field(default=0, strict=True)
    level_bp: list[int] = Field(default_factory=lambda: [0, 0, 0], max_length=3)
    region_agent_bp: int = Field(default=0, strict=True)
    share_budget_fen: int | None = Field(default=None, strict=True)
    buyer_discount_fen: int = Field(default=0, strict=True)
    level_fen: list[int] = Field(default_factory=lambda: [0, 0, 0], max_length=3)
    region_agent_fen: int = Field(default=0, strict=True)


class PlanOut(Schema):
    merchant_id: int
    product_id: int | None
    sku_id: int | None
    unit: str
    share_budget_bp: int | None
    buyer_discount_bp: int | None
    level_bp: list[int] | None
    region_agent_bp: int | None
    share_budget_fen: int | None
    buyer_discount_fen: int | None
    level_fen: list[int] | None
    region_agent_fen: int | None


class SettingsIn(Schema):
    max_levels: int | None = Field(default=None, strict=True)
    distribution_mode: Literal["everyone", "approved"] | None = None
    self_purchase_rebate: bool | None = None
    binding_mode: Literal["first_touch", "time_limited", "last_touch"] | None = None
    binding_days: int | None = Field(default=None, strict=True)
    attribution_window_days: int | None = Field(default=None, strict=True)
    share_daily_cap: int | None = Field(default=None, strict=True)
    share_product_daily_cap: int | None = Field(default=None, strict=True)
    share_device_daily_cap: int | None = Field(default=None, strict=True)
    share_ip_daily_cap: int | None = Field(default=None, strict=True)
    share_budget_cap_bp: int | None = Field(default=None, strict=True)
    settlement_delay_days: int | None = Field(default=None, strict=True)
    quality_guarantee_days: int | None = Field(default=None, strict=True)


class PlatformRulesOut(Schema):
    max_levels: int
    distribution_mode: str
    self_purchase_rebate: bool
    binding_mode: str
    binding_days: int
    attribution_window_days: int
    share_daily_cap: int
    share_product_daily_cap: int
    share_device_daily_cap: int
    share_ip_daily_cap: int
    share_budget_cap_bp: int
    settlement_delay_days: int
    quality_guarantee_days: int


class SettingsOut(PlatformRulesOut):
    warnings: list[str]


class CommissionOut(Schema):
    id: int
    order_id: int
    order_line_id: int
    level: int
    kind: str
    base_fen: int
    rate_bp: int | None
    rate_fen: int | None
    amount_fen: int
    status: str
    reason: str
    reversal_of: int | None


class TeamMember(Schema):
    id: int
    nickname: str


class TeamCounts(Schema):
    level1: int
    level2: int
    level3: int


class TeamOut(Schema):
    direct: list[TeamMember]
    counts: TeamCounts


class ReviewIn(Schema):
    reason: str = Field(default="", max_length=300)


class BindingEventOut(Schema):
    """One binding in the history: to whom, replacing whom, under which mode, when and why
    (`source`: "signup:<code>", "landing:<code>" or "checkout:<code>")."""

    parent_id: int
    previous_parent_id: int | None
    mode: str
    source: str
    bound_at: datetime
    bound_until: datetime | None


class BindingOut(Schema):
    """Who the caller is bound to (绑定上级) and until when; all null when unbound or when a
    time-limited binding ran out. `bound_until` null with a parent: bound without an end."""

    parent_id: int | None
    parent_nickname: str | None
    mode: Literal["first_touch", "time_limited", "last_touch"] | None
    bound_at: datetime | None
    bound_until: datetime | None
    history: list[BindingEventOut]


class ComplianceOut(Schema):
    """The rules in force, the deepest level actually paid, what was paid per level (keyed by
    the level), and what was never paid for signing people up."""

    settings: PlatformRulesOut
    warnings: list[str]
    deepest_level_paid: int
    paid_by_level_fen: dict[str, int]
    signup_rewards_paid_fen: int
    entry_fees_charged_fen: int


class AgentIn(Schema):
    member_id: int
    region_code: str = Field(max_length=6)


class AgentOut(Schema):
    id: int
    member_id: int
    region_code: str
    is_active: bool


class PartnerIn(Schema):
    member_id: int


class PartnerOut(Schema):
    member_id: int
    is_active: bool


class DividendShareOut(Schema):
    member_id: int
    gmv_fen: int
    amount_fen: int


class DividendOut(Schema):
    starts: date
    ends: date
    fees_fen: int
    pool_fen: int
    shares: list[DividendShareOut]


class SubStoreIn(Schema):
    title: str = Field(default="", max_length=80)
    product_ids: list[int] = Field(max_length=500)


class SubStoreProductOut(Schema):
    id: int
    title: str
    price_from_fen: int | None


class SubStoreOut(Schema):
    member_id: int
    nickname: str
    title: str
    products: list[SubStoreProductOut]


class TeamDepthOut(Schema):
    depth: int
    members: int


class PlanSnapshotOut(Schema):
    """A plan as recorded: rates in `unit` (basis points or fen), levels 1 to 3."""

    unit: str
    share_budget: int
    buyer_discount: int
    levels: list[int]
    region_agent: int


class PlanChangeOut(Schema):
    product_id: int | None
    sku_id: int | None
    before: PlanSnapshotOut | None
    after: PlanSnapshotOut
    changed_by: int
    at: datetime
