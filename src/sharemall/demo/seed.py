"""`sharemall seed-demo`: a small, believable mall to click through, built with the services.

Everything goes through the same services the API uses, so the demo can never hold data the
product would refuse. One transaction: a failure leaves no half-seeded mall behind (and the
picture files it wrote are removed again). A second run finds the marker merchant and only
prints the logins.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.files.storage import Storage
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from sharemall.accounts.binding import bind
from sharemall.accounts.models import Member
from sharemall.accounts.services import distributor_enable, member_register, operator_create
from sharemall.aftersales.services import aftersale_approve, aftersale_request
from sharemall.catalog.models import Category, Sku
from sharemall.catalog.services import (
    SkuDraft,
    category_create,
    image_add,
    product_create,
    product_publish,
)
from sharemall.checkout import services as checkout
from sharemall.core.errors import Conflict
from sharemall.demo import data
from sharemall.demo.pictures import product_picture
from sharemall.distribution import rules as distribution_rules
from sharemall.distribution import services as distribution
from sharemall.merchants.models import Merchant, Store
from sharemall.merchants.services import (
    licence_upload,
    merchant_apply,
    merchant_approve,
    staff_add,
    store_create,
)
from sharemall.orders.models import Order, OrderLine
from sharemall.orders.services import order_confirm_receipt, order_ship
from sharemall.posts.services import post_create
from sharemall.sharing.services import click_record, share_create

BASE_URL = "http://127.0.0.1:8000"
ALREADY = "Demo data is already there; nothing was changed. Log in with:"


# 20 % given up for sharing: 5 % off for the buyer, 8 % / 4 % / 2 % to three levels, 1 % to a
# regional agent.
DEMO_PLAN = distribution_rules.Plan("bp", 2000, 500, (800, 400, 200), 100)


def is_seeded() -> bool:
    return Merchant.objects.filter(uscc=data.MARKER.uscc).exists()


def login_lines() -> list[str]:
    owner = data.MARKER
    first, last = data.MEMBER_PHONES[0], data.MEMBER_PHONES[-1]
    return [
        f"  storefront:  {BASE_URL}/",
        f"  back office: {BASE_URL}/admin/  (operator login)",
        f"  API docs:    {BASE_URL}/api/v1/docs",
        f"  operator:        {data.OPERATOR_PHONE} / {data.OPERATOR_PASSWORD}",
        f"  merchant owner:  {owner.owner_phone} / {data.DEMO_PASSWORD}  ({owner.legal_name})",
        f"  store staff:     {owner.staff_phone} / {data.DEMO_PASSWORD}  ({owner.stores[0].name})",
        f"  members:         {first} … {last} / {data.DEMO_PASSWORD}  (e.g. {first})",
        "  Demo passwords are public: never seed a database that real people use.",
    ]


class _Seeder:
    def __init__(self) -> None:
        self.notes: list[str] = []
        self.files: list[tuple[Storage, str]] = []  # written pictures, removed if we roll back
        self.categories: dict[str, int] = {}

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
        for position, (parent_name, children) in enumerate(data.CATEGORIES):
            parent = self.category(parent_name, None, position)
            for child_position, child_name in enumerate(children):
                self.categories[child_name] = self.category(child_name, parent, child_position)

    @staticmethod
    def category(name: str, parent_id: int | None, position: int) -> int:
        # An operator may have made some of the tree already; reuse rather than fail.
        existing = Category.objects.filter(name=name, parent_id=parent_id).first()
        if existing is not None:
            return existing.pk
        return category_create(name=name, parent_id=parent_id, position=position).pk

    def merchant(self, spec: data.Merchant, operator: Member) -> Merchant:
        owner = self.account(spec.owner_phone, spec.legal_rep)
        merchant = merchant_apply(
            owner=owner,
            legal_name=spec.legal_name,
            uscc=spec.uscc,
            legal_rep=spec.legal_rep,
            contact_phone=spec.owner_phone,
        )
        # Only a complete application (with its licence image) can be approved.
        licence = product_picture(
            title=spec.legal_name, label="L", colours=("#f5f0e1", "#b03a2e"), variant=0
        )
        merchant = licence_upload(merchant, licence)
        self.files.append((merchant.licence_image.storage, merchant.licence_image.name or ""))
        merchant = merchant_approve(merchant, operator=operator)
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
        if spec.staff_phone and stores:
            staff = self.account(spec.staff_phone, spec.staff_nickname)
            staff_add(merchant, phone=staff.phone, store_id=stores[0].pk)
            # Store staff are distributors bound to their store (PRODUCT.md, "Who uses it").
            distributor_enable(staff)
        for index, product in enumerate(spec.products):
            self.product(merchant, spec, product, index)
        return merchant

    def product(
        self, merchant: Merchant, spec: data.Merchant, item: data.Product, index: int
    ) -> None:
        product = product_create(
            merchant,
            title=item.title,
            description=item.description,
            category_id=self.categories[item.category],
            skus=[SkuDraft(s.name, s.price_fen, s.stock) for s in item.skus],
        )
        # Every other product gets a second picture, so galleries show both cases.
        for variant in range(1 + index % 2):
            colours = spec.colours[(index + variant) % len(spec.colours)]
            picture = product_picture(
                title=item.title, label=item.label, colours=colours, variant=variant
            )
            record = image_add(product, picture)
            self.files.append((record.image.storage, record.image.name or ""))
        product_publish(product)

    def run(self) -> None:
        operator = self.operator()
        self.category_tree()
        for spec in data.MERCHANTS:
            self.merchant(spec, operator)
        members = [
            self.account(phone, nickname)
            for phone, nickname in zip(data.MEMBER_PHONES, data.MEMBER_NICKNAMES, strict=True)
        ]
        codes = self.sharing(members)
        self.orders(members, codes)
        if settings.SANDBOX_PAYMENTS:
            self.posts(members)

    def sharing(self, members: list[Member]) -> dict[int, str]:
        """Every merchant gives up 20 % for sharing; a three-member chain is bound through each
        other's shares, and each of them shares a product. Returns member id → a share code."""
        owner = Merchant.objects.filter(uscc=data.MARKER.uscc).first()
        for merchant in Merchant.objects.filter(status="approved"):
            distribution.plan_set(merchant, actor=merchant.owner, plan=DEMO_PLAN)
        products = list(
            Sku.objects.filter(product__status="on_sale")
            .order_by("pk")
            .values_list("product_id", flat=True)[:3]
        )
        codes: dict[int, str] = {}
        if owner is None or len(members) < 3 or len(products) < 3:
            return codes
        for i, sharer in enumerate(members[:3]):
            distributor_enable(sharer)
            if i:
                bind(sharer, members[i - 1], source=f"signup:{codes[members[i - 1].pk]}")
            link = share_create(sharer=sharer, target_type="product", target_id=products[i]).link
            codes[sharer.pk] = link.code
        return codes

    def orders(self, members: list[Member], codes: dict[int, str]) -> None:
        """A few orders in every state, so order lists, the merchant console and after-sales
        have something to show. Paid through the sandbox when it is on (`sharemall demo`)."""
        skus = list(Sku.objects.filter(product__status="on_sale").order_by("pk")[:6])
        if len(skus) < 6 or len(members) < 7:
            return
        # (buyer, goods, how far it gets, whose share the buyer came through)
        plans = [
            (members[0], [skus[0], skus[5]], "received", None),
            (members[3], [skus[1]], "shipped", members[2]),
            (members[4], [skus[2]], "paid", members[1]),
            (members[5], [skus[3]], "unpaid", members[2]),
            (members[6], [skus[4]], "refunded", members[2]),
        ]
        paying = settings.SANDBOX_PAYMENTS
        for buyer, items, goal, sharer in plans:
            # Each buyer ships to their own door: a shared address is a brushing signal.
            address = checkout.Delivery(
                "express",
                "440305",
                f"科技园南区 8 栋 {1200 + buyer.pk} 室",
                buyer.nickname,
                buyer.phone,
            )
            result = checkout.order_create(
                buyer=buyer,
                items=[checkout.Item(s.pk, 1) for s in items],
                delivery=address,
                share_code=codes.get(sharer.pk) if sharer is not None else None,
            )
            if goal == "unpaid" or not paying:
                continue
            checkout.sandbox_complete(result.payment)
            for paid in Order.objects.filter(payment=result.payment).select_related("merchant"):
                self.advance(paid, goal, buyer)
        if not paying:
            self.notes.append(
                "  note: the sandbox is off (SANDBOX_PAYMENTS), so demo orders were left unpaid."
            )

    def posts(self, members: list[Member]) -> None:
        """Buyers who received their goods post about them (a poor rating among them: it stays
        up), and a reader buys through one post's link — a second-degree sale to chart."""
        reviews = [(5, data.POST_TEXTS[0]), (2, data.POST_TEXTS[1]), (4, data.POST_TEXTS[2])]
        lines = OrderLine.objects.filter(order__status__in=("received", "completed")).order_by(
            "pk"
        )[: len(reviews)]
        last_code = ""
        for (rating, text), line in zip(reviews, lines, strict=False):
            photo = product_picture(
                title=line.title, label=text[:1], colours=("#fde2e4", "#e4572e"), variant=rating
            )
            made = post_create(
                author=line.order.buyer,
                order_line_id=line.pk,
                text=text,
                rating=rating,
                images=[photo],
            )
            for image in made.images.all():
                self.files.append((image.image.storage, image.image.name or ""))
                self.files.append((image.thumbnail.storage, image.thumbnail.name or ""))
            last_code = made.share_link.code if made.share_link else ""
            for visitor in range(3):
                click_record(code=last_code, visitor_key=f"demo-{made.pk}-{visitor}")
        reader = members[7] if len(members) > 7 else None
        sku = lines[len(lines) - 1].sku if lines else None
        if not last_code or reader is None or sku is None:
            return
        result = checkout.order_create(
            buyer=reader,
            items=[checkout.Item(sku.pk, 1)],
            delivery=checkout.Delivery(
                "express", "440305", "科技园北区 2 栋 501 室", reader.nickname, reader.phone
            ),
            share_code=last_code,
        )
        checkout.sandbox_complete(result.payment)

    @staticmethod
    def advance(order: Order, goal: str, buyer: Member) -> None:
        owner = order.merchant.owner
        if goal in {"received", "shipped", "refunded"}:
            order = order_ship(order, actor=owner, carrier="顺丰", tracking_no="SF10086")
        if goal in {"received", "refunded"}:
            order = order_confirm_receipt(order, actor=buyer)
        if goal == "refunded":
            line = order.lines.get()
            request = aftersale_request(
                buyer=buyer, order=order, kind="refund", lines=[(line.pk, 1)], reason="包装破损"
            )
            aftersale_approve(request, actor=owner)

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
    summary = (
        f"Seeded the demo mall in {time.monotonic() - started:.1f} s: "
        f"{len(data.MERCHANTS)} approved merchants, "
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
