from datetime import datetime

from ninja import Schema
from pydantic import Field


class MerchantIn(Schema):
    legal_name: str = Field(max_length=200)
    uscc: str = Field(max_length=40)
    legal_rep: str = Field(max_length=100)
    contact_phone: str = Field(max_length=32)
    draft: bool = False


class MerchantPatch(Schema):
    legal_name: str | None = Field(default=None, max_length=200)
    uscc: str | None = Field(default=None, max_length=40)
    legal_rep: str | None = Field(default=None, max_length=100)
    contact_phone: str | None = Field(default=None, max_length=32)


class MerchantOut(Schema):
    id: int
    status: str
    legal_name: str
    uscc: str
    legal_rep: str
    contact_phone: str
    licence_image_url: str | None
    rejection_reason: str
    created_at: datetime

    @staticmethod
    def resolve_licence_image_url(obj: object) -> str | None:
        image = getattr(obj, "licence_image", None)
        return image.url if image else None


class MerchantStatusOut(Schema):
    id: int
    status: str


class ReasonIn(Schema):
    reason: str = Field(default="", max_length=1000)


class MerchantEventOut(Schema):
    from_status: str
    to_status: str
    actor_id: int | None
    reason: str
    created_at: datetime


class OpeningHours(Schema):
    weekday: int
    opens: str
    closes: str


class StoreIn(Schema):
    name: str = Field(max_length=120)
    region_code: str = Field(max_length=12)
    address: str = Field(max_length=300)
    latitude: float
    longitude: float
    opening_hours: list[OpeningHours] = Field(default_factory=list, max_length=50)
    phone: str | None = Field(default=None, max_length=32)


class StorePatch(Schema):
    name: str | None = Field(default=None, max_length=120)
    region_code: str | None = Field(default=None, max_length=12)
    address: str | None = Field(default=None, max_length=300)
    latitude: float | None = None
    longitude: float | None = None
    opening_hours: list[OpeningHours] | None = Field(default=None, max_length=50)
    phone: str | None = Field(default=None, max_length=32)
    is_active: bool | None = None


class StoreOut(Schema):
    id: int
    merchant_id: int
    kind: str
    name: str
    region_code: str
    region_name: str
    address: str
    latitude: float | None
    longitude: float | None
    opening_hours: list[OpeningHours]
    phone: str
    is_active: bool


class NearbyStoreOut(StoreOut):
    distance_m: int
    merchant_name: str


class StaffIn(Schema):
    phone: str = Field(max_length=32)
    store_id: int | None = None


class StaffOut(Schema):
    member_id: int
    nickname: str
    role: str
    store_id: int | None


class RegionOut(Schema):
    code: str
    name: str
    full_name: str
    level: str


class ReturnAddressIn(Schema):
    receiver: str = Field(max_length=100)
    phone: str = Field(max_length=32)
    region_code: str = Field(max_length=12)
    address: str = Field(max_length=400)


class ReturnAddressOut(Schema):
    receiver: str
    phone: str
    region_code: str
    region_name: str
    address: str
