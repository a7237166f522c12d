"""Storefront reads: requests per second for the product list and product page, in-process.

Runs the whole Django stack (middleware, ninja, ORM) through the WSGI test client against the
database DATABASE_URL names (default: a throwaway SQLite file), and prints SQL statements per
request. Usage:

    SECRET_KEY=bench .venv/bin/python bench/storefront.py [--products 500] [--seconds 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharemall.config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
_tmp = tempfile.mkdtemp(prefix="sharemall-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp}/bench.db")

import django

django.setup()

from _setup import approved_merchant
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sharemall.accounts.models import Member
from sharemall.catalog.models import Product, Sku


def seed(products: int) -> int:
    owner = Member.objects.create_user("13700000001", "bench-pass-1", nickname="bench")
    operator = Member.objects.create_superuser("13700000002", "bench-pass-2", nickname="op")
    m = approved_merchant(
        operator,
        owner=owner,
        legal_name="Bench Co",
        uscc="91110000600037341L",
        legal_rep="B",
        contact_phone="13700000003",
    )
    made = Product.objects.bulk_create(
        Product(merchant=m, title=f"Bench product {i}", status="on_sale") for i in range(products)
    )
    Sku.objects.bulk_create(
        Sku(product=p, name=f"opt{j}", price_fen=1000 + j, stock=10) for p in made for j in range(2)
    )
    return made[0].pk


def measure(client: Client, path: str, seconds: float) -> tuple[float, float]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    statements = len(queries)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        client.get(path)
        count += 1
    return count / (time.perf_counter() - start), statements


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    first = seed(args.products)
    client = Client(HTTP_HOST="localhost")
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"database {connection.vendor}"
    )
    for label, path in [
        ("GET /api/v1/products?limit=20", "/api/v1/products?limit=20"),
        (f"GET /api/v1/products/{first}", f"/api/v1/products/{first}"),
        ("GET / (storefront page)", "/"),
    ]:
        rps, statements = measure(client, path, args.seconds)
        print(f"{label:40s} {rps:8.0f} req/s (1 thread)   {statements:.0f} SQL statements")


if __name__ == "__main__":
    main()
