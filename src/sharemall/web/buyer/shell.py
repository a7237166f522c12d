"""What every page's shell needs: which bottom tab is current, the cart's item count and the
unread messages' count for their badges. A context processor (settings.TEMPLATES), so no view
has to remember it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sharemall.notifications import selectors as notice_selectors
from sharemall.web.buyer import session_cart

# The pages (URL names) the four bottom tabs open: these show the brand, not a back arrow.
TAB_ROOTS = {"home": "home", "categories": "categories", "buyer_cart": "cart", "me": "me"}
# Pages further inside a tab light it up too (URL name prefixes).
TAB_SECTIONS = (("buyer_order", "me"), ("distributor_", "me"), ("me_", "me"), ("stores_", "me"))


def active_tab(url_name: str) -> str:
    if url_name in TAB_ROOTS:
        return TAB_ROOTS[url_name]
    return next((tab for prefix, tab in TAB_SECTIONS if url_name.startswith(prefix)), "")


def shell(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    url_name = (match.url_name or "") if match is not None else ""

    def cart_count() -> int:
        # A callable, so the session is read only on pages that draw the tab bar.
        return session_cart.count(request.session) if hasattr(request, "session") else 0

    def unread_count() -> int:
        # Also a callable: one count on the partial unread index, only where the bar is drawn.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        return notice_selectors.unread_count(user.pk)

    return {
        "shell": {
            "tab": active_tab(url_name),
            "is_tab_root": url_name in TAB_ROOTS,
            "cart_count": cart_count,
            "unread_count": unread_count,
        }
    }
