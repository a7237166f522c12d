"""Four weeks of life in the demo mall, played through the real services.

Members share, friends buy through the links, merchants ship, buyers confirm, post and complain,
the completion job settles commissions and a member asks to withdraw. Every queue a person works
through ends up with something in it: an application to review (seed.py), a dispute, a fraud
hold, a reported post, a withdrawal to approve, an after-sales request, orders to ship and a
pickup to verify.

Nothing is inserted behind the services' backs, so the ledger balances. The one liberty taken
is the calendar: each order's own timestamps are moved back to the day its story happened, so
lists, dashboards and the completion job see a history rather than one busy second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from sharemall.accounts.binding import bind
from sharemall.accounts.models import Member
from sharemall.accounts.services import distributor_enable
from sharemall.addresses.rules import AddressFields, address_fields
from sharemall.addresses.services import address_create
from sharemall.aftersales.models import AfterSale
from sharemall.aftersales.services import (
    aftersale_approve,
    aftersale_escalate,
    aftersale_reject,
    aftersale_request,
)
from sharemall.catalog.models import Product, Sku
from sharemall.checkout import services as checkout
from sharemall.demo import catalogue, data
from sharemall.demo.campaigns import seed_campaigns
from sharemall.demo.pictures import Subject, post_photo
from sharemall.distribution import rules as distribution_rules
from sharemall.distribution import services as distribution
from sharemall.distribution.models import CommissionEntry
from sharemall.merchants.models import Merchant, Store
from sharemall.orders.models import Order, OrderEvent, OrderLine
from sharemall.orders.services import (
    order_confirm_receipt,
    order_ready_for_pickup,
    order_ship,
    pickup_verify,
)
from sharemall.payments.models import Payment
from sharemall.posts.models import Post
from sharemall.posts.services import comment_create, comment_report, post_create, post_report
from sharemall.settlement.selectors import merchant_balance
from sharemall.settlement.services import merchants_settle_due
from sharemall.settlement.services_withdrawals import merchant_withdrawal_request
from sharemall.sharing.services import click_record, share_create
from sharemall.wallet.services_withdrawals import wallet_summary, withdrawal_request

# 20 % given up for sharing: 5 % off for the buyer, 8 % / 4 % / 2 % to three levels, 1 % to a
# regional agent.
DEMO_PLAN = distribution_rules.Plan("bp", 2000, 500, (800, 400, 200), 100)

UNPAID, PAID, SHIPPED, RECEIVED, READY, PICKED = (
    "unpaid",
    "paid",
    "shipped",
    "received",
    "ready",
    "picked",
)
# How long an unpaid order waits for its payment (the platform's default).
UNPAID_FOR = timedelta(minutes=30)
# How long after ordering each step happened, in a story moved back in time.
STEP_AFTER = {
    "paid_at": timedelta(minutes=3),
    "shipped_at": timedelta(hours=20),
    "received_at": timedelta(days=3, hours=2),
}
EVENT_AFTER = {
    "pending_payment": timedelta(0),
    "paid": STEP_AFTER["paid_at"],
    "shipped": STEP_AFTER["shipped_at"],
    "ready_for_pickup": timedelta(hours=4),
    "received": STEP_AFTER["received_at"],
}

# (merchant, product index, SKU index, quantity)
Line = tuple[catalogue.Merchant, int, int, int]
T, B, K, D = catalogue.TEA, catalogue.BEAUTY, catalogue.KITCHEN, catalogue.DEER


@dataclass(frozen=True)
class Story:
    buyer: int  # index into the demo members
    lines: tuple[Line, ...]
    goal: str
    days_ago: float = 0
    via: tuple[int, catalogue.Merchant, int] | None = None  # whose share of which product
    pickup: bool = False
    ship_to_phone_of: int | None = None  # a member whose phone the parcel goes to (a fraud signal)


# Completed stories were received more than the after-sales window (7 days) ago, so the
# completion job settles them; received ones are within it, so buyers can still post or complain.
HISTORY: tuple[Story, ...] = (
    Story(3, ((T, 0, 0, 1),), RECEIVED, 24, via=(0, T, 0)),
    Story(4, ((B, 0, 1, 1),), RECEIVED, 22, via=(0, B, 0)),
    Story(5, ((T, 2, 1, 1),), RECEIVED, 20, via=(1, T, 2)),
    Story(6, ((K, 0, 0, 1),), RECEIVED, 19, via=(0, K, 0)),
    Story(0, ((T, 5, 0, 1), (T, 9, 0, 2)), RECEIVED, 18),
    Story(7, ((K, 4, 0, 1),), RECEIVED, 16, via=(2, K, 4)),
    Story(8, ((D, 6, 0, 1),), RECEIVED, 15, via=(0, D, 6)),
    Story(9, ((B, 4, 0, 1),), RECEIVED, 14, via=(1, B, 4)),
    Story(3, ((D, 2, 1, 1), (D, 3, 0, 2)), RECEIVED, 13, via=(2, D, 2)),
    Story(4, ((T, 0, 1, 1),), RECEIVED, 12, via=(0, T, 0)),
    Story(1, ((T, 1, 0, 1),), RECEIVED, 11),
)
# Received lately: the posts, the complaints and the refunds are about these (by position).
RECENT: tuple[Story, ...] = (
    Story(0, ((B, 0, 0, 1), (K, 3, 1, 1)), RECEIVED, 9),  # 0: the demo member's post
    Story(3, ((B, 1, 0, 1),), RECEIVED, 8),  # 1: a two-star post
    Story(4, ((T, 0, 2, 1),), RECEIVED, 7.5, via=(0, T, 0)),  # 2: a post a reader buys through
    Story(5, ((D, 3, 0, 1),), RECEIVED, 6),  # 3: the post that gets reported
    Story(9, ((K, 7, 0, 1),), RECEIVED, 5),  # 4: a happy post
    Story(7, ((T, 7, 0, 1),), RECEIVED, 5),  # 5: refused refund → dispute
    Story(6, ((T, 3, 0, 2),), RECEIVED, 4),  # 6: a refund request the merchant has to answer
    Story(8, ((T, 9, 1, 1),), RECEIVED, 6),  # 7: refunded
    Story(0, ((D, 9, 1, 1),), PAID, 7),  # 8: refunded before it shipped: closed
    Story(9, ((T, 6, 0, 1),), PICKED, 3, pickup=True),  # 9: collected at the store
)
ONGOING: tuple[Story, ...] = (
    Story(0, ((D, 6, 1, 1),), SHIPPED, 2),
    Story(5, ((B, 0, 0, 1),), SHIPPED, 1, via=(0, B, 0)),
    Story(3, ((T, 1, 1, 2),), SHIPPED, 3),
    Story(0, ((T, 7, 0, 1),), PAID, 0.2),
    Story(6, ((T, 2, 0, 1),), PAID, 0.1, via=(1, T, 2)),
    Story(9, ((K, 4, 0, 1),), PAID, 1, via=(2, K, 4), ship_to_phone_of=2),  # held: fraud signal
    Story(4, ((T, 4, 0, 1), (T, 8, 0, 1)), PAID, 1),
    Story(0, ((T, 6, 0, 1),), READY, 0.3, pickup=True),  # the pickup code to show at the store
    Story(0, ((D, 9, 0, 1), (D, 10, 0, 1)), UNPAID),
    Story(7, ((T, 0, 0, 1),), UNPAID, via=(0, T, 0)),
    Story(0, ((B, 5, 1, 1),), UNPAID, 2),  # never paid: the timeout job cancels it
)
# (author, story in RECENT, rating, text in data.POST_TEXTS, photos)
POSTS = ((0, 0, 5, 0, 3), (3, 1, 2, 1, 1), (4, 2, 4, 2, 2), (5, 3, 5, 4, 1), (9, 4, 5, 3, 2))
# How many of the ten face masks bought in `returns` come back, and what their buyers wrote.
RETURNED_MASKS = 6
RETURN_REASONS = (
    "和详情页写的补水效果差太多",
    "实物颜色和图片不一样，精华液很少",
    "描述说无香精，实际味道很重",
)
# Who shares what: a three-member chain (1 bound to 0, 2 to 1), each sharing a few products.
SHARES = ((0, T, 0), (0, B, 0), (0, K, 0), (0, D, 6), (1, T, 2), (1, B, 4), (2, K, 4), (2, D, 2))


@dataclass
class Stories:
    members: list[Member]
    stores: dict[str, list[Store]]  # by merchant licence code
    files: list[str] = field(default_factory=list)  # post pictures written (removed on failure)
    codes: dict[tuple[int, str], str] = field(default_factory=dict)  # (member, product) → code
    now: datetime = field(default_factory=timezone.now)

    def run(self) -> None:
        self.address_books()
        self.plans_and_shares()
        for story in HISTORY:
            self.play(story)
        # The completion job closes the after-sales window of the older orders and settles
        # their commissions (PRODUCT §5.4): the money members can now withdraw.
        checkout.orders_complete(timezone.now())
        # With no settlement delay, those orders settle into their shops' available balances.
        merchants_settle_due(timezone.now())
        recent = [self.play(story) for story in RECENT]
        self.posts(recent)
        self.complaints(recent)
        self.returns()
        for story in ONGOING:
            self.play(story)
        # Unpaid orders from days ago are past their payment deadline: the job cancels them
        # and puts their stock back.
        checkout.unpaid_timeout(timezone.now())
        self.withdrawal()
        self.shop_withdrawal()
        self.campaigns()

    # --- people and links ---------------------------------------------------------------------

    def address_books(self) -> None:
        """Every member keeps their home in the address book (checkout fills it in); the
        first also keeps the office, to choose between."""
        for member in self.members:
            address_create(member, _home(member))
        first = self.members[0]
        address_create(
            first,
            address_fields(
                region_code="440304",
                address="深南大道 6008 号 18 楼",
                receiver=first.nickname,
                phone=first.phone,
            ),
        )

    def plans_and_shares(self) -> None:
        """Plans, the sharing chain, share links with a few clicks, and the demo member's
        sub-store (the products they share, and a few more they like)."""
        for merchant in Merchant.objects.filter(status="approved"):
            distribution.plan_set(merchant, actor=merchant.owner, plan=DEMO_PLAN)
        for i in range(3):
            distributor_enable(self.members[i])
        for sharer, shop, index in SHARES:
            product = self.product(shop, index)
            link = share_create(
                sharer=self.members[sharer], target_type="product", target_id=product.pk
            ).link
            self.codes[sharer, product.title] = link.code
            if sharer == 0 and index == 0 and shop is T:
                # The chain: member 1 arrived through member 0's share, member 2 through 1's.
                bind(self.members[1], self.members[0], source=f"signup:{link.code}")
            if sharer == 1 and shop is T:
                bind(self.members[2], self.members[1], source=f"signup:{link.code}")
            for visitor in range(2 + len(self.codes) % 4):
                click_record(code=link.code, visitor_key=f"demo-{link.code}-{visitor}")

        liked = [(T, 0), (B, 0), (K, 0), (D, 6), (T, 5), (B, 5), (K, 8), (D, 2)]
        distribution.substore_set(
            self.members[0],
            product_ids=[self.product(shop, index).pk for shop, index in liked],
            title="小林的好物小店",
        )

    @staticmethod
    def product(shop: catalogue.Merchant, index: int) -> Product:
        return Product.objects.get(merchant__uscc=shop.uscc, title=shop.products[index].title)

    def sku(self, shop: catalogue.Merchant, index: int, sku: int) -> Sku:
        return Sku.objects.get(
            product=self.product(shop, index), name=shop.products[index].skus[sku].name
        )

    def campaigns(self) -> None:
        """The tea shop's coupons, 满减, flash sale, a forming group and a bargain under way."""

        def home_delivery(member: Member) -> checkout.Delivery:
            home = _home(member)
            return checkout.Delivery(
                "express", home.region_code, home.address, home.receiver, member.phone
            )

        seed_campaigns(
            shop=Merchant.objects.get(uscc=T.uscc),
            operator=Member.objects.get(phone=data.OPERATOR_PHONE),
            members=self.members,
            sku=lambda index: self.sku(T, index, 0),
            delivery=home_delivery,
            now=timezone.now(),
        )

    # --- one purchase, start to finish ------------------------------------------------------

    def play(self, story: Story) -> list[Order]:
        buyer = self.members[story.buyer]
        code = None
        if story.via is not None:
            sharer, shop, index = story.via
            code = self.codes[sharer, shop.products[index].title]
        phone = buyer.phone
        if story.ship_to_phone_of is not None:
            phone = self.members[story.ship_to_phone_of].phone
        if story.pickup:
            store = self.stores[T.uscc][0]
            delivery = checkout.Delivery("pickup", store_id=store.pk)
        else:
            # Each buyer ships to their own door (the address book's home): a shared address
            # is a brushing signal.
            home = _home(buyer)
            delivery = checkout.Delivery(
                "express", home.region_code, home.address, home.receiver, phone
            )
        result = checkout.order_create(
            buyer=buyer,
            items=[checkout.Item(self.sku(s, i, k).pk, q) for s, i, k, q in story.lines],
            delivery=delivery,
            share_code=code,
        )
        if story.goal == UNPAID:
            self.backdate(result.payment.pk, story.days_ago)
            return result.orders
        checkout.sandbox_complete(result.payment)
        orders = list(Order.objects.filter(payment=result.payment).select_related("merchant"))
        for order in orders:
            self.advance(order, story.goal, buyer)
        self.backdate(result.payment.pk, story.days_ago)
        return list(Order.objects.filter(payment=result.payment).order_by("pk"))

    def advance(self, order: Order, goal: str, buyer: Member) -> None:
        owner = order.merchant.owner
        if goal in (READY, PICKED):
            order = order_ready_for_pickup(order, actor=owner)
            if goal == PICKED and order.pickup_store is not None:
                pickup_verify(order.pickup_store, code=order.pickup_code, actor=owner)
            return
        if goal in (SHIPPED, RECEIVED):
            order = order_ship(
                order, actor=owner, carrier="顺丰速运", tracking_no=f"SF{1460031000 + order.pk}"
            )
        if goal == RECEIVED:
            order_confirm_receipt(order, actor=buyer)

    def backdate(self, payment_id: int, days_ago: float) -> None:
        """Moves a purchase's own timestamps back to the day its story happened."""
        if not days_ago:
            return
        start = self.now - timedelta(days=days_ago)
        payment = Payment.objects.filter(pk=payment_id)
        payment.update(created_at=start, expires_at=start + UNPAID_FOR)
        payment.filter(paid_at__isnull=False).update(paid_at=start + STEP_AFTER["paid_at"])
        for order in Order.objects.filter(payment_id=payment_id):
            moved = {"created_at": start}
            for name, after in STEP_AFTER.items():
                if getattr(order, name) is not None:
                    moved[name] = start + after
            if order.delivery == "pickup" and order.received_at is not None:
                moved["received_at"] = start + timedelta(hours=26)
            Order.objects.filter(pk=order.pk).update(**moved)
            for status, after in EVENT_AFTER.items():
                OrderEvent.objects.filter(order=order, to_status=status).update(
                    created_at=start + after
                )
            CommissionEntry.objects.filter(order=order, reversal_of=None).update(
                created_at=start + STEP_AFTER["paid_at"]
            )

    # --- what buyers do afterwards ----------------------------------------------------------

    def posts(self, recent: Sequence[list[Order]]) -> None:
        """Buyers post about what they received, with photos; readers click, one buys."""
        made: list[Post] = []
        for author, story, rating, text, photos in POSTS:
            line = OrderLine.objects.filter(order__in=recent[story]).order_by("pk").first()
            if line is None:
                continue
            subject = _subject(line.product_id)
            post = post_create(
                author=self.members[author],
                order_line_id=line.pk,
                text=data.POST_TEXTS[text],
                rating=rating,
                images=[post_photo(subject, line.pk * 10 + n) for n in range(photos)],
            )
            for image in post.images.all():
                self.files += [image.image.name or "", image.thumbnail.name or ""]
            made.append(post)
            if post.share_link is not None:
                for visitor in range(3 + rating):
                    click_record(
                        code=post.share_link.code, visitor_key=f"demo-post-{post.pk}-{visitor}"
                    )
        # A reader buys through the third post: a second-degree sale for propagation to chart.
        through = made[2] if len(made) > 2 else None
        if through is not None and through.share_link is not None:
            reader = self.members[8]
            result = checkout.order_create(
                buyer=reader,
                items=[checkout.Item(self.sku(T, 0, 0).pk, 1)],
                delivery=checkout.Delivery(
                    "express", "440305", "科技园北区 2 栋 501 室", reader.nickname, reader.phone
                ),
                share_code=through.share_link.code,
            )
            checkout.sandbox_complete(result.payment)
        # Two readers find the over-the-top one suspicious and report it to the platform.
        if len(made) > 3:
            post_report(
                reporter=self.members[6],
                post_id=made[3].pk,
                reason="false_info",
                note="像是刷出来的好评，内容空洞",
            )
            post_report(reporter=self.members[8], post_id=made[3].pk, reason="spam")
        if made:
            self.comments(made[0])

    def comments(self, post: Post) -> None:
        """A reader asks under the first post and its author answers; an ad slipped in as a
        comment is reported, waiting in the back office's comment queue. Each commenter speaks
        once, so the comment rate limit never bites the seeding."""
        asker, spammer = self.members[6], self.members[8]
        comment_create(author=asker, post_id=post.pk, text="请问用了多久了？效果稳定吗？")
        comment_create(author=post.author, post_id=post.pk, text="用了一个多月，一直很稳定。")
        ad = comment_create(author=spammer, post_id=post.pk, text="同款更便宜，私信我拿内部价")
        comment_report(reporter=asker, comment_id=ad.pk, category="spam", note="评论区引流")

    def complaints(self, recent: Sequence[list[Order]]) -> None:
        """A refused refund taken to the platform, a request waiting for its merchant, two
        refunds the merchants granted."""
        disputed = self.request(recent[5][0], "盖碗杯沿有一道裂纹")
        aftersale_reject(
            disputed,
            actor=recent[5][0].merchant.owner,
            reason="出库前逐件检查过，裂纹应为使用中磕碰造成",
        )
        aftersale_escalate(
            disputed,
            actor=self.members[7],
            statement="收到当天拆开就有裂纹，还没用过，有开箱视频可以证明。",
        )
        self.request(recent[6][0], "两包茶叶都受潮结块了")
        for order in (recent[7][0], recent[8][0]):
            aftersale_approve(self.request(order, "包装破损，不想要了"), actor=order.merchant.owner)

    def returns(self) -> None:
        """A face mask every member bought last week and most sent back as not what the page
        promised: the quality feedback demotes it and its shop's quality report says why."""
        for n, member in enumerate(self.members):
            (order,) = self.play(Story(n, ((B, 2, 0, 1),), RECEIVED, 5 + n / 10))
            # The last six send theirs back; the demo member (the first) keeps theirs.
            if n >= len(self.members) - RETURNED_MASKS:
                line = order.lines.get()
                aftersale_approve(
                    aftersale_request(
                        buyer=member,
                        order=order,
                        kind="refund",
                        lines=[(line.pk, line.quantity)],
                        reason=RETURN_REASONS[n % len(RETURN_REASONS)],
                        reason_code="not_as_described",
                    ),
                    actor=order.merchant.owner,
                )

    @staticmethod
    def request(order: Order, reason: str) -> AfterSale:
        line = order.lines.order_by("pk").first()
        assert line is not None  # every demo order has a line
        return aftersale_request(
            buyer=order.buyer,
            order=order,
            kind="refund",
            lines=[(line.pk, line.quantity)],
            reason=reason,
        )

    def withdrawal(self) -> None:
        """The second member of the chain asks for their settled commission; the operator has
        not looked yet. The first keeps theirs available, to try withdrawing in the demo."""
        member = self.members[1]
        available = wallet_summary(member.pk).available_fen
        if available >= 100:
            withdrawal_request(
                member=member,
                amount_fen=available,
                channel="alipay",
                payee="ajie.tea@example.com",
                payee_name="刘杰",
            )

    def shop_withdrawal(self) -> None:
        """The tea shop takes half of its settled money to its bank card; the operator has not
        looked yet, so the back office's queue holds a shop's withdrawal beside a member's."""
        shop = Merchant.objects.filter(uscc=data.MARKER.uscc).first()
        if shop is None:
            return
        half = merchant_balance(shop.pk).available_fen // 2
        if half >= 100:
            merchant_withdrawal_request(
                member=shop.owner,
                merchant_id=shop.pk,
                amount_fen=half,
                channel="bank",
                payee="6222021001122334455",
                payee_name=shop.legal_name,
            )


def _home(member: Member) -> AddressFields:
    return address_fields(
        region_code="440305",
        address=f"科技园南区 8 栋 {1200 + member.pk} 室",
        receiver=member.nickname,
        phone=member.phone,
    )


def _subject(product_id: int) -> Subject:
    """The drawing of a product, as the catalogue describes it."""
    title = Product.objects.filter(pk=product_id).values_list("title", flat=True).get()
    for shop in data.MERCHANTS:
        for item in shop.products:
            if item.title == title:
                return subject_of(shop, item)
    return subject_of(T, T.products[0])


def subject_of(shop: catalogue.Merchant, item: catalogue.Product) -> Subject:
    return Subject(
        kind=item.kind,
        colour=item.colour,
        accent=item.accent,
        name=item.short,
        latin=item.label,
        brand=shop.short_name,
        brand_latin=shop.latin_name,
        tagline=item.tagline,
    )
