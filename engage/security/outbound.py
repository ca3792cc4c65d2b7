"""The guard on requests the service makes to addresses people typed (webhooks, output links).

A web address that points into a private network would let anyone who can register one reach
machines that are not meant to be reachable from outside (the database, a cloud metadata service, an
admin page on the office network). So an address is refused unless every address its host resolves
to is a public one, or lies inside a network an administrator allowed (`OUTBOUND_ALLOWED_NETWORKS`).

Checking the address once is not enough: a host name can resolve to a public address when it is
checked and to a private one a moment later when the request is sent (DNS rebinding). The session
from `guarded_session()` therefore checks again inside the connection step, against the addresses it
is about to connect to, and connects to the address it checked. The Host header, TLS server name and
certificate check still use the host name. It never follows redirects on its own; callers that want
to follow one check the next address first.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

import requests
from flask import current_app, has_app_context
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Not public, though older versions of the standard library call parts of them global: shared address
# space (carrier-grade NAT) and IETF protocol assignments.
NOT_PUBLIC_IPV4 = [ipaddress.ip_network("100.64.0.0/10"), ipaddress.ip_network("192.0.0.0/24")]
# NAT64 carries an IPv4 address in its last 32 bits.
NAT64 = ipaddress.ip_network("64:ff9b::/96")

PRIVATE_NETWORK_MESSAGE = "The address is on a private network"


class OutboundRefused(Exception):
    """The service will not send a request to this address. `message` says why in plain English;
    `reason` is one of "scheme", "host", "credentials", "not_found" and "private"."""

    def __init__(self, message: str, *, reason: str = "private", address: str = ""):
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.address = address


def allowed_networks() -> list[Network]:
    """The networks an administrator allowed despite the rule (tests allow loopback)."""
    if not has_app_context():
        return []
    configured = current_app.config.get("OUTBOUND_ALLOWED_NETWORKS", [])
    return [ipaddress.ip_network(item, strict=False) for item in configured]


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries, which is where a packet may really end up."""
    embedded = []
    if address.ipv4_mapped is not None:
        embedded.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        embedded.append(address.sixtofour)
    if address.teredo is not None:
        embedded.extend(address.teredo)
    if address in NAT64:
        embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return embedded


def _not_public(address: IPAddress) -> bool:
    if (not address.is_global or address.is_private or address.is_loopback or address.is_link_local
            or address.is_multicast or address.is_reserved or address.is_unspecified):
        return True
    if isinstance(address, ipaddress.IPv4Address):
        return any(address in network for network in NOT_PUBLIC_IPV4)
    return address.is_site_local or any(_not_public(inner) for inner in _embedded_ipv4(address))


def refused_address(address: IPAddress, allowed: Iterable[Network] | None = None) -> bool:
    """True when the service must not connect to this address."""
    allowed = allowed_networks() if allowed is None else list(allowed)
    candidates: list[IPAddress] = [address]
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        candidates.append(address.ipv4_mapped)
    if any(candidate in network for candidate in candidates for network in allowed
           if candidate.version == network.version):
        return False
    return _not_public(address)


def _parse(value: str) -> IPAddress:
    # A scoped IPv6 address ("fe80::1%eth0") names an interface; the scope does not change the range.
    return ipaddress.ip_address(value.split("%", 1)[0])


def resolve(host: str, port: int, allowed: Iterable[Network] | None = None) -> list[tuple]:
    """Every address the host resolves to, as getaddrinfo gives them; refused if ANY is not public, so
    a name that resolves to one public and one private address cannot be used to reach the private one."""
    try:
        results = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise OutboundRefused("The web address's host could not be found", reason="not_found") from error
    allowed = allowed_networks() if allowed is None else list(allowed)
    for result in results:
        address = _parse(result[4][0])
        if refused_address(address, allowed):
            raise OutboundRefused(PRIVATE_NETWORK_MESSAGE, reason="private", address=str(address))
    return results


