from ninja import Schema
from pydantic import Field


class AddressIn(Schema):
    region_code: str = Field(max_length=12)
    address: str = Field(max_length=300)
    receiver: str = Field(max_length=80)
    phone: str = Field(max_length=32)
    is_default: bool = False


class AddressOut(Schema):
    id: int
    region_code: str
    region_name: str
    address: str
    receiver: str
    phone: str
    is_default: bool
