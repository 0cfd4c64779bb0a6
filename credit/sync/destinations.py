"""Where webhooks may be sent: public addresses only, unless the deployment allowlists a receiver.

A subscriber chooses the URL, so an unchecked URL turns the delivery worker into a way into the
network it runs in (loopback, the Neo4j port, cloud metadata, private ranges). A URL is checked
when it is registered and again at every delivery, after resolving its name; the connection then
goes to the very address that was checked (no DNS rebinding), with the name kept for the Host
header and TLS (SNI and certificate), and redirects are never followed.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass

import httpcore
import httpx

from credit.domain.errors import DomainError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Ranges the stdlib flags do not all cover on every Python version (3.11 calls NAT64 and 6to4
# "global"); addresses inside them carry an IPv4 address that is checked in turn.
CGNAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
# Cloud metadata services; most are link-local or private anyway, Azure's wire server is not.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack
        "169.254.170.2",  # AWS ECS task credentials
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "168.63.129.16",  # Azure wire server (a public address)
    )
)
METADATA_NAMES = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "metadata.azure.com",
        "instance-data",
        "instance-data.ec2.internal",
        "metadata.tencentyun.com",
    }
)
# Names that mean "this machine or its local network" wherever they are resolved.
LOCAL_SUFFIXES = ("localhost", ".localhost", ".local", ".internal", ".localdomain", ".home.arpa")
_INET_ATON_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")
_DNS_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
DEFAULT_PORTS = {"http": 80, "https": 443}


class DestinationError(DomainError):
    """A URL we will not send to; `rule` says why (the field is always `url`)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__("url", rule, message)


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # lower-case name, or the address in canonical form
    port: int
    address: IPAddress | None  # set when the URL names an address, in whatever numeric form


@dataclass(frozen=True)
class Policy:
    """What the deployment allows: https only (production), and internal receivers it names."""

    https_only: bool
    allowed_hosts: frozenset[tuple[str, int]] = frozenset()
    allowed_networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, https_only: bool, entries: Iterable[str]) -> Policy:
        """Entries are `host:port`, `[v6]:port` or a CIDR network (any port); bad ones raise."""
        hosts, networks = set(), []
        for raw in entries:
            entry = raw.strip().lower()
            if not entry:
                continue
            if "/" in entry:
                try:
                    networks.append(ipaddress.ip_network(entry, strict=False))
                except ValueError:
                    raise ValueError(f"{raw!r} is not a CIDR network") from None
                continue
            host, sep, port = entry.rpartition(":")
            if not sep or not port.isdigit() or not 1 <= int(port) <= 65535 or not host:
                raise ValueError(f"{raw!r} is neither host:port nor a CIDR network")
            hosts.add((_canonical_host(host.strip("[]")), int(port)))
        return cls(https_only, frozenset(hosts), tuple(networks))

    def allows_host(self, target: Target) -> bool:
        return (target.host, target.port) in self.allowed_hosts

    def allows_address(self, address: IPAddress) -> bool:
        return any(address in n for n in self.allowed_networks if n.version == address.version)


def _canonical_host(host: str) -> str:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host.rstrip(".")


def parse(url: str, policy: Policy) -> Target:
    """The URL's scheme, host and port, or the rule it breaks (no DNS here)."""
    if any(c.isspace() or ord(c) < 0x20 or c == "\\" for c in url):
        raise DestinationError("syntax", "the URL has spaces, control characters or backslashes")
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise DestinationError("scheme", "use an http(s) URL")
    if policy.https_only and scheme != "https":
        raise DestinationError("scheme", "use https")
    if "@" in parts.netloc:
        raise DestinationError("userinfo", "credentials in the URL are not accepted")
    try:
        given = parts.port
    except ValueError:
        raise DestinationError("port", "the port is between 1 and 65535") from None
    port = DEFAULT_PORTS[scheme] if given is None else given
    if not 1 <= port <= 65535:
        raise DestinationError("port", "the port is between 1 and 65535")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise DestinationError("host", "the URL names no host")
    return _target(scheme, host, port)


def _target(scheme: str, host: str, port: int) -> Target:
    if "%" in host:
        raise DestinationError("host", "scoped (zone) IPv6 addresses are not accepted")
    try:
        address: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        address = _numeric_ipv4(host)
    if address is not None:
        return Target(scheme, str(address), port, address)
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise DestinationError("host", "not a valid host name") from None
    if not all(_DNS_LABEL.match(label) for label in ascii_host.split(".")):
        raise DestinationError("host", "not a valid host name")
    return Target(scheme, ascii_host, port, None)


def _numeric_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """Decimal (2130706433), octal (0177.0.0.1), hex (0x7f000001) and short (127.1) forms mean
    an IPv4 address to the C resolver, so they are read the same way here and checked as such."""
    labels = host.split(".")
    if not 1 <= len(labels) <= 4 or not all(_INET_ATON_LABEL.match(x) for x in labels):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        raise DestinationError("host", "not a valid IPv4 address") from None


def forbidden(address: IPAddress) -> bool:
    """Loopback, private, link-local, multicast, unspecified, reserved, shared (CGNAT),
    documentation and benchmark ranges, metadata services, and IPv6 forms embedding any of
    them (IPv4-mapped, 6to4, Teredo, NAT64): anything that is not a public unicast address."""
    if address in METADATA_ADDRESSES:
        return True
    if isinstance(address, ipaddress.IPv6Address):
        embedded = [address.ipv4_mapped, address.sixtofour]
        if address.teredo:
            embedded += list(address.teredo)
        if any(address in n for n in NAT64):
            embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if any(e is not None and forbidden(e) for e in embedded):
            return True
    return (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
        or address in CGNAT
    )


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the system resolver gives for the name (the delivery connects to one)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    found: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    return found


def check(url: str, policy: Policy) -> tuple[Target, IPAddress]:
    """The target and the one address to connect to; every resolved address must pass."""
    target = parse(url, policy)
    if target.address is None and not policy.allows_host(target):
        name = target.host
        if name in METADATA_NAMES or name.endswith(LOCAL_SUFFIXES):
            raise DestinationError("forbidden_address", "local and metadata names are refused")
    if target.address is not None:
        addresses = [target.address]
    else:
        addresses = resolve(target.host, target.port)
    if not addresses:
        raise DestinationError("unresolvable", "the host name does not resolve")
    if not policy.allows_host(target):
        refused = [a for a in addresses if forbidden(a) and not policy.allows_address(a)]
        if refused:
            raise DestinationError(
                "forbidden_address",
                "the host is or resolves to a loopback, private, link-local, multicast, "
                "reserved or metadata address (an internal receiver must be allowlisted in "
                "CREDIT_WEBHOOK_ALLOW)",
            )
    return target, addresses[0]


class _PinnedBackend(httpcore.NetworkBackend):
    """Connects to the checked address whatever name the request carries."""

    def __init__(self, address: IPAddress) -> None:
        self._address, self._inner = str(address), httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        return self._inner.connect_tcp(self._address, port, timeout, local_address, socket_options)


class PinnedTransport(httpx.HTTPTransport):
    """An httpx transport bound to one checked address; no proxies from the environment."""

    def __init__(self, address: IPAddress) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            network_backend=_PinnedBackend(address),
            max_connections=1,
        )