def _split(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise OutboundRefused("Enter a web address in the right form", reason="host") from error
    if parts.scheme.lower() not in ("http", "https"):
        raise OutboundRefused("The address must start with http:// or https://", reason="scheme")
    if not parts.hostname:
        raise OutboundRefused("The address must include a host name, like www.example.org", reason="host")
    if parts.username is not None or parts.password is not None:
        raise OutboundRefused("The address must not include a user name or password", reason="credentials")
    return parts.scheme.lower(), parts.hostname, port or (443 if parts.scheme.lower() == "https" else 80)


def check_url(url: str) -> None:
    """Refuse (`OutboundRefused`) an address the service must not send requests to: anything but
    http(s), no host, credentials in the address, a host that cannot be found, or a host any of whose
    addresses is private, loopback, link-local, shared, unique-local, reserved or multicast."""
    _scheme, host, port = _split(url)
    resolve(host, port)


def _number(label: str) -> int | None:
    """One part of a numeric IPv4 host as inet_aton reads it: 0x… hexadecimal, 0… octal, else decimal."""
    try:
        if label[:2].lower() == "0x":
            return int(label[2:] or "0", 16)
        if len(label) > 1 and label.startswith("0"):
            return int(label[1:], 8)
        return int(label, 10)
    except ValueError:
        return None


def _numeric_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address a numeric host form stands for ("127.1", "0x7f000001", "2130706433", "0177.0.0.1"),
    as the resolver would read it without asking DNS; None for a host name."""
    labels = host.split(".")
    if not 1 <= len(labels) <= 4 or not all(labels):
        return None
    numbers = [_number(label) for label in labels]
    if any(n is None for n in numbers):
        return None
    *leading, last = numbers
    if any(n > 255 for n in leading) or last >= 256 ** (4 - len(leading)):  # type: ignore[operator]
        return None
    value = 0
    for n in leading:
        value = value * 256 + n  # type: ignore[operator]
    return ipaddress.IPv4Address(value * 256 ** (4 - len(leading)) + last)  # type: ignore[operator]


def _literal_addresses(host: str) -> list[IPAddress]:
    """The addresses a host stands for without a DNS lookup: an IP address written out in any form, or a
    loopback name (RFC 6761 keeps "localhost" and every name under it for loopback); [] for other names."""
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return [ipaddress.IPv4Address("127.0.0.1"), ipaddress.IPv6Address("::1")]
    try:
        return [_parse(host)]
    except ValueError:
        pass
    numeric = _numeric_ipv4(host)
    return [numeric] if numeric is not None else []


def check_url_without_lookup(url: str) -> None:
    """The part of `check_url` that needs no DNS lookup, for addresses people save (outputs' and hooks'
    links): the same form rules, and the same refusal of private, loopback, link-local, shared,
    unique-local, reserved and multicast addresses written as IP addresses or loopback names. A host name
    is not resolved here; requests to it are still checked when they are sent."""
    _scheme, host, _port = _split(url)
    allowed = allowed_networks()
    for address in _literal_addresses(host):
        if refused_address(address, allowed):
            raise OutboundRefused(PRIVATE_NETWORK_MESSAGE, reason="private", address=str(address))


# Send time -----------------------------------------------------------------------------------------------

class _GuardedConnectionMixin:
    """Resolves, checks every candidate address and connects to a checked one."""

    allowed: list[Network]
    connected_address: str = ""

    def _new_conn(self) -> socket.socket:
        host = self._dns_host.strip("[]")  # type: ignore[attr-defined]
        try:
            candidates = resolve(host, self.port, self.allowed)  # type: ignore[attr-defined]
        except OutboundRefused as refusal:
            if refusal.reason == "not_found":
                raise NameResolutionError(self.host, self, socket.gaierror(refusal.message)) from refusal  # type: ignore[attr-defined,arg-type]
            raise
        error: OSError | None = None
        for family, socktype, proto, _canonname, address in candidates:
            sock = socket.socket(family, socktype, proto)
            try:
                for option in self.socket_options or []:  # type: ignore[attr-defined]
                    sock.setsockopt(*option)
                sock.settimeout(self.timeout)  # type: ignore[attr-defined]
                sock.connect(address)
            except TimeoutError as timeout:
                sock.close()
                raise ConnectTimeoutError(self, f"Connection to {self.host} timed out") from timeout  # type: ignore[attr-defined]
            except OSError as failure:
                sock.close()
                error = failure
                continue
            self.connected_address = address[0]
            return sock
        raise NewConnectionError(self, f"Failed to establish a new connection: {error}")  # type: ignore[arg-type]


class GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class GuardedAdapter(HTTPAdapter):
    """A transport whose connections go only to checked addresses; each response carries
    `connected_address`, the address it came from."""

    def __init__(self, allowed: list[Network]):
        self.allowed = allowed
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        allowed = self.allowed

        class HTTPPool(HTTPConnectionPool):
            ConnectionCls = type("Connection", (GuardedHTTPConnection,), {"allowed": allowed})

        class HTTPSPool(HTTPSConnectionPool):
            ConnectionCls = type("Connection", (GuardedHTTPSConnection,), {"allowed": allowed})

        self.poolmanager.pool_classes_by_scheme = {"http": HTTPPool, "https": HTTPSPool}

    def proxy_manager_for(self, *args, **kwargs):
        raise OutboundRefused("Requests to outside addresses are not sent through a proxy", reason="host")

    def build_response(self, req, resp) -> requests.Response:
        response = super().build_response(req, resp)
        connection = getattr(resp, "connection", None)
        response.connected_address = getattr(connection, "connected_address", "")  # type: ignore[attr-defined]
        return response


def guarded_session(user_agent: str) -> requests.Session:
    """A `requests` session for outside addresses. Proxies and .netrc from the environment are ignored:
    a proxy would make the connection, so the address checked would not be the one reached."""
    session = requests.Session()
    session.trust_env = False
    adapter = GuardedAdapter(allowed_networks())
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = user_agent
    return session


def checked_request(session: requests.Session, method: str, url: str, **kwargs) -> requests.Response:
    """Send one request through a guarded session after checking the address's form. Redirects are
    never followed here."""
    _split(url)
    return session.request(method, url, allow_redirects=False, **kwargs)
