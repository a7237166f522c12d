"""The web tier's CPU per order, in-process: create + sandbox pay through the served WSGI
application (config.wsgi.application, the same stack `sharemall serve` runs), with no HTTP
server or load generator beside it, so the figure is the application's own.

    .venv/bin/python bench/checkout_cpu.py [--orders 300] [--rounds 3] [--no-edge]
    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.%p \\
        .venv/bin/python bench/checkout_cpu.py --callgrind /tmp/cg.%p --orders 20 --rounds 1

- CPU per order is `time.process_time` over `--orders` orders, after `--warm` unmeasured ones;
  each of `--rounds` rounds is printed (this VM's figures swing from minute to minute).
- The sandbox "bank" signs each completion with RSA-2048 in the web process, work a real
  provider does on its own servers: its cost is measured alone and printed beside the total.
- `--callgrind FILE` (run under valgrind's callgrind, FILE as given to its
  `--callgrind-out-file`): instructions per order, counting the measured orders only
  (counters zeroed before them and dumped after, with `callgrind_control`). Instructions
  do not depend on what else the machine is doing, so two versions compare exactly.
- `--no-edge`: through Django's own handler instead of the lean way in (docs/adr/0019).
- `--direct`: then the same orders with the services called directly (`Direct`): what the
  request cycle (handler, middlewares, ninja) costs is the difference. With `--callgrind`, the
  direct way's instructions alone (a second run without `--direct` counts the served way).

Buyers are seeded with a fast password hasher: no password is checked by the measured requests.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import fresh_postgres

DB = "sharemall_bench_checkout_cpu"


class Shop:
    def __init__(
        self,
        app: Any,
        skus: list[int],
        tokens: list[str],
        address: dict[str, str],
        codes: dict[int, str] | None = None,
    ):
        self.app, self.skus, self.tokens, self.address = app, skus, tokens, address
        self.codes = codes or {}  # SKU → the share code its orders are sent with

    @staticmethod
    def environ(path: str, token: str, body: bytes = b"") -> dict[str, Any]:
        return {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1:8000",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_AUTHORIZATION": f"Bearer {token}",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }

    def call(self, path: str, token: str, body: bytes = b"") -> tuple[str, bytes]:
        status: list[str] = []
        response = self.app(self.environ(path, token, body), lambda s, h, *_: status.append(s))
        try:
            return status[0], b"".join(response)
        finally:
            getattr(response, "close", lambda: None)()

    def cart(self, i: int) -> bytes:
        sku = self.skus[i % len(self.skus)]
        cart: dict[str, Any] = {"items": [{"sku_id": sku, "quantity": 1}]}
        if sku in self.codes:
            cart["share_code"] = self.codes[sku]
        return json.dumps({**cart, "delivery": self.address}).encode()

    def order(self, i: int) -> None:
        token = self.tokens[i % len(self.tokens)]
        status, answer = self.call("/api/v1/orders", token, self.cart(i))
        assert status.startswith("201"), (status, answer)
        payment = json.loads(answer)["payment_id"]
        status, answer = self.call(f"/api/v1/payments/sandbox/{payment}/complete", token)
        assert status.startswith("200"), (status, answer)


class Direct(Shop):
    """The same orders without Django's and ninja's request cycle: the request object, the
    bearer token's authentication, the body's schema, the checkout services and the answers'
    JSON, called directly, each request in its own cache-version scope as a served request is.
    What `Shop` spends beyond this is the cycle's: its handler, middlewares and ninja."""

    def order(self, i: int) -> None:
        from django.core.handlers.wsgi import WSGIRequest

        from sharemall.accounts.auth import BearerAuth
        from sharemall.checkout import services
        from sharemall.checkout.api import _items, checkout_out
        from sharemall.checkout.schemas import OrderCreateIn, delivery_of
        from sharemall.core import versions
        from sharemall.core.devices import device_of
        from sharemall.core.http import client_address

        token, auth = self.tokens[i % len(self.tokens)], BearerAuth()
        with versions.scope():
            request = WSGIRequest(self.environ("/api/v1/orders", token, self.cart(i)))
            buyer = auth.authenticate(request, token)
            assert buyer is not None
            payload = OrderCreateIn.model_validate_json(request.body)
            placed = services.order_create(
                buyer=buyer,
                items=_items(payload),
                delivery=delivery_of(payload.delivery, buyer),
                share_code=payload.share_code,
                coupon_ids=payload.coupon_ids,
                client_ip=client_address(request),
                device_id=device_of(request),
            )
            json.dumps(checkout_out(placed), default=str)  # the answer, rendered as served
            payment_id = placed.payment.pk
        with versions.scope():
            path = f"/api/v1/payments/sandbox/{payment_id}/complete"
            request = WSGIRequest(self.environ(path, token))
            buyer = auth.authenticate(request, token)
            assert buyer is not None
            result = services.sandbox_complete(services.payment_for_member(buyer, payment_id))
            assert result.payment is not None
            json.dumps({"payment_id": result.payment.pk, "status": result.payment.status})


