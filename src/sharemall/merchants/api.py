from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from sharemall.accounts.auth import member_auth, require_member, require_operator
from sharemall.core.errors import NotFound
from sharemall.core.images import read_image_upload
from sharemall.merchants import rules, selectors, services
from sharemall.merchants.models import Merchant, Staff, Store
from sharemall.merchants.schemas import (
    MerchantEventOut,
    MerchantIn,
    MerchantOut,
    MerchantPatch,
    MerchantStatusOut,
    NearbyStoreOut,
    ReasonIn,
    RegionOut,
    ReturnAddressIn,
    ReturnAddressOut,
    StaffIn,
    StaffOut,
    StoreIn,
    StoreOut,
    StorePatch,
)

router = Router(tags=["merchants"])


def store_out(store: Store, **extra: Any) -> dict[str, Any]:
    region_name = rules.region(store.region_code).full_name if store.region_code else ""
    return {
        "id": store.pk,
        "merchant_id": store.merchant_id,
        "kind": store.kind,
        "name": store.name,
        "region_code": store.region_code,
        "region_name": region_name,
        "address": store.address,
        "latitude": store.latitude,
        "longitude": store.longitude,
        "opening_hours": store.opening_hours,
        "phone": store.phone,
        "is_active": store.is_active,
        **extra,
    }


def staff_out(staff: Staff) -> dict[str, Any]:
    return {
        "member_id": staff.member_id,
        "nickname": staff.member.nickname,
        "role": staff.role,
        "store_id": staff.store_id,
    }


# --- applications ----------------------------------------------------------------------------


@router.post("/merchants", response={201: MerchantOut}, auth=member_auth)
def apply(request: HttpRequest, payload: MerchantIn) -> Status[Merchant]:
    merchant = services.merchant_apply(
        owner=require_member(request),
        legal_name=payload.legal_name,
        uscc=payload.uscc,
        legal_rep=payload.legal_rep,
        contact_phone=payload.contact_phone,
        submit=not payload.draft,
    )
    return Status(201, merchant)


@router.get("/merchants/mine", response=list[MerchantOut], auth=member_auth)
def my_merchants(request: HttpRequest) -> Any:
    return selectors.merchants_of(require_member(request))


@router.get("/merchants/{merchant_id}", response=MerchantOut, auth=member_auth)
def merchant_detail(request: HttpRequest, merchant_id: int) -> Merchant:
    return selectors.merchant_for_viewer(require_member(request), merchant_id)


@router.put("/merchants/{merchant_id}", response=MerchantOut, auth=member_auth)
def merchant_edit(request: HttpRequest, merchant_id: int, payload: MerchantPatch) -> Merchant:
    merchant = selectors.merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    return services.merchant_update(merchant, **payload.dict())


@router.post("/merchants/{merchant_id}/submit", response=MerchantStatusOut, auth=member_auth)
def merchant_submit(request: HttpRequest, merchant_id: int) -> Merchant:
    member = require_member(request)
    merchant = selectors.merchant_for_staff(member, merchant_id, owner_only=True)
    return services.merchant_submit(merchant, actor=member)


@router.post("/merchants/{merchant_id}/licence", response=MerchantOut, auth=member_auth)
def licence_upload(request: HttpRequest, merchant_id: int, image: File[UploadedFile]) -> Merchant:
    merchant = selectors.merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    return services.licence_upload(merchant, read_image_upload(image))


@router.get("/merchants/{merchant_id}/events", response=list[MerchantEventOut], auth=member_auth)
def merchant_events(request: HttpRequest, merchant_id: int) -> Any:
    merchant = selectors.merchant_for_viewer(require_member(request), merchant_id)
    return selectors.merchant_events(merchant)


# --- operator review -------------------------------------------------------------------------


class ReviewQuery(Schema):
    status: str | None = Field(
        default=None, pattern="^(draft|submitted|approved|rejected|suspended)$"
    )


@router.get("/platform/merchants", response=list[MerchantOut], auth=member_auth)
def review_queue(request: HttpRequest, filters: Query[ReviewQuery]) -> Any:
    require_operator(request)
    return selectors.merchant_review_queue(filters.status)[:500]


def _reviewed(request: HttpRequest, merchant_id: int) -> tuple[Any, Merchant]:
    operator = require_operator(request)
    return operator, selectors.merchant_for_viewer(operator, merchant_id)


@router.post(
    "/platform/merchants/{merchant_id}/approve", response=MerchantStatusOut, auth=member_auth
)
def approve(request: HttpRequest, merchant_id: int) -> Merchant:
    operator, merchant = _reviewed(request, merchant_id)
    return services.merchant_approve(merchant, operator=operator)


@router.post(
    "/platform/merchants/{merchant_id}/reject", response=MerchantStatusOut, auth=member_auth
)
def reject(request: HttpRequest, merchant_id: int, payload: ReasonIn) -> Merchant:
    operator, merchant = _reviewed(request, merchant_id)
    return services.merchant_reject(merchant, operator=operator, reason=payload.reason)


@router.post(
    "/platform/merchants/{merchant_id}/suspend", response=MerchantStatusOut, auth=member_auth
)
def suspend(request: HttpRequest, merchant_id: int, payload: ReasonIn) -> Merchant:
    operator, merchant = _reviewed(request, merchant_id)
    return services.merchant_suspend(merchant, operator=operator, reason=payload.reason)


@router.post(
    "/platform/merchants/{merchant_id}/reinstate", response=MerchantStatusOut, auth=member_auth
)
def reinstate(request: HttpRequest, merchant_id: int, payload: ReasonIn) -> Merchant:
    operator, merchant = _reviewed(request, merchant_id)
    return services.merchant_reinstate(merchant, operator=operator, reason=payload.reason)


