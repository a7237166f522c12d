"""The client's address behind trusted proxies: X-Forwarded-For is believed only as far as our
own proxies wrote it, and a malformed TRUSTED_PROXIES stops the process at start."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys

import pytest
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from sharemall.core.http import client_address, environ_address
from sharemall.core.proxies import client_ip, parse_trusted

PROXIES = parse_trusted("10.0.0.0/8, 192.0.2.7, 2001:db8::/32")


def test_an_empty_setting_trusts_nobody() -> None:
    assert parse_trusted("") == ()
    assert parse_trusted(" , ") == ()
    assert client_ip("10.0.0.1", "203.0.113.5", ()) == "10.0.0.1"


def test_entries_are_ips_or_networks_of_either_family() -> None:
    assert parse_trusted("192.0.2.7,10.0.0.0/8 , ::1") == (
        ipaddress.ip_network("192.0.2.7/32"),
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
    )


@pytest.mark.parametrize("bad", ["10.0.0.0/33", "proxy.internal", "10.0.0.300", "1.2.3.4/x"])
def test_a_malformed_entry_is_refused_by_name(bad: str) -> None:
    with pytest.raises(ValueError, match="TRUSTED_PROXIES") as refused:
        parse_trusted(f"10.0.0.1,{bad}")
    assert repr(bad) in str(refused.value)


def test_without_a_trusted_peer_forwarded_for_is_ignored() -> None:
    assert client_ip("203.0.113.9", "198.51.100.1", PROXIES) == "203.0.113.9"


def test_through_one_trusted_proxy_the_client_is_its_peer() -> None:
    assert client_ip("10.1.2.3", "203.0.113.5", PROXIES) == "203.0.113.5"


def test_the_walk_skips_every_trusted_hop_from_the_right() -> None:
    chain = "198.51.100.66, 203.0.113.5, 192.0.2.7, 10.9.9.9"
    assert client_ip("10.0.0.1", chain, PROXIES) == "203.0.113.5"


def test_a_malformed_entry_stops_the_walk_at_the_last_trusted_hop() -> None:
    assert client_ip("10.0.0.1", "203.0.113.5, garbage", PROXIES) == "10.0.0.1"
    assert client_ip("10.0.0.1", "203.0.113.5, nonsense, 10.2.2.2", PROXIES) == "10.2.2.2"


def test_addresses_with_ports_brackets_and_mapped_v4_are_read() -> None:
    assert client_ip("10.0.0.1", "203.0.113.5:4711", PROXIES) == "203.0.113.5"
    assert client_ip("10.0.0.1", "[2001:db9::1]:443", PROXIES) == "2001:db9::1"
    assert client_ip("::ffff:10.0.0.1", "203.0.113.5", PROXIES) == "203.0.113.5"


def test_no_usable_peer_is_unknown() -> None:
    assert client_ip(None, "203.0.113.5", PROXIES) == "unknown"
    assert client_ip("", None, PROXIES) == "unknown"


def test_only_trusted_hops_answer_the_left_most_of_them() -> None:
    assert client_ip("10.0.0.1", "10.0.0.3, 10.0.0.2", PROXIES) == "10.0.0.3"


public_v4 = st.ip_addresses(v=4).filter(lambda a: a.is_global).map(str)
trusted_v4 = st.ip_addresses(network="10.0.0.0/8").map(str)
anything = st.one_of(public_v4, trusted_v4, st.text(max_size=20).filter(lambda t: "," not in t))


@given(
    spoofed=st.lists(anything, max_size=6),
    client=public_v4,
    hops=st.lists(trusted_v4, max_size=4),
    proxy=trusted_v4,
)
def test_a_client_supplied_prefix_never_wins(
    spoofed: list[str], client: str, hops: list[str], proxy: str
) -> None:
    """Whatever the client writes in front (forged trusted hops, other clients, junk), our
    proxies append what they saw: the answer is the real client."""
    chain = ", ".join([*spoofed, client, *hops])
    assert client_ip(proxy, chain, PROXIES) == client


@given(spoofed=st.lists(anything, max_size=6), peer=public_v4)
def test_an_untrusted_peer_is_the_client_whatever_it_claims(spoofed: list[str], peer: str) -> None:
    assert client_ip(peer, ", ".join(spoofed), PROXIES) == peer


def test_requests_and_environs_read_the_setting(settings: object) -> None:
    settings.TRUSTED_PROXIES = parse_trusted("10.0.0.0/8")  # type: ignore[attr-defined]
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5"
    )
    assert client_address(request) == "203.0.113.5"
    assert environ_address(request.META) == "203.0.113.5"
    settings.TRUSTED_PROXIES = ()  # type: ignore[attr-defined]
    assert client_address(request) == "10.0.0.5"


def test_a_malformed_setting_stops_the_process_at_start() -> None:
    env = {**os.environ, "TRUSTED_PROXIES": "10.0.0.0/8,not-an-ip", "DEBUG": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    started = subprocess.run(
        [sys.executable, "-c", "import sharemall.config.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert started.returncode != 0
    assert "ImproperlyConfigured" in started.stderr
    assert "TRUSTED_PROXIES: 'not-an-ip' is not an IP address or CIDR network" in started.stderr
