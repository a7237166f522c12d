"""Fraud signals that hold a commission entry for review (self-referral, brushing)."""

import ipaddress
from datetime import timedelta

from django.utils import timezone

from sharemall.accounts.models import Member
from sharemall.distribution import rules
from sharemall.orders.models import Order

# Orders through one share link in a short time look like brushing (刷单): held for review.
BURST_ORDERS = 5
BURST_MINUTES = 10


def fraud_reasons(order: Order, beneficiary: Member) -> list[str]:
    """Self-referral and brushing signals between the buyer and a beneficiary.

    They look for a beneficiary hiding behind someone else's purchase. A distributor's own
    purchase under the self-purchase rebate (自购返佣) is the one case where the beneficiary is
    the buyer, openly and as the platform allows (`_chain` puts them at level 1 only then), so
    comparing the buyer with themself signals nothing.
    """
    reasons: list[str] = []
    buyer = order.buyer
    if beneficiary.pk == buyer.pk:
        return reasons
    if order.payment.payer_id == beneficiary.pk:
        reasons.append(rules.HOLD_PAYER)
    if order.device_id and order.device_id == beneficiary.signup_device:
        reasons.append(rules.HOLD_SAME_DEVICE)
    if buyer.signup_device and buyer.signup_device == beneficiary.signup_device:
        reasons.append(rules.HOLD_SIGNUP_DEVICE)
    if (
        order.client_ip
        and order.client_ip == beneficiary.signup_ip
        and _identifies(order.client_ip)
    ):
        reasons.append(rules.HOLD_SAME_IP)
    if order.phone and order.phone == beneficiary.phone:
        reasons.append(rules.HOLD_PHONE)
    if (
        order.address
        and Order.objects.filter(
            buyer=beneficiary, region_code=order.region_code, address=order.address
        )
        .exclude(pk=order.pk)
        .exists()
    ):
        reasons.append(rules.HOLD_ADDRESS)
    return reasons


def _identifies(address: str) -> bool:
    """Only a public address says something about who is behind it: loopback, private and
    carrier-grade NAT ranges are shared by many people (and by every test on one machine)."""
    try:
        return ipaddress.ip_address(address).is_global
    except ValueError:
        return False


def is_burst(order: Order) -> bool:
    if not order.share_link_id:
        return False
    since = (order.paid_at or timezone.now()) - timedelta(minutes=BURST_MINUTES)
    recent = Order.objects.filter(share_link_id=order.share_link_id, paid_at__gte=since)
    return recent.count() > BURST_ORDERS
