"""Fetching a URL from outside within bounds: its size (refused as soon as it is over, from
Content-Length or while reading), the whole answer's time (one deadline for connecting,
redirects and every read, so a server that trickles bytes is cut off too) and the redirects
followed (a loop is named as one). Only http and https; credentials in a URL are refused.

Unless `private_addresses` is allowed, a host that resolves to a loopback, private, link-local
or otherwise non-public address is refused, at every hop of a redirect, and the connection goes
to the address that was checked (a second DNS answer cannot swap it).

The one fetcher of leaks: scans of a URL and watchlist feeds (which pass `If-None-Match` /
`If-Modified-Since` in `headers` and read 304 in `status`). A `Wording` makes each refusal name
what was fetched, the setting that bounds it and what to do, in the caller's terms.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urljoin, urlsplit, urlunsplit

from crownjewels.leaks.errors import TargetRefused
from crownjewels.leaks.scan.limits import size_words

USER_AGENT = "CrownJewels-LeakScan/1"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 << 10


@dataclass(frozen=True)
class Wording:
    """How a refusal names what was fetched, the settings that bound it and what to do."""

    #: what was fetched, `{url}` standing for its address as shown
    noun: str
    #: who does not fetch from private addresses ("which scans do not reach")
    users: str
    #: the setting of `max_bytes` and of `timeout`
    max_bytes_setting: str
    timeout_setting: str
    #: what to do about an answer over the size limit, or too slow
    too_large: str
    too_slow: str


SCAN = Wording(
    noun="the URL {url}",
    users="scans",
    max_bytes_setting="CROWNJEWELS_LEAKS_FETCH_MAX_BYTES",
    timeout_setting="CROWNJEWELS_LEAKS_FETCH_TIMEOUT_SECONDS",
    too_large="download the file and scan it, or raise the limit",
    too_slow="try again later or give a faster source",
)


@dataclass(frozen=True)
class Fetched:
    """A URL's answer: the status (200, or 304 when asked conditionally), the final URL after
    redirects, the headers (lower-case names) and the body."""

    url: str
    status: int
    data: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def media_type(self) -> str | None:
        """The Content-Type the server claimed (without parameters); sniff the bytes instead."""
        value = self.headers.get("content-type")
        return value.split(";", 1)[0].strip().lower() if value else None


def fetch(
    url: str,
    *,
    max_bytes: int,
    timeout: float,
    max_redirects: int = 5,
    private_addresses: bool = False,
    headers: Mapping[str, str] | None = None,
    wording: Wording = SCAN,
) -> Fetched:
    """GET `url` within the bounds, following redirects; TargetRefused says why it was not
    fetched (unreachable, too slow, too large, an error status, a redirect loop), worded by
    `wording`."""
    deadline = time.monotonic() + timeout
    shown = display(url)
    wording = replace(wording, noun=wording.noun.format(url=shown))
    seen: list[str] = []
    current = url
    while True:
        _check_url(current, shown, wording.noun)
        if current in seen:
            raise TargetRefused(
                f"{wording.noun} redirects in a loop ({display(current)} again after "
                f"{len(seen)} redirects); give the address the page finally lives at"
            )
        seen.append(current)
        status, answer_headers, data = _get(
            current, wording, deadline, timeout, max_bytes, private_addresses, headers or {}
        )
        if status in _REDIRECTS and "location" in answer_headers:
            if len(seen) > max_redirects:
                raise TargetRefused(
                    f"{wording.noun} redirected more than {max_redirects} times "
                    "(CROWNJEWELS_LEAKS_FETCH_MAX_REDIRECTS); give the final address"
                )
            current = urljoin(current, answer_headers["location"])
            continue
        if status == 304 or 200 <= status < 300:
            return Fetched(url=current, status=status, data=data, headers=answer_headers)
        raise TargetRefused(_status_message(wording.noun, status))


def display(url: str) -> str:
    """The URL as shown to people and stored: any user name or password left out."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def _check_url(url: str, shown: str, noun: str) -> None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a bad port raises here
    except ValueError:
        raise TargetRefused(f"{shown} is not a valid URL; check it") from None
    if parts.scheme not in ("http", "https"):
        raise TargetRefused(
            f"{noun} leads to a {parts.scheme or 'schemeless'} address; only http and "
            "https are fetched"
        )
    if not parts.hostname:
        raise TargetRefused(f"{noun} names no host; write it as https://host/path")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused(
            f"{noun} holds a user name or password; they are not sent: give a URL "
            "that needs no sign-in"
        )