# --- return address --------------------------------------------------------------------------


def return_address_out(merchant: Merchant) -> dict[str, Any]:
    """The merchant's return address; every field empty while none is set."""
    return _address_out(merchant.return_to)


def _address_out(given: rules.ReturnAddress | None) -> dict[str, Any]:
    if given is None:
        return dict.fromkeys(ReturnAddressOut.model_fields, "")
    return {
        "receiver": given.receiver,
        "phone": given.phone,
        "region_code": given.region_code,
        "region_name": given.region_name,
        "address": given.address,
    }


@router.get("/merchants/{merchant_id}/return-address", response=ReturnAddressOut, auth=member_auth)
def return_address(request: HttpRequest, merchant_id: int) -> dict[str, Any]:
    """Where buyers send returns: its staff may read it, to tell a buyer on the phone."""
    merchant = selectors.merchant_for_staff(require_member(request), merchant_id, owner_only=False)
    return return_address_out(merchant)


@router.put("/merchants/{merchant_id}/return-address", response=ReturnAddressOut, auth=member_auth)
def return_address_set(
    request: HttpRequest, merchant_id: int, payload: ReturnAddressIn
) -> dict[str, Any]:
    merchant = selectors.merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    return return_address_out(services.merchant_set_return_address(merchant, **payload.dict()))


def _store_of(request: HttpRequest, merchant_id: int, store_id: int, *, owner_only: bool) -> Store:
    store = selectors.store_for_staff(require_member(request), store_id, owner_only=owner_only)
    if store.merchant_id != merchant_id:
        raise NotFound(_("No such store."))
    return store


@router.get(
    "/merchants/{merchant_id}/stores/{store_id}/return-address",
    response=ReturnAddressOut,
    auth=member_auth,
)
def store_return_address(request: HttpRequest, merchant_id: int, store_id: int) -> dict[str, Any]:
    """The store's own return address (for the returns of its pickup orders); every field empty
    while it has none and its returns go to the merchant's."""
    return _address_out(_store_of(request, merchant_id, store_id, owner_only=False).return_to)


@router.put(
    "/merchants/{merchant_id}/stores/{store_id}/return-address",
    response=ReturnAddressOut,
    auth=member_auth,
)
def store_return_address_set(
    request: HttpRequest, merchant_id: int, store_id: int, payload: ReturnAddressIn
) -> dict[str, Any]:
    """The owner sets the store's own return address; every field empty clears it."""
    store = _store_of(request, merchant_id, store_id, owner_only=True)
    return _address_out(services.store_set_return_address(store, **payload.dict()).return_to)


# --- stores and staff ------------------------------------------------------------------------


@router.post("/merchants/{merchant_id}/stores", response={201: StoreOut}, auth=member_auth)
def store_add(request: HttpRequest, merchant_id: int, payload: StoreIn) -> Status[dict[str, Any]]:
    merchant = selectors.merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    store = services.store_create(merchant, kind=Store.Kind.OFFLINE, **payload.dict())
    return Status(201, store_out(store))


@router.get("/merchants/{merchant_id}/stores", response=list[StoreOut], auth=None)
def store_list(request: HttpRequest, merchant_id: int) -> list[dict[str, Any]]:
    """Public: the stores of an approved merchant."""
    merchant = selectors.public_merchant(merchant_id)
    return [store_out(s) for s in selectors.stores_of(merchant)]


class NearbyQuery(Schema):
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    radius_m: int = Field(default=5000, ge=1, le=100_000)
    limit: int = Field(default=20, ge=1, le=100)


@router.get("/stores/nearby", response=list[NearbyStoreOut], auth=None)
def nearby(request: HttpRequest, q: Query[NearbyQuery]) -> list[dict[str, Any]]:
    found = selectors.stores_nearby(q.lat, q.lng, radius_m=q.radius_m, limit=q.limit)
    return [
        store_out(n.store, distance_m=n.distance_m, merchant_name=n.store.merchant.legal_name)
        for n in found
    ]


@router.put("/stores/{store_id}", response=StoreOut, auth=member_auth)
def store_edit(request: HttpRequest, store_id: int, payload: StorePatch) -> dict[str, Any]:
    store = selectors.store_for_staff(require_member(request), store_id)
    return store_out(services.store_update(store, **payload.dict()))


@router.get("/merchants/{merchant_id}/staff", response=list[StaffOut], auth=member_auth)
def staff_list(request: HttpRequest, merchant_id: int) -> list[dict[str, Any]]:
    merchant = selectors.merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    return [staff_out(s) for s in selectors.staff_of(merchant)]


@router.post("/merchants/{merchant_id}/staff", response={201: StaffOut}, auth=member_auth)
def staff_add(request: HttpRequest, merchant_id: int, payload: StaffIn) -> Status[dict[str, Any]]:
    merchant = selectors.merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    staff = services.staff_add(merchant, phone=payload.phone, store_id=payload.store_id)
    return Status(201, staff_out(staff))


@router.delete("/merchants/{merchant_id}/staff/{member_id}", response={204: None}, auth=member_auth)
def staff_remove(request: HttpRequest, merchant_id: int, member_id: int) -> Status[None]:
    merchant = selectors.merchant_for_staff(require_member(request), merchant_id, owner_only=True)
    services.staff_remove(merchant, member_id=member_id)
    return Status(204, None)


class RegionQuery(Schema):
    parent: str | None = Field(default=None, max_length=6)


@router.get("/regions", response=list[RegionOut], auth=None)
def regions(request: HttpRequest, q: Query[RegionQuery]) -> Any:
    """GB/T 2260 divisions: provinces, or the children of `parent`, for address pickers."""
    return rules.region_children(q.parent)
