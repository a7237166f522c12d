"""Importing products from a CSV file: preview, then confirm."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sharemall.catalog import importing
from sharemall.core.errors import DomainError
from sharemall.merchants.models import Merchant
from sharemall.web.merchant.console import Console, _back, _render, console_page, owner_page
from sharemall.web.merchant.forms import ImportForm

IMPORT_SALT = "sharemall.web.merchant.import"


IMPORT_MAX_AGE = 60 * 60


def _stash(merchant: Merchant, data: bytes) -> str:
    """Keep a checked file until the merchant confirms the import; the page holds a signed
    reference to it, so nobody can import someone else's file or a file never checked."""
    name = default_storage.save(
        f"imports/m{merchant.pk}/{secrets.token_hex(16)}.dat", ContentFile(data)
    )
    return signing.dumps({"merchant": merchant.pk, "name": name}, salt=IMPORT_SALT)


def _unstash(merchant: Merchant, token: str) -> tuple[str, bytes]:
    expired = DomainError(
        _("The checked file has expired; choose it and check it again."), code="import_expired"
    )
    try:
        ref = signing.loads(token, salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
    except signing.BadSignature:
        raise expired from None
    if not isinstance(ref, dict) or ref.get("merchant") != merchant.pk:
        raise expired
    name = str(ref.get("name", ""))
    if not default_storage.exists(name):
        raise expired
    with default_storage.open(name, "rb") as stored:
        return name, stored.read()


def _import_errors(exc: DomainError) -> list[dict[str, Any]]:
    details = exc.details if isinstance(exc.details, dict) else {}
    rows = details.get("rows", [])
    return rows if isinstance(rows, list) else []


@console_page
@owner_page
def merchant_import(request: HttpRequest, console: Console) -> HttpResponse:
    """Check a sheet first (a dry run listing every bad row), then import it as drafts."""
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "columns": importing.COLUMNS}
    if request.method != "POST":
        return _render(request, console, "web/merchant/import.html", context)
    if "confirm" in request.POST:
        context["form"] = ImportForm()
        return _import_confirmed(request, console, context)
    if form.is_valid():
        data = form.cleaned_data["file"].read(importing.MAX_BYTES + 1)
        try:
            summary = importing.products_import(console.merchant, data, dry_run=True)
        except DomainError as exc:
            context.update(error=exc.message, rows=_import_errors(exc))
        else:
            context.update(summary=summary, token=_stash(console.merchant, data))
    return _render(request, console, "web/merchant/import.html", context)


def _import_confirmed(
    request: HttpRequest, console: Console, context: dict[str, Any]
) -> HttpResponse:
    try:
        name, data = _unstash(console.merchant, request.POST.get("confirm", ""))
        summary = importing.products_import(console.merchant, data, dry_run=False)
    except DomainError as exc:
        context.update(error=exc.message, rows=_import_errors(exc))
        return _render(request, console, "web/merchant/import.html", context)
    default_storage.delete(name)
    messages.success(
        request,
        ngettext(
            "%(products)d product (%(skus)d options in all) was imported as a draft.",
            "%(products)d products (%(skus)d options in all) were imported as drafts.",
            summary.products_created,
        )
        % {"products": summary.products_created, "skus": summary.skus_created},
    )
    return _back("merchant_products", query="status=draft")


@console_page
@owner_page
def merchant_import_template(request: HttpRequest, console: Console) -> HttpResponse:
    """A sample sheet with the accepted columns, for merchants starting from nothing."""
    sample = "title,sku_name,price,stock,description,category,sku_code\r\n"
    sample += "西湖龙井 250g,明前,128.00,50,2024 新茶,,LJ-250-MQ\r\n"
    sample += "西湖龙井 250g,雨前,88.00,80,2024 新茶,,LJ-250-YQ\r\n"
    response = HttpResponse(
        ("\ufeff" + sample).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="sharemall-products.csv"'
    return response
