from datetime import date

from ninja import Schema


class DegreeOut(Schema):
    degree: int
    clicks: int
    reach: int
    orders: int
    buyers: int
    conversion: float | None


class DayOut(Schema):
    date: date
    clicks: int
    orders: int


class SharerOut(Schema):
    member_id: int
    nickname: str
    clicks: int
    orders: int


class PropagationOut(Schema):
    product_id: int
    post_id: int | None
    by_degree: list[DegreeOut]
    viral_coefficient: float
    half_life_hours: float | None
    totals: dict[str, int]
    series: list[DayOut]
    top_sharers: list[SharerOut]


class CampaignOut(Schema):
    kind: str  # coupon | tiers | flash | group | bargain | task
    campaign_id: int
    title: str
    orders: int
    buyers: int
    gmv_fen: int
    cost_fen: int
    cost_ratio_bp: int | None
    by_degree: dict[str, int]


class CampaignKindOut(Schema):
    kind: str
    title: str
    campaigns: int
    orders: int
    buyers: int
    gmv_fen: int
    cost_fen: int
    cost_ratio_bp: int | None
    by_degree: dict[str, int]


class PlatformCampaignsOut(Schema):
    coupons: list[CampaignOut]
    tasks: list[CampaignOut]
    by_kind: list[CampaignKindOut]
