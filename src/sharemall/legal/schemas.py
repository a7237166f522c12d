from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from sharemall.legal import rules

Kind = Literal["user_agreement", "privacy_policy"]


class DocumentOut(Schema):
    kind: str
    version: int
    title: str
    body: str
    published_at: datetime


class PublishIn(Schema):
    title: str = Field(max_length=rules.TITLE_MAX_LENGTH)
    body: str = Field(max_length=rules.BODY_MAX_LENGTH)


class ConsentOut(Schema):
    kind: str
    version: int
    accepted_at: datetime
