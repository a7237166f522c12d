"""The promotions app's tables, one module per tool."""

from sharemall.promotions.models.flash import FlashPurchase, FlashQuota, FlashSale

__all__ = ["FlashPurchase", "FlashQuota", "FlashSale"]
