"""Who is asking: the client's address, taken from the trusted proxy chain only.

Every count kept per client — the admin login lock-out (django-axes), the API rate limit, the
download rate limit — asks ``client_address``, so they all agree on who the client is.

Behind proxies the peer address (REMOTE_ADDR) is the last proxy's, and X-Forwarded-For holds
the addresses each proxy appended, with whatever the client sent itself to their left. The
documented chain is TLS proxy → nginx (docker-compose.yml) → gunicorn: nginx appends the TLS
proxy's address, the TLS proxy appends the visitor's. So, reading from the right:

    X-Forwarded-For: <made up by the client, ...>, visitor, TLS proxy      REMOTE_ADDR: nginx

``ATLAS_TRUSTED_PROXIES`` (N) is the number of proxies that append; the client is found by
stepping N hops to the left from REMOTE_ADDR. A hop is stepped over only when it is a proxy
address (``ATLAS_TRUSTED_PROXY_ADDRESSES``, by default loopback and the private ranges, where
the compose network and a TLS proxy on the same host live): a request that reaches the atlas
directly from elsewhere is answered by its peer address, whatever its X-Forwarded-For says.
"""

import functools
import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def client_address(request) -> str:
    """The client's IP address as text; "" only when the request carries no address at all."""
    peer = request.META.get("REMOTE_ADDR", "")
    hops = [*forwarded_for(request), peer]
    position = len(hops) - 1
    for _ in range(settings.ATLAS_TRUSTED_PROXIES):
        if position == 0 or not is_trusted_proxy(hops[position]):
            break
        position -= 1
    client = parse_address(hops[position])
    if client is None:
        # Something other than an address where a proxy should have put one: fall back to the
        # nearest hop that is one rather than count a made-up string as a client.
        client = next(filter(None, map(parse_address, hops[position + 1 :])), None)
    return str(client) if client is not None else ""


def forwarded_for(request) -> list[str]:
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return [part.strip() for part in header.split(",") if part.strip()]


def parse_address(text: str) -> Address | None:
    """An address from a header entry: "192.0.2.7", "192.0.2.7:5123", "[2001:db8::1]:443"."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # IPv4 with a port; IPv6 has at least two colons
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted_proxy(hop: str) -> bool:
    """Whether a hop may be a proxy of ours; a peer without an IP address is a Unix socket's."""
    if hop == "" or hop.startswith("unix:"):
        return True  # only processes on this host can reach a socket
    address = parse_address(hop)
    networks = trusted_networks(tuple(settings.ATLAS_TRUSTED_PROXY_ADDRESSES))
    return address is not None and any(address in network for network in networks)


@functools.lru_cache(maxsize=8)
def trusted_networks(addresses: tuple[str, ...]) -> tuple[Network, ...]:
    """The networks of ``ATLAS_TRUSTED_PROXY_ADDRESSES`` ("10.0.0.0/8", "192.0.2.1", ...)."""
    try:
        return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in addresses)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"ATLAS_TRUSTED_PROXY_ADDRESSES must list addresses or networks (CIDR): {error}"
        ) from None
