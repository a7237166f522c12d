from sharemall.promotions.models.bargains import Bargain, BargainDeviceFlag, BargainHelp, BargainRun
from sharemall.promotions.models.campaigns import CampaignOrder
from sharemall.promotions.models.coupons import Coupon, CouponClaim, CouponRedemption
from sharemall.promotions.models.flash import FlashPurchase, FlashQuota, FlashSale
from sharemall.promotions.models.groups import Group, GroupBuy, GroupEvent, GroupMember
from sharemall.promotions.models.settings import PromotionSettings
from sharemall.promotions.models.tasks import ShareTask, ShareTaskReward
from sharemall.promotions.models.tiers import SpendTierSet

__all__ = [
    "Bargain",
    "BargainDeviceFlag",
    "BargainHelp",
    "BargainRun",
    "CampaignOrder",
    "Coupon",
    "CouponClaim",
    "CouponRedemption",
    "FlashPurchase",
    "FlashQuota",
    "FlashSale",
    "Group",
    "GroupBuy",
    "GroupEvent",
    "GroupMember",
    "PromotionSettings",
    "ShareTask",
    "ShareTaskReward",
    "SpendTierSet",
]
