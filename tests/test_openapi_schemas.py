"""Every operation in the OpenAPI document says what its success answer looks like: a JSON answer
has a schema with named fields (never an empty or free-form object), and anything else names its
own content type."""

from __future__ import annotations

from typing import Any

from sharemall.config.api import api

JSON = "application/json"


def _vague(
    schema: dict[str, Any], document: dict[str, Any], where: str, seen: frozenset[str] = frozenset()
) -> list[str]:
    """Where a schema allows any shape: no type, or an object without properties."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        # A recursive schema (a tree) is checked once, where it starts.
        target = {} if name in seen else document["components"]["schemas"][name]
        return _vague(target, document, where, seen | {name}) if target else []
    alternatives = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
    parts: list[tuple[dict[str, Any], str]] = [(s, where) for s in alternatives or []]
    kind = schema.get("type")
    properties = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    if alternatives:
        pass
    elif kind is None:
        return [f"{where}: no type"]
    elif kind == "array":
        parts.append((schema.get("items", {}), f"{where}[]"))
    elif kind == "object" and properties:
        parts += [(sub, f"{where}.{name}") for name, sub in properties.items()]
    elif kind == "object" and isinstance(extra, dict) and extra:
        parts.append((extra, f"{where}{{}}"))
    elif kind == "object":
        return [f"{where}: an object without fields"]
    return [p for sub, at in parts for p in _vague(sub, document, at, seen)]


def _operations() -> list[tuple[str, dict[str, Any]]]:
    document = api.get_openapi_schema()
    return [
        (f"{method.upper()} {path}", op)
        for path, ops in document["paths"].items()
        for method, op in ops.items()
    ]


def test_every_operation_documents_its_success_answer() -> None:
    document = api.get_openapi_schema()
    problems: list[str] = []
    operations = _operations()
    for label, op in operations:
        success = {
            code: r for code, r in op["responses"].items() if str(code).startswith(("2", "3"))
        }
        if not success:
            problems.append(f"{label}: no 2xx answer documented")
        for code, response in success.items():
            if str(code).startswith("3") or str(code) == "204":
                continue
            content = response.get("content") or {}
            if not content:
                problems.append(f"{label} {code}: no content documented")
            for media, body in content.items():
                if media != JSON:
                    continue
                problems += _vague(body.get("schema", {}), document, f"{label} {code}")
    assert len(operations) > 100
    assert not problems, "\n".join(problems)


def test_the_check_can_fail() -> None:
    document = {"components": {"schemas": {"Thing": {"type": "object", "properties": {}}}}}
    assert _vague({"$ref": "#/components/schemas/Thing"}, document, "x")
    assert _vague({"type": "array", "items": {}}, document, "x")
    assert _vague({"type": "object", "additionalProperties": True}, document, "x")
    assert not _vague({"type": "object", "properties": {"a": {"type": "integer"}}}, document, "x")


def test_the_price_quote_documents_its_money_fields() -> None:
    document = api.get_openapi_schema()
    op = next(op for label, op in _operations() if label.endswith("POST /api/v1/orders/quote"))
    ref = op["responses"][200]["content"][JSON]["schema"]["$ref"].rsplit("/", 1)[-1]
    order = document["components"]["schemas"]["QuoteOrderOut"]["properties"]
    assert set(document["components"]["schemas"][ref]["properties"]) >= {"orders", "total_fen"}
    contract = {"merchant_id", "goods_fen", "discount_fen", "shipping_fen", "total_fen"}
    assert set(order) == contract | {"promotion_fen", "tier_fen", "coupon_fen", "share_fen"}
