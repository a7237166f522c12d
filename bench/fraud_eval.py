"""Fraud holds measured on a labelled adversarial data set, replayed through the real services.

    .venv/bin/python bench/fraud_eval.py [--seed 1] [--scale 1.0] [--db sharemall_bench_fraud]

A seeded generator writes a month of shop life as timed events, each order labelled fraud or
honest, in seven patterns:

- self_referral: a sharer's second account buys through the sharer's link on the sharer's
  phone (signed up there, or just ordering there); now and then the sharer pays for it or has
  it shipped to their own phone; one in ten is careful (own phone, own SIM) and only shares the
  home address and Wi-Fi, which no signal should hold alone.
- brushing_ring: 3–5 accounts, each on its own phone and network, buy through each other's
  links in rounds over two weeks and refund most of it within hours.
- click_farm: a sharer's link gets dozens of clicks from two devices on two addresses (cookies
  cleared: each click a new visitor), then farm accounts signed up on those devices buy through
  it from those addresses. For clicks, "held" means not counted: the per-address click limit
  and the one-count-per-visitor window decide (the report shows clicks made and counted; a
  farm this slow stays under the limit). What the farm is after is the orders: an order from
  an address with many counted clicks on its link the day before is held, with the farm's
  other orders (docs/fraud.md).
- address_farm: many accounts, each on its own phone and network, ship to one drop address
  (typed several ways) through one sharer over a few days.
- coupon_farm: fresh accounts on one device and one IP each claim the shop's coupon and buy
  through one sharer within hours.
- honest_sharer: heavy sharers with many buyers on their own devices and networks, repeat
  buyers, some refunds, the odd office NAT, and a sharer buying now and then through a buyer
  who shares too. Must not be held.
- family: 2–4 people at one home (one address typed several ways, one home IP), each on
  their own phone, buying through each other's links now and then, refunding rarely. Must not
  be held.

Every fraud pattern's sharer also has a few honest customers (labelled honest): holding them is
a false positive of that pattern.

The events are replayed in time order through the services the edges call: member_signup
(with device and address as the register endpoint passes them) and accounts.device_seen where
an edge would, share_reuse, click_record, coupon_claim, checkout.order_create (client_ip and
device_id as POST /orders passes them), pay_for_friend, the sandbox payment capture,
aftersale_request + aftersale_approve. The clock is simulated (django.utils.timezone.now is
replaced by the replay's clock) so that a month passes in a minute; accounts get their sign-up
time on that clock.

An order counts as held when one of its distribution entries was held before any operator
looked: at payment capture, or later when a refund or a farm showed the signals
(distribution.services.fraud). Only orders that pay someone through sharing are counted.

As a library (tests/test_fraud_eval.py): `run(seed, scale)` on the database Django is set up
with, returning a `Report`.
"""

from __future__ import annotations

import argparse
import heapq
import os
import platform
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

DB = "sharemall_bench_fraud"
PASSWORD = "Fraud-eval-2026"
FRAUD_PATTERNS = (
    "self_referral",
    "brushing_ring",
    "click_farm",
    "address_farm",
    "coupon_farm",
)
HONEST_PATTERNS = ("honest_sharer", "family")
REGIONS = ("440305", "440106", "310115", "110105", "330106")
STREETS = ("科技园", "天河路", "世纪大道", "建国路", "文三路", "中山路", "人民路", "解放路")


# --- the clock -------------------------------------------------------------------------------


