"""The client's address behind reverse proxies we trust (TRUSTED_PROXIES).

Pure: settings parse the variable once at start-up with `parse_trusted`, and `client_ip` answers
per request. Every hop appends the address it received the request from to X-Forwarded-For, so
the list reads oldest first; only the entries our own proxies appended can be believed. Walking
it right to left while the hop is one of ours, the first address that is not ours is the last
one a trusted proxy saw: the client. Anything further left was written by the client and is
never believed, however it is forged.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_trusted(text: str) -> tuple[Network, ...]:
    """Comma-separated IPs or CIDRs (`10.0.0.0/8, 192.0.2.7, ::1`). A malformed entry raises
    ValueError naming it, so a typo stops the process at start instead of trusting nobody."""
    networks: list[Network] = []
    for raw in text.split(","):
        entry = raw.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or CIDR network"
            ) from None
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = text.strip()
    # Some proxies write "[v6]" or "v4:port"; a bare address is the norm.
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    # An IPv4 client reaching an IPv6 listener shows as ::ffff:a.b.c.d; it is the same client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: Sequence[Network]
) -> bool:
    return any(address.version == n.version and address in n for n in networks)


def client_ip(
    remote_addr: str | None, forwarded_for: str | None, trusted: Sequence[Network]
) -> str:
    """The client's address: REMOTE_ADDR unless that is a trusted proxy, then the right-most
    X-Forwarded-For entry that is not one. A malformed entry stops the walk: the answer is then
    what the last trusted hop saw (the hop to its right, or REMOTE_ADDR), never anything
    further left. "unknown" when the server gave no usable address."""
    remote = str(remote_addr or "").strip()
    peer = _address(remote)
    if peer is None:
        return remote or "unknown"
    if not trusted or not _trusted(peer, trusted) or not forwarded_for:
        return str(peer)
    seen = peer
    for entry in reversed(forwarded_for.split(",")):
        hop = _address(entry)
        if hop is None:
            break
        seen = hop
        if not _trusted(hop, trusted):
            break
    return str(seen)
