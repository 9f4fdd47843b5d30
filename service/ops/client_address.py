"""The client address a login is counted against: the peer address, or behind trusted reverse proxies
the nearest address in `X-Forwarded-For` that no trusted proxy added.

`X-Forwarded-For` is believed only when the peer is a trusted proxy (`ALUR_TRUSTED_PROXIES`: addresses
or networks); anyone else could write any address there and slip past the login back-off.
"""
from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(items: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or CIDR networks; ValueError naming the bad item."""
    out = []
    for item in items:
        try:
            out.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            raise ValueError(f"not an IP address or network: {item!r}") from None
    return tuple(out)


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip.version == net.version and ip in net for net in proxies)


def client_address(peer: str | None, forwarded_for: str | None, proxies: tuple[Network, ...]) -> str:
    """The address to count a login against (`peer` unless it is a trusted proxy)."""
    address = peer or "unknown"
    if not proxies or not forwarded_for or not _trusted(address, proxies):
        return address
    # Each proxy appends the address it received from: walk back from the nearest hop.
    hops = [h.strip() for h in forwarded_for.split(",")[-64:] if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop[:64]
    return hops[0][:64] if hops else address


__all__ = ["client_address", "parse_networks"]
