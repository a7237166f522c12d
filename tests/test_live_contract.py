"""The acceptance contract walked against a real `sharemall serve` on a fresh SQLite file, with
real concurrency: several granian workers, many client threads, no test client shortcuts."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.factories import licence_png, valid_uscc
from tests.flows import ADDRESS

SHAREMALL = str(Path(sys.executable).parent / "sharemall")
PASSWORD = "Live-pass-2026"


class Live:
    def __init__(self, base: str, cwd: Path, env: dict[str, str]) -> None:
        self.base, self.cwd, self.env = base, cwd, env

    def call(
        self, method: str, path: str, body: Any = None, token: str | None = None
    ) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + path, data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def upload(self, path: str, field: str, content: bytes, token: str) -> tuple[int, Any]:
        """A multipart POST of one file (an image) as `field`."""
        boundary = "sharemall-live-test-boundary"
        data = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
                f'filename="{field}.png"\r\nContent-Type: image/png\r\n\r\n'
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method="POST",
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Authorization": f"Bearer {token}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def member(self, phone: str) -> str:
        status, body = self.call(
            "POST",
            "/api/v1/auth/register",
            {"phone": phone, "password": PASSWORD, "nickname": phone[-4:]},
        )
        assert status == 201, body
        return str(body["token"])

    def jobs(self, now: datetime) -> dict[str, int]:
        done = subprocess.run(
            [SHAREMALL, "run-due-jobs", "--now", now.isoformat()],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return dict(json.loads(done.stdout)["jobs"])


def live_site(cwd: Path, migrated_sqlite: Path, secret: str, **settings: str) -> dict[str, str]:
    """A site of its own in `cwd`: a copy of the migrated SQLite file with an operator, and the
    environment its processes run with (nothing of the suite's database)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    env.update(
        SECRET_KEY=secret,
        AUTH_THROTTLE="off",
        SMS_BACKEND="sandbox",
        PHONE_VERIFICATION="off",  # members sign up without a texted code here
        **settings,
    )
    shutil.copyfile(migrated_sqlite, cwd / "sharemall.db")
    subprocess.run(
        [SHAREMALL, "create-operator", "--phone", "13800000000", "--password", PASSWORD],
        cwd=cwd,
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
    )
    return env


