"""`sharemall seed-demo`: a believable mall to click through, built with the services.

Everything goes through the same services the API uses, so the demo can never hold data the
product would refuse (sharemall.demo.stories plays the orders). One transaction: a failure
leaves no half-seeded mall behind (and the picture files it wrote are removed again). A second
run finds the marker merchant and only prints the logins.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.utils import timezone

from sharemall.accounts import services as accounts
from sharemall.accounts.models import Member
from sharemall.accounts.services import distributor_enable, member_register, operator_create
from sharemall.catalog.models import Category
from sharemall.catalog.services import (
    SkuDraft,
    category_create,
    image_add,
    product_create,
    product_publish,
)
from sharemall.community import services as community
from sharemall.core.errors import Conflict
from sharemall.demo import data
from sharemall.demo.pictures import (
    Subject,
    banner_picture,
    category_icon,
    licence_picture,
    product_photo,
)
from sharemall.demo.stories import Stories, subject_of
from sharemall.freight import rules as freight_rules
from sharemall.freight.models import FreightTemplate
from sharemall.freight.services import template_create
from sharemall.merchants.models import Merchant, Store
from sharemall.merchants.services import (
    licence_upload,
    merchant_apply,
    merchant_approve,
    merchant_set_return_address,
    staff_add,
    store_create,
    store_update,
)
from sharemall.orders.models import Order
from sharemall.recommendations.services import model_train
from sharemall.showcase.models import Banner
from sharemall.showcase.services import banner_create

# What other changes add, looked up by name so the seed runs before and after they land.
ALREADY = "Demo data is already there; nothing was changed. Log in with:"


def is_seeded() -> bool:
    return Merchant.objects.filter(uscc=data.MARKER.uscc).exists()


def login_lines() -> list[str]:
    owner = data.MARKER
    first, last = data.MEMBER_PHONES[0], data.MEMBER_PHONES[-1]
    # `sharemall demo` sets PUBLIC_BASE_URL from its --host and --port: where it serves.
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return [
        f"  storefront:  {base}/",
        f"  back office: {base}/admin/  (operator login)",
        f"  API docs:    {base}/api/v1/docs",
        f"  operator:        {data.OPERATOR_PHONE} / {data.OPERATOR_PASSWORD}",
        f"  merchant owner:  {owner.owner_phone} / {data.DEMO_PASSWORD}  ({owner.legal_name})",
        f"  store staff:     {owner.staff_phone} / {data.DEMO_PASSWORD}  ({owner.stores[0].name})",
        f"  members:         {first} … {last} / {data.DEMO_PASSWORD}  (e.g. {first})",
        "  Demo passwords are public: never seed a database that real people use.",
    ]


@contextmanager
def _demo_password_hashed_once() -> Iterator[None]:
    """Every demo account shares one public password, and hashing it costs a third of a second
    each time (that is what makes a password hash slow to guess): twenty accounts were most of
    the seed's time, in every browser test session. So it is hashed once and that hash is
    stored for each of them; a salt protects nothing for a password printed on the console."""
    hashed = make_password(data.DEMO_PASSWORD)

    def once(password: str | None, *args: Any, **kwargs: Any) -> str:
        if password == data.DEMO_PASSWORD and not args and not kwargs:
            return hashed
        return make_password(password, *args, **kwargs)

    with mock.patch.object(accounts, "make_password", once):
        yield


class _Seeder:
    def __init__(self) -> None:
        self.notes: list[str] = []
        self.files: list[tuple[Storage, str]] = []  # written pictures, removed if we roll back
        self.categories: dict[str, int] = {}
        self.stores: dict[str, list[Store]] = {}
        self.freight: dict[int, FreightTemplate] = {}  # each shop's postage, by merchant id

    def keep(self, field_file: Any) -> None:
        """Remembers a written picture, to remove it if the seed rolls back."""
        if field_file and field_file.name:
            self.files.append((field_file.storage, field_file.name))

    def account(self, phone: str, nickname: str) -> Member:
        """A member with the demo password; one that already exists is used as it is."""
        existing = Member.objects.filter(phone=phone).first()
        if existing is not None:
            self.notes.append(f"  note: {phone} already existed; its password was left alone.")
            return existing
        return member_register(phone=phone, password=data.DEMO_PASSWORD, nickname=nickname)

    def operator(self) -> Member:
        existing = Member.objects.filter(phone=data.OPERATOR_PHONE).first()
        if existing is None:
            return operator_create(
                phone=data.OPERATOR_PHONE, password=data.OPERATOR_PASSWORD, nickname="平台运营"
            )
        if not existing.is_operator:
            # Promoting would mean resetting a stranger's password; let a person decide.
            raise CommandError(
                f"{data.OPERATOR_PHONE} belongs to a member who is not an operator; "
                "the demo needs that number for its operator."
            )
        self.notes.append(
            f"  note: operator {data.OPERATOR_PHONE} already existed; its password was left alone."
        )
        return existing

    def category_tree(self) -> None:
        for position, spec in enumerate(data.CATEGORIES):
            parent = self.category(spec.name, None, position)
            self.icon(parent, spec)
            for child_position, child_name in enumerate(spec.children):
                self.categories[child_name] = self.category(child_name, parent, child_position)

    def icon(self, category_id: int, spec: data.Category) -> None:
        category = Category.objects.get(pk=category_id)
        if category.icon:
            return  # an operator's own icon stays
        subject = Subject(spec.kind, spec.colour, spec.colour, "", "", "", "")
        category.icon.save(f"category-{category_id}.png", ContentFile(category_icon(subject)))
        self.keep(category.icon)

    @staticmethod
    def category(name: str, parent_id: int | None, position: int) -> int:
        # An operator may have made some of the tree already; reuse rather than fail.
        existing = Category.objects.filter(name=name, parent_id=parent_id).first()
        if existing is not None:
            return existing.pk
        return category_create(name=name, parent_id=parent_id, position=position).pk

    def merchant(self, spec: data.Merchant, operator: Member | None) -> Merchant:
        """An application with its licence photo; approved, with its stores and staff,
        unless `operator` is None (then it waits in the operator's review queue)."""
        owner = self.account(spec.owner_phone, spec.legal_rep)
        merchant = merchant_apply(
            owner=owner,
            legal_name=spec.legal_name,
            uscc=spec.uscc,
            legal_rep=spec.legal_rep,
            contact_phone=spec.owner_phone,
        )
        # Only a complete application (with its licence image) can be approved.
        licence = licence_picture(
            legal_name=spec.legal_name, uscc=spec.uscc, legal_rep=spec.legal_rep
        )
        merchant = licence_upload(merchant, licence)
        self.keep(merchant.licence_image)
        if operator is None:
            return merchant
        merchant = merchant_approve(merchant, operator=operator)
        region_code, address = spec.returns_to
        if address:  # returns can be approved in the demo's after-sales stories
            merchant = merchant_set_return_address(
                merchant,
                receiver=f"{spec.short_name}售后",
                phone=spec.owner_phone,
                region_code=region_code,
                address=address,
            )
        # Shoppers know a shop by its shop name; the application named it after the company.
        online = Store.objects.get(merchant=merchant, kind=Store.Kind.ONLINE)
        store_update(online, name=f"{spec.short_name}官方旗舰店")
        stores = [
            store_create(
                merchant,
                kind=Store.Kind.OFFLINE,
                name=s.name,
                region_code=s.region_code,
                address=s.address,
                latitude=s.latitude,
                longitude=s.longitude,
                phone=s.phone,
                opening_hours=[
                    {"weekday": d, "opens": o, "closes": c} for d, o, c in s.opening_hours
                ],
            )
            for s in spec.stores
        ]
        self.stores[spec.uscc] = stores
        self.freight[merchant.pk] = self.freight_template(merchant)
        if spec.staff_phone and stores:
            staff = self.account(spec.staff_phone, spec.staff_nickname)
            staff_add(merchant, phone=staff.phone, store_id=stores[0].pk)
            # Store staff are distributors bound to their store (PRODUCT.md, "Who uses it").
            distributor_enable(staff)
        return merchant

    @staticmethod
    def freight_template(merchant: Merchant) -> FreightTemplate:
        """Postage as most shops on the mainland charge it: ¥8 a parcel and ¥2 an extra piece,
        more to the far west, free over ¥99, nothing sent outside the mainland."""
        return template_create(
            merchant,
            name="标准快递",
            template=freight_rules.Template(
                by="piece",
                rules=(
                    freight_rules.Rule((), 1, 800, 1, 200),
                    freight_rules.Rule(data.FAR_WEST_REGIONS, 1, 1800, 1, 800),
                ),
                free_over_fen=9900,
                no_delivery_region_codes=data.NOT_DELIVERED_REGIONS,
            ),
        )

    def product(
        self, merchant: Merchant, spec: data.Merchant, item: data.Product, index: int
    ) -> None:
        product = product_create(
            merchant,
            freight_template_id=self.freight[merchant.pk].pk,
            title=item.title,
            description=item.description,
            category_id=self.categories[item.category],
            skus=[
                SkuDraft(s.name, s.price_fen, s.stock, list_price_fen=s.list_price_fen or None)
                for s in item.skus
            ],
        )
        # Two to four photos: the product alone, in two colours, in a room, up close.
        subject = subject_of(spec, item)
        for variant in range(2 + index % 3):
            record = image_add(product, product_photo(subject, variant))
            self.keep(record.image)
        product_publish(product)

    def banners(self) -> None:
        """Home banners, as an operator would add them on /platform/banners."""
        if Banner.objects.exists():
            return  # the operator's own banners stay as they are
        for position, spec in enumerate(data.BANNERS):
            category = data.CATEGORIES[[c.name for c in data.CATEGORIES].index(spec.category)]
            shop = next(
                m
                for m in data.MERCHANTS
                if any(p.category in category.children for p in m.products)
            )
            subjects = [
                subject_of(shop, p) for p in shop.products if p.category in category.children
            ][:3]
            picture = banner_picture(
                headline=spec.title,
                subline=spec.subline,
                colour=spec.colour,
                subjects=subjects,
                headline_latin=spec.latin,
            )
            parent = Category.objects.filter(name=spec.category, parent=None).first()
            banner = banner_create(
                title=spec.title,
                image=picture,
                link_url=f"/categories?category={parent.pk}" if parent else "/",
                position=position,
            )
            self.keep(banner.image)

    def run(self) -> None:
        operator = self.operator()
        self.category_tree()
        shops = [(self.merchant(spec, operator), spec) for spec in data.MERCHANTS]
        # Shop by shop in turn, so the newest-first storefront mixes shops and categories.
        for index in range(max(len(spec.products) for spec in data.MERCHANTS)):
            for merchant, spec in shops:
                if index < len(spec.products):
                    self.product(merchant, spec, spec.products[index], index)
        self.merchant(data.APPLICANT, None)
        self.banners()
        members = [
            self.account(phone, nickname)
            for phone, nickname in zip(data.MEMBER_PHONES, data.MEMBER_NICKNAMES, strict=True)
        ]
        if not settings.SANDBOX_PAYMENTS:
            self.community(members[-1], operator)
            self.notes.append(
                "  note: the sandbox is off (SANDBOX_PAYMENTS), so the demo has no orders."
            )
            return
        stories = Stories(members, self.stores)
        try:
            stories.run()
        finally:
            self.files += [(default_storage, name) for name in stories.files if name]
        # After the stories: the penalised member has posted by then, as people do before
        # they are muted.
        self.community(members[-1], operator)

    def community(self, member: Member, operator: Member) -> None:
        """The last demo member broke the convention twice and appealed the mute, so the back
        office's member page and appeal queue, and the member's 处罚与申诉, have something to
        show. (The demo member who posts and buys is left alone.)"""
        community.penalty_impose(
            member_id=member.pk,
            actor=operator,
            level="warning",
            rule="spam",
            note="评论区留微信号招代理",
        )
        mute = community.penalty_impose(
            member_id=member.pk,
            actor=operator,
            level="mute_1d",
            rule="spam",
            note="多次粘贴同一段品牌文案",
        )
        community.appeal_file(
            appellant=member,
            decision_type="penalty",
            decision_id=mute.pk,
            statement="这是我自己写的使用感受，不是广告，请复核。",
        )

    def discard_files(self) -> None:
        for storage, name in self.files:
            if name:
                storage.delete(name)


def seed_demo() -> list[str]:
    if is_seeded():
        return [ALREADY, *login_lines()]
    started = time.monotonic()
    seeder = _Seeder()
    try:
        with transaction.atomic():
            # Checked again inside the transaction: on SQLite it holds the write lock, so two
            # runs at once cannot both pass.
            if is_seeded():
                return [ALREADY, *login_lines()]
            with _demo_password_hashed_once():
                seeder.run()
    except (IntegrityError, Conflict):
        seeder.discard_files()
        # A concurrent run (PostgreSQL) got there first: its seed is as good as ours.
        if is_seeded():
            return [ALREADY, *login_lines()]
        raise
    except BaseException:
        seeder.discard_files()
        raise
    # The recommendations and the quality report start from the seeded sales.
    model_train(timezone.now(), force=True)
    summary = (
        f"Seeded the demo mall in {time.monotonic() - started:.1f} s: "
        f"{len(data.MERCHANTS)} approved merchants and 1 application, "
        f"{sum(len(m.stores) for m in data.MERCHANTS)} offline stores, "
        f"{sum(len(m.products) for m in data.MERCHANTS)} products on sale "
        f"with {len(seeder.files)} pictures, {len(data.MEMBER_PHONES)} members, "
        f"{Order.objects.count()} orders."
    )
    return [
        summary,
        *seeder.notes,
        "Log in with:",
        *login_lines(),
    ]