class Clock:
    """The replay's time: services read it through django.utils.timezone.now."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@contextmanager
def simulated(clock: Clock) -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", clock):
        yield


# --- the world -------------------------------------------------------------------------------


@dataclass
class Person:
    """One account as the generator knows it: where it lives and what it uses."""

    key: str
    device: str
    ip: str
    region: str
    address: str
    age_days: float  # how long before its sign-up event it "really" joined (0: a new account)
    signup_device: str = ""
    member: Any = None
    phone: str = ""
    code: str = ""  # its share link, once it shares


@dataclass
class Outcome:
    pattern: str
    fraud: bool
    order_id: int
    held_at_capture: bool = False


@dataclass
class Report:
    seed: int
    scale: float
    outcomes: list[Outcome] = field(default_factory=list)
    clicks_made: Counter[str] = field(default_factory=Counter)
    clicks_counted: Counter[str] = field(default_factory=Counter)
    held_final: set[int] = field(default_factory=set)
    # Fraud orders not held whose commission still stands (not reversed by their own refund).
    missed_paying: int = 0
    seconds: float = 0.0

    def rows(self) -> list[tuple[str, int, int, int, int, float, float, float]]:
        """(pattern, orders, fraud, held, held fraud, precision, recall, honest held rate)."""
        out = []
        for pattern in (*FRAUD_PATTERNS, *HONEST_PATTERNS, "overall"):
            mine = [o for o in self.outcomes if pattern in {"overall", o.pattern}]
            out.append(self._row(pattern, mine))
        return out

    def _row(
        self, name: str, mine: list[Outcome]
    ) -> tuple[str, int, int, int, int, float, float, float]:
        fraud = [o for o in mine if o.fraud]
        honest = [o for o in mine if not o.fraud]
        held = [o for o in mine if o.order_id in self.held_final]
        held_fraud = [o for o in held if o.fraud]
        precision = len(held_fraud) / len(held) if held else 1.0
        recall = len(held_fraud) / len(fraud) if fraud else 1.0
        honest_rate = (len(held) - len(held_fraud)) / len(honest) if honest else 0.0
        return (
            name,
            len(mine),
            len(fraud),
            len(held),
            len(held_fraud),
            precision,
            recall,
            honest_rate,
        )

    def figure(self, name: str) -> tuple[float, float, float]:
        row = next(r for r in self.rows() if r[0] == name)
        return row[5], row[6], row[7]

    def honest_held_rate(self) -> float:
        honest = [o for o in self.outcomes if o.pattern in HONEST_PATTERNS]
        held = [o for o in honest if o.order_id in self.held_final]
        return len(held) / len(honest) if honest else 0.0

    def at_capture(self) -> tuple[float, float]:
        fraud = [o for o in self.outcomes if o.fraud]
        held = [o for o in self.outcomes if o.held_at_capture]
        hf = [o for o in held if o.fraud]
        return (len(hf) / len(held) if held else 1.0, len(hf) / len(fraud) if fraud else 1.0)

    def text(self) -> str:
        lines = [
            (
                f"seed {self.seed}, scale {self.scale}: {len(self.outcomes)} attributed orders, "
                f"{self.seconds:.0f} s"
            ),
            (
                f"{'pattern':<15}{'orders':>7}{'fraud':>7}{'held':>6}{'held∧fraud':>11}"
                f"{'precision':>10}{'recall':>8}{'honest held':>12}"
            ),
        ]
        for name, n, f, h, hf, p, r, hr in self.rows():
            recall = f"{r:.3f}" if f else "-"
            lines.append(f"{name:<15}{n:>7}{f:>7}{h:>6}{hf:>11}{p:>10.3f}{recall:>8}{hr:>12.2%}")
        p, r = self.at_capture()
        lines.append(f"held at payment capture alone: precision {p:.3f}, recall {r:.3f}")
        missed = sum(1 for o in self.outcomes if o.fraud and o.order_id not in self.held_final)
        lines.append(
            f"fraud orders not held: {missed}, of which still paying a commission: "
            f"{self.missed_paying} (the rest were refunded before anything showed)"
        )
        lines.append(
            f"honest sharers and families held: {self.honest_held_rate():.2%}; click farm "
            f"clicks counted {self.clicks_counted['click_farm']} of "
            f"{self.clicks_made['click_farm']}"
        )
        return "\n".join(lines)


class World:
    """Generates the people and the timed events of every pattern, then replays them."""

    def __init__(self, seed: int, scale: float) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.scale = scale
        self.events: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = 0
        self._ips: set[str] = set()
        self._phones = 0
        self.report = Report(seed, scale)

    # generation helpers

    def n(self, base: float, least: int = 1) -> int:
        return max(least, round(base * self.scale))

    def at(self, minute: float, action: Callable[[], None]) -> None:
        self._seq += 1
        heapq.heappush(self.events, (minute, self._seq, action))

    def ip(self) -> str:
        while True:
            first = self.rng.choice((1, 36, 58, 101, 111, 183))
            rest = (self.rng.randint(1, 254), self.rng.randint(0, 255), self.rng.randint(1, 254))
            made = f"{first}.{rest[0]}.{rest[1]}.{rest[2]}"
            if made not in self._ips and made != "1.1.1.1":
                self._ips.add(made)
                return made

    def device(self, tag: str) -> str:
        return f"{tag}-{self.rng.getrandbits(48):012x}"

    def home(self) -> tuple[str, str]:
        region = self.rng.choice(REGIONS)
        street = self.rng.choice(STREETS)
        number, block, room = (
            self.rng.randint(1, 999),
            self.rng.randint(1, 30),
            self.rng.randint(101, 2999),
        )
        return region, f"{street}{number}号{block}栋{room}室"

    def typed(self, address: str) -> str:
        """The same address typed another way: spaces, full-width digits, a comma."""
        variant = self.rng.randint(0, 3)
        if variant == 1:
            return address.replace("号", "号 ").replace("栋", "栋 ")
        if variant == 2:
            return address.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        if variant == 3:
            return address.replace("号", "号，")
        return address

    def person(self, tag: str, *, age_days: float | None = None, **kw: Any) -> Person:
        region, address = self.home()
        fields: dict[str, Any] = {
            "device": self.device(tag),
            "ip": self.ip(),
            "region": region,
            "address": address,
            "age_days": self.rng.uniform(30, 400) if age_days is None else age_days,
        }
        fields.update(kw)
        return Person(key=tag, **fields)

    # replay steps (run inside the simulated clock)

    def signup(self, p: Person, referrer: Person | None = None) -> None:
        from sharemall.accounts.models import Member
        from sharemall.accounts.services import device_seen, member_signup

        self._phones += 1
        prefix = self.rng.choice((35, 36, 38, 39, 58, 59, 88))
        p.phone = f"1{prefix}{self.seed % 100:02d}{self._phones:06d}"
        device = p.signup_device or p.device
        p.member = member_signup(
            phone=p.phone,
            password=PASSWORD,
            nickname=p.key[:20],
            address=p.ip,
            device=device,
            referrer=referrer.member if referrer else None,
            source=f"share:{referrer.code}" if referrer and referrer.code else "",
        )
        device_seen(p.member.pk, device, p.ip)  # as the register edge does
        joined = self.clock.now - timedelta(days=p.age_days)
        Member.objects.filter(pk=p.member.pk).update(date_joined=joined)
        p.member.date_joined = joined

    def share(self, p: Person) -> None:
        from sharemall.accounts.services import device_seen
        from sharemall.sharing.services import share_reuse

        device_seen(p.member.pk, p.device, p.ip)
        p.code = share_reuse(
            sharer=p.member, target_type="product", target_id=self.product_id
        ).link.code

    def click(self, pattern: str, code: str, *, visitor: Person | None, key: str, ip: str) -> None:
        from sharemall.sharing.services import click_record

        self.report.clicks_made[pattern] += 1
        got = click_record(
            code=code, visitor_member=visitor.member if visitor else None, visitor_key=key, ip=ip
        )
        self.report.clicks_counted[pattern] += int(got.counted)

    def buy(
        self,
        pattern: str,
        fraud: bool,
        buyer: Person,
        via: Person,
        *,
        device: str | None = None,
        ip: str | None = None,
        ship_to: tuple[str, str] | None = None,
        phone: str | None = None,
        payer: Person | None = None,
        coupon: bool = False,
        refund_after: float | None = None,
    ) -> None:
        from sharemall.accounts.services import device_seen
        from sharemall.checkout import services as checkout
        from sharemall.checkout.pricing import Delivery, Item
        from sharemall.distribution.models import CommissionEntry
        from sharemall.payments.models import Payment
        from sharemall.promotions.services.coupons import coupon_claim

        device = device or buyer.device
        ip = ip or buyer.ip
        region, address = ship_to or (buyer.region, buyer.address)
        self.click(pattern, via.code, visitor=buyer, key=device, ip=ip)
        device_seen(buyer.member.pk, device, ip)  # the order page's edge
        claims = [coupon_claim(self.coupon, buyer.member).pk] if coupon else []
        made = checkout.order_create(
            buyer=buyer.member,
            items=[Item(self.sku_id, 1)],
            delivery=Delivery("express", region, address, buyer.key[:10], phone or buyer.phone),
            share_code=via.code,
            coupon_ids=claims,
            client_ip=ip,
            device_id=device,
        )
        payment = Payment.objects.get(pk=made.payment.pk)
        if payer is not None:
            checkout.pay_for_friend(payment, payer.member)
        checkout.sandbox_complete(payment)
        order = made.orders[0]
        entries = CommissionEntry.objects.filter(
            order=order, reversal_of=None, kind=CommissionEntry.Kind.LEVEL
        )
        if not entries.exists():
            return  # pays nobody through sharing: not part of the measure
        held = entries.filter(status="held").exists()
        self.report.outcomes.append(Outcome(pattern, fraud, order.pk, held))
        if refund_after is not None:
            self.at(self.minute + refund_after, lambda: self.refund(buyer, order.pk))

    def refund(self, buyer: Person, order_id: int) -> None:
        from sharemall.aftersales.services import aftersale_approve, aftersale_request
        from sharemall.orders.models import Order, OrderLine

        order = Order.objects.get(pk=order_id)
        line = OrderLine.objects.filter(order=order).first()
        assert line is not None
        asked = aftersale_request(
            buyer=buyer.member, order=order, kind="refund", lines=[(line.pk, 1)], reason="不想要了"
        )
        aftersale_approve(asked, actor=self.owner)

    # the patterns

    def honest_customers(self, sharer: Person, pattern: str, count: int, after: float) -> None:
        """A few ordinary customers of a sharer, after it shared, before the month ends."""
        for i in range(count):
            c = self.person(f"{pattern[:4]}-cust{i}")
            start = self.rng.uniform(after + 30, max(after + 60, 29 * 24 * 60))
            self.at(start, lambda c=c: self.signup(c))
            self.at(start + 1, lambda c=c: self.buy(pattern, False, c, sharer))

    def sharer(self, tag: str, at: float = 0.0) -> Person:
        s = self.person(tag)
        self.at(at, lambda: self.signup(s))
        self.at(at + 0.5, lambda: self.share(s))
        return s

    def honest_sharers(self) -> None:
        month = 30 * 24 * 60
        for h in range(self.n(3)):
            s = self.sharer(f"hs{h}")
            buyers = self.n(70, 10)
            office_ip = self.ip()
            office = [i for i in range(buyers) if self.rng.random() < 0.05]
            for i in range(buyers):
                b = self.person(f"hs{h}-b{i}", ip=office_ip if i in office else None)
                if i not in office:
                    b.ip = self.ip()
                start = self.rng.uniform(10, month - 3000)
                self.at(start, lambda b=b: self.signup(b, None))
                orders = 1 + (self.rng.random() < 0.25) + (self.rng.random() < 0.1)
                for k in range(orders):
                    when = start + 1 + k * self.rng.uniform(600, 4000)
                    refund = self.rng.uniform(60, 2000) if self.rng.random() < 0.08 else None
                    coupon = self.rng.random() < 0.15
                    self.at(
                        when,
                        lambda b=b, s=s, refund=refund, coupon=coupon: self.buy(
                            "honest_sharer", False, b, s, coupon=coupon, refund_after=refund
                        ),
                    )
                if self.rng.random() < 0.04:  # a buyer who shares too, and the sharer buys
                    self.at(start + 2, lambda b=b: self.share(b))
                    self.at(
                        start + self.rng.uniform(100, 2000),
                        lambda b=b, s=s: self.buy("honest_sharer", False, s, b),
                    )

    def families(self) -> None:
        month = 30 * 24 * 60
        for f in range(self.n(10, 2)):
            region, address = self.home()
            home_ip = self.ip()
            size = self.rng.randint(2, 4)
            people = [
                self.person(f"fam{f}-{i}", ip=home_ip, region=region, address=address)
                for i in range(size)
            ]
            for i, p in enumerate(people):
                self.at(i * 0.1, lambda p=p: self.signup(p))
                self.at(i * 0.1 + 0.05, lambda p=p: self.share(p))
            for p in people:
                for _ in range(self.rng.randint(1, 4)):
                    via = self.rng.choice([q for q in people if q is not p])
                    when = self.rng.uniform(60, month - 3000)
                    # At home on the Wi-Fi, or out on the phone's own network.
                    ip = home_ip if self.rng.random() < 0.7 else self.ip()
                    refund = self.rng.uniform(60, 3000) if self.rng.random() < 0.05 else None
                    ship = (region, self.typed(address))
                    self.at(
                        when,
                        lambda p=p, via=via, ip=ip, refund=refund, ship=ship: self.buy(
                            "family", False, p, via, ip=ip, ship_to=ship, refund_after=refund
                        ),
                    )

    def self_referrals(self) -> None:
        for k in range(self.n(16, 5)):
            start = self.rng.uniform(0, 25 * 24 * 60)
            s = self.sharer(f"sr{k}", start)
            variant = k % 10
            alt = self.person(f"sr{k}-alt", age_days=self.rng.uniform(0, 20))
            extra: dict[str, Any] = {}
            if variant in (0, 1, 2, 3):  # signed up on the sharer's phone
                alt.signup_device = s.device
                extra = {"device": s.device, "ip": s.ip}
            elif variant in (4, 5):  # own account, orders on the sharer's phone
                extra = {"device": s.device, "ip": s.ip}
            elif variant == 6:
                extra = {"payer": s}
            elif variant in (7, 8):
                extra = {"phone": "SHARER"}
            else:  # careful: own phone and SIM, only the home address and Wi-Fi shared
                alt.ip = s.ip
                alt.region, alt.address = s.region, s.address
            self.at(start + 5, lambda alt=alt, s=s: self.signup(alt, s))
            for i in range(self.rng.randint(1, 3)):

                def go(alt: Person = alt, s: Person = s, extra: dict[str, Any] = extra) -> None:
                    kw = dict(extra)
                    if kw.get("phone") == "SHARER":
                        kw["phone"] = s.phone
                    self.buy("self_referral", True, alt, s, **kw)

                self.at(start + 10 + i * self.rng.uniform(300, 3000), go)
            self.honest_customers(s, "self_referral", self.rng.randint(0, 2), start)

    def rings(self) -> None:
        for r in range(self.n(4, 1)):
            start = self.rng.uniform(0, 12 * 24 * 60)
            members = [
                self.person(f"ring{r}-{i}", age_days=self.rng.uniform(1, 15))
                for i in range(self.rng.randint(3, 5))
            ]
            for i, m in enumerate(members):
                self.at(start + i, lambda m=m: self.signup(m))
                self.at(start + i + 0.5, lambda m=m: self.share(m))
            for rnd in range(self.rng.randint(5, 7)):
                base = start + 60 + rnd * self.rng.uniform(1200, 2400)
                for m in members:
                    via = self.rng.choice([q for q in members if q is not m])
                    refund = self.rng.uniform(120, 600) if self.rng.random() < 0.75 else None
                    self.at(
                        base + self.rng.uniform(0, 240),
                        lambda m=m, via=via, refund=refund: self.buy(
                            "brushing_ring", True, m, via, refund_after=refund
                        ),
                    )
            self.honest_customers(members[0], "brushing_ring", self.rng.randint(1, 3), start)

    def click_farms(self) -> None:
        for c in range(self.n(3, 1)):
            start = self.rng.uniform(0, 25 * 24 * 60)
            s = self.sharer(f"cf{c}", start)
            devices = [self.device(f"cf{c}") for _ in range(2)]
            ips = [self.ip() for _ in range(2)]
            for i in range(self.n(40, 10)):
                self.at(
                    start + 1 + i * 0.05,
                    lambda s=s, i=i, devices=devices, ips=ips: self.click(
                        "click_farm",
                        s.code,
                        visitor=None,
                        key=f"{devices[i % 2]}-{i}",
                        ip=ips[i % 2],
                    ),
                )
            for i in range(self.rng.randint(5, 8)):
                a = self.person(
                    f"cf{c}-{i}", age_days=0, signup_device=devices[i % 2], ip=ips[i % 2]
                )
                a.device = devices[i % 2]
                self.at(start + 10 + i, lambda a=a, s=s: self.signup(a, s))
                self.at(
                    start + 30 + i * self.rng.uniform(5, 60),
                    lambda a=a, s=s: self.buy("click_farm", True, a, s),
                )
            self.honest_customers(s, "click_farm", self.rng.randint(1, 3), start)

    def address_farms(self) -> None:
        for a in range(self.n(3, 1)):
            start = self.rng.uniform(0, 25 * 24 * 60)
            s = self.sharer(f"af{a}", start)
            drop = self.home()
            for i in range(self.rng.randint(6, 10)):
                p = self.person(f"af{a}-{i}", age_days=self.rng.uniform(0, 5))
                when = start + 10 + self.rng.uniform(0, 3 * 24 * 60)
                self.at(when, lambda p=p, s=s: self.signup(p, s))
                ship = (drop[0], self.typed(drop[1]))
                self.at(
                    when + 2,
                    lambda p=p, s=s, ship=ship: self.buy("address_farm", True, p, s, ship_to=ship),
                )
            self.honest_customers(s, "address_farm", self.rng.randint(1, 3), start)

    def coupon_farms(self) -> None:
        for c in range(self.n(3, 1)):
            start = self.rng.uniform(0, 25 * 24 * 60)
            s = self.sharer(f"kf{c}", start)
            ip = self.ip()
            devices = [self.device(f"kf{c}") for _ in range(self.rng.randint(1, 2))]
            for i in range(self.rng.randint(5, 8)):
                d = devices[i % len(devices)]
                p = self.person(f"kf{c}-{i}", age_days=0, ip=ip, signup_device=d)
                p.device = d
                self.at(start + 10 + i * 3, lambda p=p, s=s: self.signup(p, s))
                self.at(
                    start + 12 + i * 3 + self.rng.uniform(0, 120),
                    lambda p=p, s=s: self.buy("coupon_farm", True, p, s, coupon=True),
                )
            self.honest_customers(s, "coupon_farm", self.rng.randint(1, 3), start)

    # the run

    def setup_shop(self) -> None:
        from django.utils import timezone

        from sharemall.accounts.models import Member
        from sharemall.catalog.models import Product, Sku
        from sharemall.distribution import rules as distribution_rules
        from sharemall.distribution.services.plans import plan_set
        from sharemall.promotions.rules import coupons as coupon_rules
        from sharemall.promotions.rules import pricing as pricing_rules
        from sharemall.promotions.services.coupons import coupon_create

        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from _setup import approved_merchant

        tag = f"{self.seed % 100:02d}"
        self.owner = Member.objects.create_user(f"1370{tag}00001", PASSWORD, nickname="owner")
        operator = Member.objects.create_superuser(f"1370{tag}00002", PASSWORD, nickname="op")
        merchant = approved_merchant(
            operator,
            owner=self.owner,
            legal_name="Fraud Eval Tea Co",
            uscc="91110000600037341L",
            legal_rep="F",
            contact_phone=f"1370{tag}00003",
        )
        product = Product.objects.create(merchant=merchant, title="Eval tea", status="on_sale")
        sku = Sku.objects.create(product=product, name="tin", price_fen=9999, stock=10_000_000)
        self.product_id, self.sku_id = product.pk, sku.pk
        plan_set(
            merchant,
            actor=self.owner,
            plan=distribution_rules.Plan(distribution_rules.BP, 2000, 500, (800, 400, 200), 0),
        )
        now = timezone.now()
        self.coupon = coupon_create(
            merchant=merchant,
            actor=self.owner,
            title="新人券",
            definition=coupon_rules.Definition(
                pricing_rules.Coupon(
                    "new",
                    pricing_rules.AMOUNT,
                    amount_fen=500,
                    scope=pricing_rules.SCOPE_MERCHANT,
                    scope_ids=frozenset({merchant.pk}),
                    funded_by=pricing_rules.FUNDED_BY_MERCHANT,
                    merchant_id=merchant.pk,
                ),
                total=1_000_000,
                per_member=100,
                valid_from=now - timedelta(days=1),
                valid_to=now + timedelta(days=90),
            ),
        )

    def replay(self) -> Report:
        from django.utils import timezone

        from sharemall.distribution.models import CommissionEntry

        began = time.monotonic()
        self.clock = Clock(timezone.now())
        start = self.clock.now
        with simulated(self.clock):
            self.setup_shop()
            for make in (
                self.honest_sharers,
                self.families,
                self.self_referrals,
                self.rings,
                self.click_farms,
                self.address_farms,
                self.coupon_farms,
            ):
                make()
            while self.events:
                self.minute, _seq, action = heapq.heappop(self.events)
                self.clock.now = start + timedelta(minutes=self.minute)
                action()
        ids = [o.order_id for o in self.report.outcomes]
        # Held before any operator looked: held now, or held and then reversed by a refund
        # (the reason stays on the entry).
        self.report.held_final = set(
            CommissionEntry.objects.filter(
                order_id__in=ids, reversal_of=None, kind=CommissionEntry.Kind.LEVEL
            )
            .exclude(reason="")
            .filter(status__in=["held", "reversed"])
            .values_list("order_id", flat=True)
        )
        missed = [
            o.order_id
            for o in self.report.outcomes
            if o.fraud and o.order_id not in self.report.held_final
        ]
        self.report.missed_paying = (
            CommissionEntry.objects.filter(
                order_id__in=missed,
                reversal_of=None,
                kind=CommissionEntry.Kind.LEVEL,
                status__in=["pending", "settled"],
            )
            .values("order_id")
            .distinct()
            .count()
        )
        self.report.seconds = time.monotonic() - began
        return self.report


def run(seed: int, scale: float) -> Report:
    """Generate and replay on the database Django is configured with."""
    return World(seed, scale).replay()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--db", default=DB)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _setup import fresh_postgres

    os.environ["PHONE_VERIFICATION"] = "off"
    fresh_postgres(args.db)
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    report = run(args.seed, args.scale)
    print(report.text())
    machine = f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores"
    print(f"machine: {machine}, Python {platform.python_version()}")


if __name__ == "__main__":
    main()
