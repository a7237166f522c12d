"""The member's address book (GET, POST /me/addresses; PUT, DELETE /me/addresses/{id})."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from sharemall.accounts.auth import member_auth, require_member
from sharemall.addresses import rules, selectors, services
from sharemall.addresses.models import Address
from sharemall.addresses.schemas import AddressIn, AddressOut

router = Router(tags=["addresses"])


def address_out(address: Address) -> dict[str, Any]:
    return {
        "id": address.pk,
        "region_code": address.region_code,
        "region_name": rules.region_name(address.region_code),
        "address": address.address,
        "receiver": address.receiver,
        "phone": address.phone,
        "is_default": address.is_default,
    }


def _fields(payload: AddressIn) -> rules.AddressFields:
    return rules.address_fields(
        region_code=payload.region_code,
        address=payload.address,
        receiver=payload.receiver,
        phone=payload.phone,
    )


@router.get("/me/addresses", response=list[AddressOut], auth=member_auth)
def my_addresses(request: HttpRequest) -> list[dict[str, Any]]:
    return [address_out(a) for a in selectors.addresses_of(require_member(request))]


@router.post("/me/addresses", response={201: AddressOut}, auth=member_auth)
def address_create(request: HttpRequest, payload: AddressIn) -> Status[dict[str, Any]]:
    """Save an address; the first one becomes the default. At most 20: 400 too_many_addresses."""
    address = services.address_create(
        require_member(request), _fields(payload), is_default=payload.is_default
    )
    return Status(201, address_out(address))


@router.put("/me/addresses/{address_id}", response=AddressOut, auth=member_auth)
def address_update(request: HttpRequest, address_id: int, payload: AddressIn) -> dict[str, Any]:
    """Replace an address; `is_default: true` makes it the default (another's answers 404)."""
    member = require_member(request)
    selectors.address_of(member, address_id)
    fields = _fields(payload)
    return address_out(
        services.address_update(member, address_id, fields, is_default=payload.is_default)
    )


@router.delete("/me/addresses/{address_id}", response={204: None}, auth=member_auth)
def address_delete(request: HttpRequest, address_id: int) -> Status[None]:
    """Delete an address; deleting the default makes the newest remaining one the default."""
    services.address_delete(require_member(request), address_id)
    return Status(204, None)
