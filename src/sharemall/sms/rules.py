"""Pure rules of the SMS channel: template lookup and the providers' request signatures.

Aliyun is called with its ACS3-HMAC-SHA256 signature over plain HTTPS (see providers.py for
why not its SDK); the signing is here, pure, so it can be checked against the documented
example without the network.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote

from sharemall.core.errors import DomainError

ALIYUN_ALGORITHM = "ACS3-HMAC-SHA256"


class SmsUnavailable(DomainError):
    """The message could not be sent: no backend configured, or the provider refused or failed.
    Nothing the caller typed is wrong, so it is a 503 they may retry later."""

    status = 503
    code = "sms_unavailable"


def template_for(templates: Mapping[str, str], name: str) -> str | None:
    """The provider's template id for one of our template names, or None.

    A name is looked up as is, then by its first word: `verify_login` falls back to `verify`, so
    one verification-code template can serve every purpose unless a purpose has its own.
    """
    key = name.lower()
    if templates.get(key):
        return templates[key]
    head = key.split("_", 1)[0]
    return templates.get(head) or None


def _percent(text: str) -> str:
    """RFC 3986 percent-encoding, as both providers canonicalise: space is %20, ~ stays."""
    return quote(text, safe="-_.~")


def aliyun_canonical_query(params: Mapping[str, str]) -> str:
    return "&".join(f"{_percent(k)}={_percent(v)}" for k, v in sorted(params.items()))


def aliyun_authorization(
    *,
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: bytes,
    access_key_id: str,
    access_key_secret: str,
) -> str:
    """The Authorization header of an Aliyun OpenAPI request (signature v3).

    `headers` are those to sign (host and every x-acs-* header), names in any case."""
    lowered = {k.lower(): v.strip() for k, v in headers.items()}
    signed = sorted(lowered)
    canonical_headers = "".join(f"{name}:{lowered[name]}\n" for name in signed)
    signed_headers = ";".join(signed)
    canonical_request = "\n".join(
        [
            method.upper(),
            path or "/",
            aliyun_canonical_query(query),
            canonical_headers,
            signed_headers,
            hashlib.sha256(body).hexdigest(),
        ]
    )
    string_to_sign = f"{ALIYUN_ALGORITHM}\n{hashlib.sha256(canonical_request.encode()).hexdigest()}"
    signature = hmac.new(
        access_key_secret.encode(), string_to_sign.encode(), hashlib.sha256
    ).hexdigest()
    return (
        f"{ALIYUN_ALGORITHM} Credential={access_key_id},"
        f"SignedHeaders={signed_headers},Signature={signature}"
    )
