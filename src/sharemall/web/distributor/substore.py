"""The sub-store editor."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from sharemall.accounts.models import Member
from sharemall.catalog import selectors as catalog
from sharemall.distribution import selectors as distribution_selectors
from sharemall.distribution import services as distribution
from sharemall.web.access import member_page
from sharemall.web.actions import run_action
from sharemall.web.distributor.common import _redirect
from sharemall.web.distributor.forms import SubstoreForm

SUBSTORE_CHOICES_SHOWN = 30


QUERY_MAX = 100


def _substore_context(
    member: Member, query: str, form: SubstoreForm, chosen: list[int] | None
) -> dict[str, Any]:
    """The products now in the sub-store (those still on sale, as anyone sees it) and products
    on sale matching the search, to tick."""
    public = distribution_selectors.substore_public(member.pk)
    current = public["products"] if public else []
    current_ids = [p["id"] for p in current]
    results = list(
        catalog.storefront_products(query=query).exclude(pk__in=current_ids)[
            :SUBSTORE_CHOICES_SHOWN
        ]
    )
    return {
        "form": form,
        "query": query,
        "current": current,
        "results": results,
        "chosen": set(current_ids if chosen is None else chosen),
        "is_distributor": member.is_distributor,
        "substore_title": public["title"] if public else "",
        "section": "substore",
    }


@member_page
def substore(request: HttpRequest, member: Member) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    chosen: list[int] | None = None
    if request.method == "POST":
        form = SubstoreForm(request.POST)
        if form.is_valid():
            chosen = form.cleaned_data["product"]
            if run_action(
                request,
                lambda: distribution.substore_set(
                    member, product_ids=chosen, title=form.cleaned_data["title"]
                ),
                _("Your sub-store is saved."),
                form=form,
            ):
                return _redirect("web:distributor_substore")
    else:
        public = distribution_selectors.substore_public(member.pk)
        form = SubstoreForm(initial={"title": public["title"] if public else ""})
    context = _substore_context(member, query, form, chosen)
    # A search answers htmx with the results alone; restoring history needs the whole page.
    htmx = getattr(request, "htmx", None)  # django-htmx's middleware sets it
    if htmx and not htmx.history_restore_request and request.method == "GET":
        return render(request, "web/distributor/substore.html#results", context)
    return render(request, "web/distributor/substore.html", context)
