from datetime import datetime

from ninja import Schema
from pydantic import Field


class RegisterIn(Schema):
    phone: str = Field(max_length=32)
    password: str = Field(max_length=128)
    nickname: str = Field(max_length=80)
    share_code: str | None = Field(default=None, max_length=32)


class RegisterOut(Schema):
    id: int
    token: str
    parent_id: int | None


class LoginIn(Schema):
    phone: str = Field(max_length=32)
    password: str = Field(max_length=128)


class LoginOut(Schema):
    id: int
    token: str


class MeOut(Schema):
    id: int
    phone: str
    nickname: str
    is_distributor: bool
    is_operator: bool
    parent_id: int | None
    bound_until: datetime | None


class DistributorOut(Schema):
    is_distributor: bool
