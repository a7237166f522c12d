"""The community convention (社区公约), open to every visitor at /convention: the version in
force, or an earlier one by ?version=."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from sharemall.community import rules
from sharemall.community import selectors as community


def convention(request: HttpRequest) -> HttpResponse:
    current = community.current_convention()
    if current is None:
        raise Http404
    shown = current
    asked = request.GET.get("version", "")
    if asked.isdigit() and len(asked) < 10 and int(asked) != current.version:
        found = community.convention_version(int(asked))
        if found is None:
            raise Http404
        shown = found
    return render(
        request,
        "web/convention.html",
        {
            "shown": shown,
            "current": current,
            "paragraphs": rules.paragraphs(shown.text),
            "categories": list(rules.CATEGORIES.values()),
            "levels": [rules.LEVELS[level] for level in rules.LADDER],
            "versions": list(community.convention_versions()[:20]),
        },
    )
