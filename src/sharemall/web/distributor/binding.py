"""Who the member is bound to (绑定上级), until when, and every binding before."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from sharemall.accounts.binding import binding_status
from sharemall.accounts.models import Member
from sharemall.platform import rules as platform_rules
from sharemall.web.access import member_page

MODE_LABELS = {
    platform_rules.FIRST_TOUCH: _("Permanent: the first share wins"),
    platform_rules.TIME_LIMITED: _("Time-limited: another share may rebind you after it ends"),
    platform_rules.LAST_TOUCH: _(
        "Last share wins: the latest share you arrive through rebinds you"
    ),
}

# A binding's source is "<how>:<share code>"; the page names how in words.
SOURCE_LABELS = {
    "signup": _("signed up through a share"),
    "share": _("signed up through a share"),  # rows written before the sources were split
    "landing": _("opened a share"),
    "checkout": _("bought through a share"),
}


def _source(source: str) -> str:
    how, _sep, _code = source.partition(":")
    return str(SOURCE_LABELS.get(how, how))


@member_page
def binding(request: HttpRequest, member: Member) -> HttpResponse:
    status = binding_status(member)
    names = dict(
        Member.objects.filter(pk__in={row["parent_id"] for row in status["history"]}).values_list(
            "pk", "nickname"
        )
    )
    history = [
        {
            **row,
            "parent_nickname": names.get(row["parent_id"], ""),
            "how": _source(row["source"]),
            "mode_label": MODE_LABELS.get(row["mode"], row["mode"]),
        }
        for row in reversed(status["history"])
    ]
    return render(
        request,
        "web/distributor/binding.html",
        {
            "status": status,
            "mode_label": MODE_LABELS.get(status["mode"] or "", ""),
            "history": history,
            "section": "binding",
        },
    )
