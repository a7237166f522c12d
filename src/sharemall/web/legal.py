"""The user agreement and the privacy policy, open to every visitor (/legal/user-agreement,
/legal/privacy): the current version, or an earlier one by ?version=."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from sharemall.legal import rules
from sharemall.legal import selectors as legal_selectors
from sharemall.legal import services as legal
from sharemall.legal.models import LegalDocument

KIND_OF_SLUG = {slug: kind for kind, slug in rules.SLUGS.items()}


def document(request: HttpRequest, slug: str) -> HttpResponse:
    kind = KIND_OF_SLUG.get(slug)
    if kind is None:
        raise Http404
    current = legal.current(kind)
    shown: LegalDocument | None = current
    asked = request.GET.get("version", "")
    if asked.isdigit() and len(asked) < 10 and int(asked) != current.version:
        shown = legal_selectors.history(kind).filter(version=int(asked)).first()
    if shown is None:
        raise Http404
    return render(request, "web/legal.html", {"document": shown, "current": current, "slug": slug})
