from sharemall.promotions.models.coupons import Coupon, CouponClaim, CouponRedemption
from sharemall.promotions.models.flash import FlashPurchase, FlashQuota, FlashSale
from sharemall.promotions.models.settings import PromotionSettings
from sharemall.promotions.models.tiers import SpendTierSet

__all__ = [
    "Coupon",
    "CouponClaim",
    "CouponRedemption",
    "FlashPurchase",
    "FlashQuota",
    "FlashSale",
    "PromotionSettings",
    "SpendTierSet",
]
