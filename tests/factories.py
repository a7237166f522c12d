"""factory-boy factories and small builders shared by every test module."""

from __future__ import annotations

import io
import itertools
from typing import Any

import factory
from PIL import Image
from stdnum.cn import uscc

from sharemall.accounts.models import Member
from sharemall.catalog.models import Category, Product, Sku
from sharemall.catalog.search import index_product
from sharemall.merchants import services as merchant_services
from sharemall.merchants.models import Merchant

_counter = itertools.count(1)
PASSWORD = "Sh4re-Mall-pass"


def phone() -> str:
    """A fresh valid mainland mobile number (139 block)."""
    return f"139{next(_counter):08d}"


def valid_uscc(seed: int | None = None) -> str:
    """A licence code with a correct GB 32100 check character, unique per call."""
    n = next(_counter) if seed is None else seed
    body = f"91440300{n:09d}"[:17]
    return body + uscc.calc_check_digit(body)


class MemberFactory(factory.django.DjangoModelFactory[Member]):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    phone = factory.LazyFunction(phone)
    nickname = factory.Sequence(lambda n: f"member{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj: Member, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create:
            obj.save()


class OperatorFactory(MemberFactory):
    is_operator = True
    is_staff = True
    is_superuser = True


def licence_png() -> bytes:
    """A small, valid licence image."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, format="PNG")
    return out.getvalue()


def merchant(
    owner: Member | None = None, *, approved: bool = True, licence: bool = True, **fields: Any
) -> Merchant:
    """A submitted application, complete (with a licence image) unless `licence` is False,
    and approved unless `approved` is False."""
    owner = owner or MemberFactory.create()
    m = merchant_services.merchant_apply(
        owner=owner,
        legal_name=fields.get("legal_name", f"测试商户{next(_counter)}有限公司"),
        uscc=fields.get("uscc", valid_uscc()),
        legal_rep=fields.get("legal_rep", "张三"),
        contact_phone=fields.get("contact_phone", phone()),
    )
    if licence:
        m = merchant_services.licence_upload(m, licence_png())
    if approved:
        m = merchant_services.merchant_approve(m, operator=OperatorFactory.create())
    return m


def with_return_address(m: Merchant) -> Merchant:
    """The merchant's return address set: where an approved return is sent."""
    return merchant_services.merchant_set_return_address(
        m,
        receiver="退货组",
        phone="13900001111",
        region_code="440305",
        address="科技园 9 号仓",
    )


class CategoryFactory(factory.django.DjangoModelFactory[Category]):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"分类{n}")


def product(
    m: Merchant | None = None,
    *,
    on_sale: bool = True,
    price_fen: int = 9900,
    stock: int = 10,
    title: str = "好物",
    skus: int = 1,
) -> Product:
    m = m or merchant()
    p = Product.objects.create(merchant=m, title=title, status="on_sale" if on_sale else "draft")
    for i in range(skus):
        Sku.objects.create(
            product=p, name=f"规格{i + 1}", price_fen=price_fen, stock=stock, position=i
        )
    index_product(p)  # as product_create does, so storefront searches find it
    return p
