from sharemall.promotions.models.campaigns import CampaignOrder
from sharemall.promotions.models.coupons import Coupon, CouponClaim, CouponRedemption
from sharemall.promotions.models.settings import PromotionSettings
from sharemall.promotions.models.tasks import ShareTask, ShareTaskReward
from sharemall.promotions.models.tiers import SpendTierSet

__all__ = [
    "CampaignOrder",
    "Coupon",
    "CouponClaim",
    "CouponRedemption",
    "PromotionSettings",
    "ShareTask",
    "ShareTaskReward",
    "SpendTierSet",
]