def serve(cwd: Path, env: dict[str, str], *, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    """`sharemall serve` on a free port, answering once this returns; its log is
    `serve-<port>.log` in `cwd`."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (cwd / f"serve-{port}.log").open("w")
    server = subprocess.Popen(
        [SHAREMALL, "serve", "--port", str(port), "--workers", str(workers)],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    return server, base


def stop(server: subprocess.Popen[bytes], cwd: Path, base: str) -> None:
    server.terminate()
    server.wait(timeout=30)
    text = (cwd / f"serve-{base.rsplit(':', 1)[1]}.log").read_text()
    assert '" 500 ' not in text, "the server answered 500"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Path) -> Iterator[Live]:
    cwd = tmp_path_factory.mktemp("live")
    env = live_site(cwd, migrated_sqlite, "live-test", SANDBOX_PAYMENTS="1")
    server, base = serve(cwd, env, workers=3)
    try:
        yield Live(base, cwd, env)
    finally:
        stop(server, cwd, base)


def _shop(live: Live, stock: int, price_fen: int = 10_000) -> tuple[str, int]:
    owner = live.member(f"1390000{stock:04d}")
    status, merchant = live.call(
        "POST",
        "/api/v1/merchants",
        {
            "legal_name": f"直营店{stock}",
            "uscc": {10: "91110000600037341L", 5: "9144030071526726XG"}.get(stock)
            or valid_uscc(stock),
            "legal_rep": "张三",
            "contact_phone": "13912345678",
        },
        owner,
    )
    assert status == 201, merchant
    # Only a complete application, licence image included, can be approved.
    status, licence = live.upload(
        f"/api/v1/merchants/{merchant['id']}/licence", "image", licence_png(), owner
    )
    assert status == 200, licence
    op = live.call("POST", "/api/v1/auth/login", {"phone": "13800000000", "password": PASSWORD})[1][
        "token"
    ]
    assert (
        live.call("POST", f"/api/v1/platform/merchants/{merchant['id']}/approve", token=op)[0]
        == 200
    )
    status, product = live.call(
        "POST",
        f"/api/v1/merchants/{merchant['id']}/products",
        {"title": "好茶", "skus": [{"name": "罐", "price_fen": price_fen, "stock": stock}]},
        owner,
    )
    assert status == 201
    assert live.call("POST", f"/api/v1/products/{product['id']}/publish", token=owner)[0] == 200
    return owner, product["skus"][0]["id"]


def test_buy_pay_replay_fulfil_refund_timeout_complete(live: Live) -> None:
    owner, sku = _shop(live, stock=10)
    buyer = live.member("13700000001")
    status, created = live.call(
        "POST",
        "/api/v1/orders",
        {"items": [{"sku_id": sku, "quantity": 3}], "delivery": ADDRESS},
        buyer,
    )
    assert status == 201, created
    order_id, payment_id = created["orders"][0]["id"], created["payment_id"]

    with ThreadPoolExecutor(16) as pool:
        answers = list(
            pool.map(
                lambda _: live.call(
                    "POST", f"/api/v1/payments/sandbox/{payment_id}/complete", token=buyer
                ),
                range(16),
            )
        )
    assert Counter(s for s, _ in answers) == {200: 16}
    assert {b["status"] for _, b in answers} == {"paid"}

    assert live.call(
        "POST",
        f"/api/v1/orders/{order_id}/ship",
        {"carrier": "SF", "tracking_no": "SF1"},
        token=owner,
    )[1]["status"] == ("shipped")
    assert (
        live.call("POST", f"/api/v1/orders/{order_id}/confirm-receipt", token=buyer)[1]["status"]
        == "received"
    )
    line_id = live.call("GET", f"/api/v1/orders/{order_id}", token=buyer)[1]["lines"][0]["id"]
    status, aftersale = live.call(
        "POST",
        f"/api/v1/orders/{order_id}/aftersales",
        {"type": "refund", "lines": [{"line_id": line_id, "quantity": 1}], "reason": "少一罐"},
        buyer,
    )
    assert (status, aftersale["refund_fen"]) == (201, 10_000)
    approved = live.call("POST", f"/api/v1/aftersales/{aftersale['id']}/approve", token=owner)
    assert approved[1]["status"] == "refunded"

    # An unpaid order times out and gives its stock back.
    status, unpaid = live.call(
        "POST",
        "/api/v1/orders",
        {"items": [{"sku_id": sku, "quantity": 2}], "delivery": ADDRESS},
        buyer,
    )
    assert status == 201
    assert (
        live.call("GET", f"/api/v1/products/{_product_of(live, sku, owner)}")[1]["skus"][0]["stock"]
        == 5
    )
    now = datetime.now(UTC)
    assert live.jobs(now + timedelta(minutes=31))["unpaid_order_timeout"] == 1
    assert (
        live.call("GET", f"/api/v1/orders/{unpaid['orders'][0]['id']}", token=buyer)[1]["status"]
        == "cancelled"
    )
    assert (
        live.call("GET", f"/api/v1/products/{_product_of(live, sku, owner)}")[1]["skus"][0]["stock"]
        == 7
    )

    live.jobs(now + timedelta(days=6))
    assert live.call("GET", f"/api/v1/orders/{order_id}", token=buyer)[1]["status"] == "received"
    live.jobs(now + timedelta(days=7, hours=1))
    assert live.call("GET", f"/api/v1/orders/{order_id}", token=buyer)[1]["status"] == ("completed")


def _product_of(live: Live, sku: int, owner: str) -> int:
    for merchant in live.call("GET", "/api/v1/merchants/mine", token=owner)[1]:
        for product in live.call(
            "GET", f"/api/v1/merchants/{merchant['id']}/products", token=owner
        )[1]:
            if any(s["id"] == sku for s in product["skus"]):
                return int(product["id"])
    raise AssertionError("no such sku")


def test_thirty_concurrent_buyers_for_five_units(live: Live) -> None:
    _owner, sku = _shop(live, stock=5)
    buyers = [live.member(f"1360000{i:04d}") for i in range(30)]
    with ThreadPoolExecutor(30) as pool:
        answers = list(
            pool.map(
                lambda token: live.call(
                    "POST",
                    "/api/v1/orders",
                    {"items": [{"sku_id": sku, "quantity": 1}], "delivery": ADDRESS},
                    token,
                ),
                buyers,
            )
        )
    assert Counter(s for s, _ in answers) == {201: 5, 409: 25}
    assert {b["error"]["code"] for s, b in answers if s == 409} == {"out_of_stock"}


def test_a_shared_sale_settles_to_the_merchant_who_withdraws_it_and_a_later_refund_leaves_a_debt(
    live: Live,
) -> None:
    """What the acceptance checks walk: a merchant with a freight template and a plan sells
    through a share; after the jobs the merchant's available balance is the payment less the
    fee and the commissions, and it can be withdrawn; a refund in the quality-guarantee window
    after settlement leaves a debt that blocks the next withdrawal."""
    owner, sku = _shop(live, stock=20, price_fen=5_000)
    merchant_id = live.call("GET", "/api/v1/merchants/mine", token=owner)[1][0]["id"]
    status, template = live.call(
        "POST",
        f"/api/v1/merchants/{merchant_id}/freight-templates",
        {
            "name": "快递",
            "by": "piece",
            "rules": [
                {
                    "region_codes": [],
                    "first_units": 1,
                    "first_fen": 800,
                    "extra_units": 1,
                    "extra_fen": 200,
                }
            ],
            "free_over_fen": 100_000,
        },
        owner,
    )
    assert status == 201, template
    product_id = _product_of(live, sku, owner)
    status, _updated = live.call(
        "PUT", f"/api/v1/products/{product_id}", {"freight_template_id": template["id"]}, owner
    )
    assert status == 200, _updated
    status, plan = live.call(
        "PUT",
        f"/api/v1/merchants/{merchant_id}/commission-plan",
        {
            "share_budget_bp": 2000,
            "buyer_discount_bp": 500,
            "level_bp": [1000, 500, 0],
            "region_agent_bp": 0,
        },
        owner,
    )
    assert status == 200, plan
    sharer = live.member("13700000031")
    code = live.call(
        "POST", "/api/v1/shares", {"target_type": "product", "target_id": product_id}, sharer
    )[1]["code"]
    buyer_id_token = live.call(
        "POST",
        "/api/v1/auth/register",
        {"phone": "13700000032", "password": PASSWORD, "nickname": "买家", "share_code": code},
    )[1]
    buyer = buyer_id_token["token"]
    body = {"items": [{"sku_id": sku, "quantity": 2}], "delivery": ADDRESS, "share_code": code}

    status, quote = live.call("POST", "/api/v1/orders/quote", body, buyer)
    assert status == 200, quote
    status, created = live.call("POST", "/api/v1/orders", body, buyer)
    assert status == 201, created
    (order,) = created["orders"]
    assert quote["orders"][0]["total_fen"] == order["total_fen"] == created["amount_fen"]
    assert order["shipping_fen"] == 1000 and order["order_no"]
    live.call("POST", f"/api/v1/payments/sandbox/{created['payment_id']}/complete", token=buyer)
    live.call(
        "POST",
        f"/api/v1/orders/{order['id']}/ship",
        {"carrier": "SF", "tracking_no": "SF31"},
        owner,
    )
    live.call("POST", f"/api/v1/orders/{order['id']}/confirm-receipt", token=buyer)

    live.jobs(datetime.now(UTC) + timedelta(days=8))

    assert (
        live.call("GET", f"/api/v1/orders/{order['id']}", token=buyer)[1]["status"] == "completed"
    )
    commissions = sum(
        c["amount_fen"] for c in live.call("GET", "/api/v1/commissions", token=sharer)[1]
    )
    assert commissions > 0
    goods = order["total_fen"] - order["shipping_fen"]
    fee = goods * 500 // 10_000  # the default platform fee: 5 % of the goods
    balance = live.call("GET", f"/api/v1/merchants/{merchant_id}/balance", token=owner)[1]
    assert balance["available_fen"] == created["amount_fen"] - fee - commissions
    assert balance["pending_fen"] == 0

    status, withdrawal = live.call(
        "POST",
        f"/api/v1/merchants/{merchant_id}/withdrawals",
        {
            "amount_fen": balance["available_fen"],
            "channel": "alipay",
            "payee": "shop@example.com",
            "payee_name": "直营店",
        },
        owner,
    )
    assert (status, withdrawal["status"]) == (201, "requested"), withdrawal
    op = live.call("POST", "/api/v1/auth/login", {"phone": "13800000000", "password": PASSWORD})[1][
        "token"
    ]
    paid = live.call("POST", f"/api/v1/platform/withdrawals/{withdrawal['id']}/approve", token=op)[
        1
    ]
    assert paid["status"] == "paid"

    # A refund after settlement, inside the quality-guarantee window: a debt.
    line_id = live.call("GET", f"/api/v1/orders/{order['id']}", token=buyer)[1]["lines"][0]["id"]
    status, aftersale = live.call(
        "POST",
        f"/api/v1/orders/{order['id']}/aftersales",
        {"type": "refund", "lines": [{"line_id": line_id, "quantity": 1}], "reason": "质量问题"},
        buyer,
    )
    assert status == 201, aftersale
    assert live.call("POST", f"/api/v1/aftersales/{aftersale['id']}/approve", token=owner)[0] == 200
    after = live.call("GET", f"/api/v1/merchants/{merchant_id}/balance", token=owner)[1]
    assert after["available_fen"] < 0
    status, refused = live.call(
        "POST",
        f"/api/v1/merchants/{merchant_id}/withdrawals",
        {
            "amount_fen": 100,
            "channel": "alipay",
            "payee": "shop@example.com",
            "payee_name": "直营店",
        },
        owner,
    )
    assert (status, refused["error"]["code"]) == (400, "insufficient_balance")
