"""The mute notice where members speak (the post form, comment forms): "你已被禁言至 …".

In a view: `{"mute_notice": mute_notice(member)}` and `{% include "web/mute_notice.html" %}`;
or in any template: `{% load sharemall_web %}{% show_mute_notice %}` (reads request.user).
Nothing shows for a member free to speak.
"""

from __future__ import annotations

from sharemall.accounts.models import Member
from sharemall.community import selectors as community
from sharemall.community.selectors import Mute


def mute_notice(member: Member | None) -> Mute | None:
    """The member's standing mute (until: None for good), or None."""
    if member is None or not member.is_authenticated:
        return None
    return community.active_mute(member.pk)