def _cpu_per_order(shop: Shop, orders: int) -> float:
    started = time.process_time()
    for i in range(orders):
        shop.order(i)
    return (time.process_time() - started) / orders * 1000


def _callgrind(command: str) -> None:
    subprocess.run(
        ["callgrind_control", command, str(os.getpid())], check=True, capture_output=True
    )


def _signing_ms() -> float:
    from sharemall.payments.providers.sandbox import SandboxProvider

    bank = SandboxProvider()
    bank.signed_notification(payment_no="P0", amount_fen=1)
    started = time.process_time()
    for _ in range(200):
        bank.signed_notification(payment_no="P0", amount_fen=1)
    return (time.process_time() - started) / 200 * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warm", type=int, default=50)
    parser.add_argument("--no-edge", action="store_true")
    parser.add_argument(
        "--direct",
        action="store_true",
        help="also the same orders called directly, without the request cycle (`Direct`)",
    )
    parser.add_argument("--database", default=DB, help="several runs at once need a name each")
    parser.add_argument("--callgrind", metavar="FILE")
    args = parser.parse_args()

    fresh_postgres(args.database)
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from checkout import ADDRESS, seed

    from sharemall.config import wsgi

    skus, tokens = seed(4, 50)
    shop = Shop(
        wsgi.django_application if args.no_edge else wsgi.application, skus, tokens, ADDRESS
    )
    direct = Direct(shop.app, skus, tokens, ADDRESS) if args.direct else None
    if args.callgrind and direct is not None:  # callgrind counts one way per run
        shop, direct = direct, None
    for i in range(args.warm):
        shop.order(i)
        if direct is not None:
            direct.order(i)
    way = "Django only" if args.no_edge else "lean edge for the hot routes"
    print(f"way in: {'called directly' if isinstance(shop, Direct) else way}")
    if args.callgrind:
        _callgrind("-z")
    for _ in range(args.rounds):
        spent = _cpu_per_order(shop, args.orders)
        line = f"web CPU per order (create + sandbox pay): {spent:.2f} ms"
        if direct is not None:  # rounds side by side: this machine's speed drifts
            alone = _cpu_per_order(direct, args.orders)
            line += f"; called directly, without the request cycle: {alone:.2f} ms"
        print(line)
    if args.callgrind:
        _callgrind("-d")
        dump = Path(args.callgrind.replace("%p", str(os.getpid())) + ".1").read_text()
        total = next(
            int(line.split()[1]) for line in dump.splitlines() if line.startswith("summary:")
        )
        per_order = total / (args.orders * args.rounds) / 1e6
        print(f"instructions per order: {per_order:.2f} M")
        return
    print(f"of which the sandbox bank's RSA signature: {_signing_ms():.2f} ms")


if __name__ == "__main__":
    main()
