"""Only the catalogue writes SKU stock.

Checkout reserves units and orders return them through catalog.services; a second writer would
be a second place to get the ordering (deadlocks) or the conditional update (overselling)
wrong. Import contracts cannot see column writes, so this reads the source instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

import sharemall

SOURCE = Path(sharemall.__file__).parent
STOCK = "stock"


def _names_stock(node: ast.AST) -> bool:
    """`"stock"`, `stock=…`, `F("stock")`, `stock__gte`: any mention of the column."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value == STOCK or node.value.startswith(f"{STOCK}__")
    return False


def _call_writes_stock(call: ast.Call) -> bool:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name == "F":
        return any(_names_stock(arg) for arg in call.args)
    if name in {"update", "bulk_update"}:
        return any(k.arg == STOCK for k in call.keywords) or any(
            _names_stock(n) for arg in call.args for n in ast.walk(arg)
        )
    if name == "save":
        return any(
            k.arg == "update_fields" and any(_names_stock(n) for n in ast.walk(k.value))
            for k in call.keywords
        )
    return False


def stock_writes(tree: ast.AST) -> list[int]:
    """Line numbers that write the stock column: an `.update()` / `.bulk_update()` /
    `.save(update_fields=…)` naming it, an `F("stock")` anywhere, or `x.stock = …`."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _call_writes_stock(node):
            lines.append(node.lineno)
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Attribute) and t.attr == STOCK for t in targets):
                lines.append(node.lineno)
    return sorted(lines)


def _outside_catalog() -> list[Path]:
    return [
        path
        for path in sorted(SOURCE.rglob("*.py"))
        if path.relative_to(SOURCE).parts[0] != "catalog"
        and "migrations" not in path.parts
        and "tests" not in path.parts
    ]


def test_no_code_outside_the_catalogue_writes_stock() -> None:
    found = {
        str(path.relative_to(SOURCE)): lines
        for path in _outside_catalog()
        if (lines := stock_writes(ast.parse(path.read_text(), str(path))))
    }

    assert found == {}, "write stock through sharemall.catalog.services"


def test_the_check_sees_every_way_of_writing_stock() -> None:
    writes = """
Sku.objects.filter(pk=1, stock__gte=2).update(stock=F("stock") - 2)
Sku.objects.filter(pk=1).update(stock=0)
Sku.objects.bulk_update(skus, ["stock"])
sku.save(update_fields=["stock"])
sku.stock = 3
sku.stock -= 1
"""
    reads = """
Sku.objects.filter(stock__gt=0).count()
in_stock = sku.stock > 0
Order.objects.filter(pk=1).update(status="paid")
sku.save(update_fields=["price_fen"])
"""

    assert stock_writes(ast.parse(writes)) == [2, 2, 3, 4, 5, 6, 7]
    assert stock_writes(ast.parse(reads)) == []