def _status_message(noun: str, status: int) -> str:
    if status == 404:
        return f"{noun} answered 404 (not found); check the address"
    if status in (401, 403):
        return (
            f"{noun} answered {status} (sign-in required or forbidden); give a URL "
            "that can be read without signing in"
        )
    if status in _REDIRECTS:
        return f"{noun} answered a redirect ({status}) without saying where to"
    if status >= 500:
        return f"{noun} answered {status} (a server error); try again later"
    return f"{noun} answered {status}; give a URL that serves the file"


def public_address(host: str, port: int, wording: Wording) -> str:
    """The first address `host` resolves to; TargetRefused when it cannot be found or any of
    its addresses is loopback, private, link-local or otherwise not public (`wording.noun`
    names what is refused, already filled in)."""
    return _address(host, port, wording, private_addresses=False)


def _address(host: str, port: int, wording: Wording, private_addresses: bool) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise TargetRefused(
            f"{wording.noun} names a host ({host}) that cannot be found; check the address"
        ) from None
    addresses = [str(info[4][0]) for info in infos]
    if not private_addresses:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
                ip = ip.ipv4_mapped
            if not ip.is_global or ip.is_multicast:
                raise TargetRefused(
                    f"{wording.noun} leads to {host} at {address}, an address of a private "
                    f"network or of this machine, which {wording.users} do not reach; set "
                    "CROWNJEWELS_LEAKS_FETCH_PRIVATE_ADDRESSES=true to allow it"
                )
    return addresses[0]


def _get(
    url: str,
    wording: Wording,
    deadline: float,
    timeout: float,
    max_bytes: int,
    private_addresses: bool,
    extra: Mapping[str, str],
) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    host = str(parts.hostname)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    address = _address(host, port, wording, private_addresses)

    def slow() -> TargetRefused:
        return TargetRefused(
            f"{wording.noun} did not answer in full within {timeout:g} seconds "
            f"({wording.timeout_setting}); {wording.too_slow}"
        )

    def left() -> float:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise slow()
        return remaining

    connection: http.client.HTTPConnection
    if https:
        connection = http.client.HTTPSConnection(
            host, port, timeout=left(), context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(host, port, timeout=left())

    def pinned(
        _address: tuple[str, int], timeout: float | None = None, source: object = None
    ) -> socket.socket:
        return socket.create_connection((address, port), timeout)

    connection._create_connection = pinned  # type: ignore[attr-defined]  # the checked address
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    try:
        connection.request(
            "GET",
            path,
            headers={"User-Agent": USER_AGENT, "Accept": "*/*", **extra},
        )
        response = connection.getresponse()
        headers = {k.lower(): v for k, v in response.getheaders()}
        status = response.status
        if status in _REDIRECTS or not (200 <= status < 300):
            return status, headers, b""
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise _too_large(wording, int(declared), max_bytes)
        chunks: list[bytes] = []
        got = 0
        while True:
            if connection.sock is not None:
                connection.sock.settimeout(left())
            chunk = response.read1(_CHUNK)
            if not chunk:
                break
            got += len(chunk)
            if got > max_bytes:
                raise _too_large(wording, None, max_bytes)
            chunks.append(chunk)
            left()
        return status, headers, b"".join(chunks)
    except TimeoutError:
        raise slow() from None
    except ssl.SSLError as exc:
        raise TargetRefused(
            f"{wording.noun} could not be reached securely ({exc.reason or exc}); check that "
            "its certificate is valid"
        ) from None
    except (OSError, http.client.HTTPException) as exc:
        raise TargetRefused(
            f"{wording.noun} could not be fetched ({type(exc).__name__}: {exc}); check the "
            "address and that the server is up"
        ) from None
    finally:
        connection.close()


def _too_large(wording: Wording, size: int | None, max_bytes: int) -> TargetRefused:
    answered = f"answered {size_words(size)}" if size is not None else "answered more"
    return TargetRefused(
        f"{wording.noun} {answered}, over the {size_words(max_bytes)} limit "
        f"({wording.max_bytes_setting}); {wording.too_large}"
    )
