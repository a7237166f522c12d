"""What the real adapters share: reading key files, China time, settings checks.

Providers speak two money dialects: WeChat Pay counts integer fen, Alipay writes yuan as text
("123.45"), read and written by `sharemall.core.money` (plain yuan text, exact to the fen).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sharemall.payments.providers.base import ProviderNotConfigured

# Both providers write local times in China Standard Time.
CHINA_TZ = ZoneInfo("Asia/Shanghai")


def missing_settings(prefix: str, config: Mapping[str, str], names: tuple[str, ...]) -> list[str]:
    """The environment names (PREFIX_NAME) of the settings in `names` that are blank."""
    return [f"{prefix}_{name}" for name in names if not (config.get(name) or "").strip()]


def raise_if_missing(provider: str, missing: list[str], hint: str = "") -> None:
    """ProviderNotConfigured naming every missing setting, if any."""
    if missing:
        raise ProviderNotConfigured(
            f"{provider} is not configured: set {', '.join(missing)}{hint}",
            details={"missing": missing},
        )


def read_key_file(prefix: str, name: str, path: str) -> str:
    """The text of a PEM (or bare base64) key file; ProviderNotConfigured if it cannot be read."""
    try:
        text = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ProviderNotConfigured(
            f"{prefix}_{name}: cannot read {path!r} ({exc.__class__.__name__})",
            details={"setting": f"{prefix}_{name}"},
        ) from None
    if not text:
        raise ProviderNotConfigured(
            f"{prefix}_{name}: {path!r} is empty", details={"setting": f"{prefix}_{name}"}
        )
    return text


def as_pem(text: str, label: str) -> str:
    """Wrap a bare base64 key (as Alipay's key tool hands it out) in PEM armour."""
    if text.lstrip().startswith("-----BEGIN"):
        return text
    body = "".join(text.split())
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"]) + "\n"


def china_local_text(moment: datetime) -> str:
    """An aware datetime as China local "YYYY-MM-DD HH:MM:SS" (Alipay's time format)."""
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")


def parse_china_local_text(text: str) -> datetime:
    """China local "YYYY-MM-DD HH:MM:SS" → an aware datetime. ValueError if malformed."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA_TZ)
