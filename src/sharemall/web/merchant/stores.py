"""The merchant's online and offline stores."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from sharemall.merchants import rules as merchant_rules
from sharemall.merchants import selectors as merchant_selectors
from sharemall.merchants import services as merchants
from sharemall.merchants.models import Store
from sharemall.web.access import not_found
from sharemall.web.actions import run_action
from sharemall.web.merchant.console import Console, _back, _render, console_page, owner_page
from sharemall.web.merchant.forms import ReturnAddressForm, StoreForm

STORE_ERROR_FIELDS = {
    "invalid_region": "region_code",
    "invalid_coordinates": "latitude",
    "invalid_phone": "phone",
}


@console_page
def merchant_stores(request: HttpRequest, console: Console) -> HttpResponse:
    stores = merchant_selectors.stores_of(console.merchant, include_inactive=True)
    return _render(
        request,
        console,
        "web/merchant/stores.html",
        {
            "stores": [(store, _region_name(store.region_code)) for store in stores],
            "return_to": console.merchant.return_to,
        },
    )


def _region_name(code: str) -> str:
    try:
        return merchant_rules.region(code).full_name if code else ""
    except merchant_rules.InvalidRegion:
        return code


def _region_steps(code: str) -> dict[str, Any]:
    """The three region lists for the store form, with the chosen province, city, district."""
    try:
        chosen = merchant_rules.region(code) if code else None
    except merchant_rules.InvalidRegion:
        chosen = None
    provinces = merchant_rules.region_children(None)
    if chosen is None:
        return {"provinces": provinces, "province": "", "second": [], "third": []}
    second = merchant_rules.region_children(chosen.province_code)
    city = chosen.city_code if any(r.code == chosen.city_code for r in second) else ""
    return {
        "provinces": provinces,
        "province": chosen.province_code,
        "second": second,
        "city": city or chosen.code,
        "third": merchant_rules.region_children(city) if city else [],
        "district": chosen.code,
    }


@console_page
def merchant_regions(request: HttpRequest, console: Console) -> HttpResponse:
    """htmx: the next region list of the store form, after a province or a city was chosen."""
    city, province = request.GET.get("city", ""), request.GET.get("province", "")
    try:
        if city:
            children = merchant_rules.region_children(city)
            return render(request, "web/merchant/region_picker.html#district", {"third": children})
        children = merchant_rules.region_children(province) if province else []
    except merchant_rules.InvalidRegion:
        children = []
    return render(
        request, "web/merchant/region_picker.html#second", {"second": children, "refreshed": True}
    )


def _store_data(form: StoreForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "region_code": data["region_code"],
        "address": data["address"],
        "latitude": data["latitude"],
        "longitude": data["longitude"],
        "opening_hours": data["opening_hours"],
        "phone": data["phone"] or None,
    }


def _store_page(
    request: HttpRequest, console: Console, form: StoreForm, store: Store | None
) -> HttpResponse:
    code = form["region_code"].value() or ""
    context = {"form": form, "store": store, **_region_steps(str(code))}
    return _render(request, console, "web/merchant/store_form.html", context)


@console_page
@owner_page
def merchant_store_new(request: HttpRequest, console: Console) -> HttpResponse:
    form = StoreForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_action(
            request,
            lambda: merchants.store_create(
                console.merchant, kind=Store.Kind.OFFLINE, **_store_data(form)
            ),
            _("The store was added."),
            form=form,
            error_fields=STORE_ERROR_FIELDS,
        )
    ):
        return _back("merchant_stores")
    return _store_page(request, console, form, None)


@console_page
def merchant_store_edit(request: HttpRequest, console: Console, store_id: int) -> HttpResponse:
    store = merchant_selectors.store_for_staff(console.member, store_id)
    console = console.at(request, store.merchant_id)
    if store.kind != Store.Kind.OFFLINE:
        return not_found(request)
    form = StoreForm(request.POST or None, initial=StoreForm.initial_for(store))
    if (
        request.method == "POST"
        and form.is_valid()
        and run_action(
            request,
            lambda: merchants.store_update(
                store, **_store_data(form), is_active=form.cleaned_data["is_active"]
            ),
            _("The store was saved."),
            form=form,
            error_fields=STORE_ERROR_FIELDS,
        )
    ):
        return _back("merchant_stores")
    return _store_page(request, console, form, store)


RETURN_ADDRESS_ERROR_FIELDS = {
    "invalid_receiver": "receiver",
    "invalid_phone": "phone",
    "invalid_region": "region_code",
    "invalid_address": "address",
}


def _address_initial(given: merchant_rules.ReturnAddress | None) -> dict[str, str] | None:
    if given is None:
        return None
    return {
        "receiver": given.receiver,
        "phone": given.phone,
        "region_code": given.region_code,
        "address": given.address,
    }


@console_page
@owner_page
def merchant_return_address(request: HttpRequest, console: Console) -> HttpResponse:
    """The owner says where buyers send returns; a return cannot be approved without it."""
    form = ReturnAddressForm(
        request.POST or None, initial=_address_initial(console.merchant.return_to)
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and run_action(
            request,
            lambda: merchants.merchant_set_return_address(console.merchant, **form.cleaned_data),
            _("The return address was saved."),
            form=form,
            error_fields=RETURN_ADDRESS_ERROR_FIELDS,
        )
    ):
        return _back("merchant_stores")
    code = form["region_code"].value() or ""
    context = {"form": form, **_region_steps(str(code))}
    return _render(request, console, "web/merchant/return_address.html", context)


@console_page
@owner_page
def merchant_store_return_address(
    request: HttpRequest, console: Console, store_id: int
) -> HttpResponse:
    """A store's own return address, for the returns of its pickup orders (else the merchant's
    is shown); "use the merchant's" clears it."""
    store = merchant_selectors.store_for_staff(console.member, store_id)
    console = console.at(request, store.merchant_id)
    if request.method == "POST" and "clear" in request.POST:
        run_action(
            request,
            lambda: merchants.store_set_return_address(
                store, receiver="", phone="", region_code="", address=""
            ),
            _("Returns of this store now go to the merchant's return address."),
        )
        return _back("merchant_store_edit", store.pk)
    form = ReturnAddressForm(request.POST or None, initial=_address_initial(store.return_to))
    if (
        request.method == "POST"
        and form.is_valid()
        and run_action(
            request,
            lambda: merchants.store_set_return_address(store, **form.cleaned_data),
            _("The store's return address was saved."),
            form=form,
            error_fields=RETURN_ADDRESS_ERROR_FIELDS,
        )
    ):
        return _back("merchant_store_edit", store.pk)
    code = form["region_code"].value() or ""
    context = {"form": form, "store": store, **_region_steps(str(code))}
    return _render(request, console, "web/merchant/return_address.html", context)
