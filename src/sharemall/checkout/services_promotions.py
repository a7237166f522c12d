"""Checkout's promotion flows: orders placed at a group's or a bargain's price, and what a
promotion cannot keep refunded. The promotion's own state lives in the promotions app; this
module only places its orders through `services.order_create` and refunds through after-sales
(`services.refund_promotion_order`)."""

from __future__ import annotations
