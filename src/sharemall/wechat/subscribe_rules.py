"""Pure rules of WeChat subscribe messages (订阅消息): how a notice's words fill a template.

An operator picks a template in the WeChat back office for each kind of notice and tells us its
keys (`thing1`, `character_string2`, `amount3`, `time4`, …) and which of our values goes in each:
a notice parameter by name (`order_no`, `amount`, …) or one of `@title`, `@body`, `@time`.
WeChat refuses a value that breaks its key type's limits (errcode 47003), so each value is cut to
its type's length here: `thing` 20 characters, `character_string` 32, `phrase` 5, `name` 10 …
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sharemall.core.errors import DomainError
from sharemall.core.i18n import gettext as _

APPS = ("mp", "oa")  # a mini-program's (subscribe/send) or an official account's (bizsend)
SPECIAL = ("@title", "@body", "@time")
# WeChat's key types and the longest value each takes.
LIMITS = {
    "thing": 20,
    "character_string": 32,
    "phrase": 5,
    "name": 10,
    "number": 32,
    "letter": 32,
    "symbol": 5,
    "amount": 32,
    "phone_number": 17,
    "car_number": 8,
    "date": 40,
    "time": 40,
    "const": 20,
}
_KEY = re.compile(r"^(?P<type>[a-z_]+?)(?P<n>\d+)$")
MAX_FIELDS = 10


class InvalidTemplate(DomainError):
    code = "invalid_template"


def key_type(key: str) -> str:
    found = _KEY.match(key)
    if not found or found["type"] not in LIMITS:
        raise InvalidTemplate(
            _("%(key)s is not a WeChat template key (thing1, amount2, time3 …).") % {"key": key}
        )
    return found["type"]


def parse_fields(text: str) -> dict[str, str]:
    """`thing1=@title` per line (or `;`) → {"thing1": "@title"}; refuses what WeChat would."""
    fields: dict[str, str] = {}
    for raw in re.split(r"[\n;]+", text or ""):
        line = raw.strip()
        if not line:
            continue
        key, sep, source = (part.strip() for part in line.partition("="))
        if not sep or not source:
            raise InvalidTemplate(
                _("Write each field as key=value, e.g. thing1=@title; got %(line)s.")
                % {"line": line}
            )
        key_type(key)
        if source.startswith("@") and source not in SPECIAL:
            raise InvalidTemplate(
                _("%(source)s is not one of %(special)s.")
                % {"source": source, "special": ", ".join(SPECIAL)}
            )
        fields[key] = source
    if not fields:
        raise InvalidTemplate(_("A template needs at least one field."))
    if len(fields) > MAX_FIELDS:
        raise InvalidTemplate(_("A template has at most %(n)d fields.") % {"n": MAX_FIELDS})
    return fields


def format_fields(fields: Mapping[str, str]) -> str:
    return "\n".join(f"{key}={source}" for key, source in fields.items())


def fit(key: str, value: str) -> str:
    """The value cut to what the key's type takes (with … when cut)."""
    limit = LIMITS[key_type(key)]
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: max(limit - 1, 1)] + "…"


def template_data(
    fields: Mapping[str, str], values: Mapping[str, object]
) -> dict[str, dict[str, str]]:
    """WeChat's `data`: {key: {"value": …}} from our values — the notice's parameters by name
    and "@title", "@body", "@time" — a missing one as "-"."""
    return {
        key: {"value": fit(key, str(values.get(source) or "-"))} for key, source in fields.items()
    }
