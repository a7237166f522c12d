"""{% wechat_browser as inside %}: whether the page is open in WeChat's own browser, so that
the JS-SDK and wechat.js are loaded there only (other browsers never download them)."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from sharemall.web.wechat_browser import in_wechat

register = template.Library()


@register.simple_tag(takes_context=True)
def wechat_browser(context: dict[str, Any]) -> bool:
    request = context.get("request")
    return request is not None and in_wechat(request)


@register.filter
def public_url(path: str) -> str:
    """A same-site path as the absolute address a WeChat card needs (PUBLIC_BASE_URL)."""
    text = str(path or "")
    return f"{settings.PUBLIC_BASE_URL}{text}" if text.startswith("/") else text
