"""Merchants' own official accounts run through our Open Platform component: their states and
what WeChat's answers mean. Pure: no Django."""

from __future__ import annotations

from typing import Any

from sharemall.core.transitions import StateMachine

CONNECTED, DISCONNECTED = "connected", "disconnected"

# connected → disconnected: the owner disconnected here, WeChat told us the account revoked us
# (unauthorized), or the owner connected another account in its place; disconnected →
# connected: the owner authorised the same account again.
ACCOUNT = StateMachine(
    "official account",
    {CONNECTED: {DISCONNECTED}, DISCONNECTED: {CONNECTED}},
    event_model="wechat.MerchantWechatEvent",
    event_fk="account",
)

# verify_type_info.id: -1 not verified, 0 WeChat-verified, 1/2 verified only through Sina or
# Tencent Weibo, 3–5 qualification-verified (name verification pending). WeChat opens the
# advanced APIs the seeds need (QR codes with a scene, user info) to 0 and 3–5.
CERTIFIED_VERIFY_TYPES = frozenset({0, 3, 4, 5})

# The verify ticket is valid for 12 hours; WeChat pushes a new one every 10 minutes.
VERIFY_TICKET_SECONDS = 12 * 3600
# WeChat's component notices (InfoType).
VERIFY_TICKET, AUTHORIZED, UPDATE_AUTHORIZED, UNAUTHORIZED = (
    "component_verify_ticket",
    "authorized",
    "updateauthorized",
    "unauthorized",
)


def certified(authorizer_info: dict[str, Any]) -> bool:
    verify = authorizer_info.get("verify_type_info") or {}
    try:
        return int(verify.get("id", -1)) in CERTIFIED_VERIFY_TYPES
    except (TypeError, ValueError):
        return False


def authorizer_profile(authorizer_info: dict[str, Any]) -> dict[str, Any]:
    """What we keep of api_get_authorizer_info's `authorizer_info`."""
    return {
        "nickname": str(authorizer_info.get("nick_name") or "")[:64],
        "original_id": str(authorizer_info.get("user_name") or "")[:32],
        "certified": certified(authorizer_info),
    }
