"""Where a request comes from: the peer, or behind trusted reverse proxies the client their
X-Forwarded-For names (the login throttle and the public canary callback both ask)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(trusted: Iterable[str]) -> list[IPNetwork]:
    return [ipaddress.ip_network(t.strip(), strict=False) for t in trusted if t.strip()]


def _within(address: str, networks: list[IPNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip.version == n.version and ip in n for n in networks)


def client_address(peer: str, forwarded_for: str | None, trusted: Iterable[str]) -> str:
    """The client a request comes from: the peer itself, unless the peer is a trusted proxy;
    then the right-most X-Forwarded-For address that is not a trusted proxy (what a client
    writes into the header itself stays to the left and is never believed)."""
    networks = _networks(trusted)
    if not forwarded_for or not _within(peer, networks):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if not _within(hop, networks):
            return hop
    return peer
