"""A syslog listener on TCP (RFC 6587: octet counting or LF-terminated frames) and UDP (RFC
5426: one message per datagram) with asyncio. Lines are batched (up to `batch_size`, or
whatever arrived within `flush_after` seconds of the first) and each batch is handed to a
callback in a worker thread, one batch at a time, so the loop keeps receiving while a batch
is stored. TCP senders are slowed down (not dropped) when the queue is full; UDP datagrams
beyond it are dropped and counted, as UDP syslog allows."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import logging
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

log = logging.getLogger(__name__)

#: the longest message accepted (RFC 5425 asks receivers for at least 2 KiB; 64 KiB is UDP's)
MAX_MESSAGE = 65_536


@dataclass(frozen=True)
class Received:
    """One message as it arrived: its text, who sent it, over what, and when."""

    text: str
    peer: str
    transport: str  # "tcp" or "udp"
    received_at: datetime


BatchHandler = Callable[[list[Received]], None]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass
class ListenerStats:
    """What the listener has seen so far."""

    received: int = 0
    batches: int = 0
    dropped: int = 0  # UDP datagrams beyond a full queue
    framing_errors: int = 0  # TCP connections closed for a malformed frame
    failed_batches: int = 0  # batches whose handler raised
    refused: int = 0  # connections and datagrams from senders outside --allow
    errors: list[str] = field(default_factory=list)


class FramingError(ValueError):
    """A TCP stream that is neither octet-counted nor LF-terminated syslog."""


class SyslogListener:
    """Receives syslog on one port over TCP and UDP and hands batches of lines to `handler`."""

    def __init__(
        self,
        handler: BatchHandler,
        *,
        host: str = "127.0.0.1",
        port: int = 5514,
        tcp: bool = True,
        udp: bool = True,
        batch_size: int = 1_000,
        flush_after: float = 0.5,
        max_pending: int = 50_000,
        max_message: int = MAX_MESSAGE,
        allow: Sequence[Network] = (),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if not (tcp or udp):
            raise ValueError("listen on TCP, UDP or both")
        self.handler = handler
        self.host, self.port = host, port
        self.tcp, self.udp = tcp, udp
        self.batch_size, self.flush_after = batch_size, flush_after
        self.max_message = max_message
        #: the senders' networks accepted (empty: any sender)
        self.allow = tuple(allow)
        self.clock = clock
        self.stats = ListenerStats()
        self._max_pending = max_pending
        self._queue: asyncio.Queue[Received | None] | None = None
        self._tcp_server: asyncio.Server | None = None
        #: the port bound (the one asked for, or the free one chosen for port 0)
        self.bound_port = port
        self._udp_transport: asyncio.DatagramTransport | None = None
        self._worker: asyncio.Task[None] | None = None
        self._connections: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        """Bind the sockets (port 0: a free port, the same number for TCP and UDP) and start
        handing batches to the handler."""
        self._queue = asyncio.Queue(self._max_pending)
        for attempt in range(20):
            try:
                await self._bind()
                break
            except OSError as exc:
                # port 0: TCP got a free port that UDP cannot have; try another
                if self.port != 0 or exc.errno != errno.EADDRINUSE or attempt == 19:
                    raise
        self._worker = asyncio.create_task(self._hand_batches())

    async def _bind(self) -> None:
        loop = asyncio.get_running_loop()
        port = self.port
        if self.tcp:
            server = await asyncio.start_server(
                self._serve_tcp, self.host, port, limit=self.max_message + 32,
                reuse_address=True,
            )  # fmt: skip
            port = server.sockets[0].getsockname()[1]
        if self.udp:
            try:
                family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
                transport, _ = await loop.create_datagram_endpoint(
                    lambda: _Datagrams(self), local_addr=(self.host, port), family=family
                )
            except OSError:
                if self.tcp:
                    server.close()
                raise
            self._udp_transport = transport
            port = transport.get_extra_info("sockname")[1]
        if self.tcp:
            self._tcp_server = server
        self.bound_port = port

    async def stop(self) -> None:
        """Stop receiving, hand over what is still queued, and wait for the last batch."""
        if self._tcp_server is not None:
            self._tcp_server.close()
            for writer in list(self._connections):
                writer.close()
            with contextlib.suppress(Exception):
                await self._tcp_server.wait_closed()
        if self._udp_transport is not None:
            self._udp_transport.close()
        if self._queue is not None and self._worker is not None:
            await self._queue.put(None)  # after everything received: the worker's end
            await self._worker

    # ------------------------------------------------------------------ receiving

    def allowed(self, address: str) -> bool:
        """Whether a sender may send (no --allow: everyone who can reach the port)."""
        if not self.allow:
            return True
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        return any(ip in network for network in self.allow)

    def _accept_nowait(self, text: str, peer: str) -> None:
        assert self._queue is not None
        item = Received(text, peer, "udp", self.clock())
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            self.stats.dropped += 1
            return
        self.stats.received += 1

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert self._queue is not None
        address = writer.get_extra_info("peername")
        peer = f"{address[0]}:{address[1]}" if address else "unknown"
        if not address or not self.allowed(str(address[0])):
            self.stats.refused += 1
            writer.close()
            return
        self._connections.add(writer)
        try:
            while True:
                frame = await read_frame(reader, self.max_message)
                if frame is None:
                    break
                text = _decode(frame)
                if not text:
                    continue
                await self._queue.put(Received(text, peer, "tcp", self.clock()))
                self.stats.received += 1
        except FramingError as exc:
            self.stats.framing_errors += 1
            self._note(f"closed the connection from {peer}: {exc}")
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._connections.discard(writer)
            writer.close()

    # ------------------------------------------------------------------ handing over

    async def _hand_batches(self) -> None:
        assert self._queue is not None
        loop = asyncio.get_running_loop()
        done = False
        while not done:
            first = await self._queue.get()
            if first is None:
                break
            batch = [first]
            deadline = loop.time() + self.flush_after
            while len(batch) < self.batch_size:
                try:
                    item = self._queue.get_nowait()
                except asyncio.QueueEmpty:
                    remaining = deadline - loop.time()
                    if remaining <= 0:
                        break
                    try:
                        item = await asyncio.wait_for(self._queue.get(), remaining)
                    except TimeoutError:
                        break
                if item is None:
                    done = True
                    break
                batch.append(item)
            await self._hand(batch)

    async def _hand(self, batch: list[Received]) -> None:
        self.stats.batches += 1
        try:
            await asyncio.to_thread(self.handler, batch)
        except Exception as exc:  # a failing batch must not stop the listener
            self.stats.failed_batches += 1
            self._note(f"a batch of {len(batch)} line(s) could not be handled: {exc}")
            log.debug("syslog batch failed", exc_info=True)

    def _note(self, message: str) -> None:
        self.stats.errors.append(message)
        del self.stats.errors[:-100]
        log.warning(message)


class _Datagrams(asyncio.DatagramProtocol):
    """UDP: one message per datagram (RFC 5426)."""

    def __init__(self, listener: SyslogListener) -> None:
        self.listener = listener

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        if not self.listener.allowed(str(addr[0])):
            self.listener.stats.refused += 1
            return
        text = _decode(data[: self.listener.max_message])
        if text:
            self.listener._accept_nowait(text, f"{addr[0]}:{addr[1]}")


async def read_frame(reader: asyncio.StreamReader, max_message: int) -> bytes | None:
    """The next message on a TCP stream, or None at its end. A frame starting with a digit is
    octet-counted (`LENGTH SP MESSAGE`); anything else runs to the next line feed."""
    try:
        first = await reader.readexactly(1)
    except asyncio.IncompleteReadError:
        return None
    if first in b"\r\n\x00":
        return b""
    if first.isdigit():
        try:
            digits = first + (await reader.readuntil(b" "))[:-1]
        except asyncio.LimitOverrunError:
            raise FramingError("an octet count without the space after it") from None
        except asyncio.IncompleteReadError:
            return None
        if not digits.isdigit() or len(digits) > 9:
            raise FramingError(f"{digits[:20]!r} is not an octet count")
        length = int(digits)
        if length > max_message:
            raise FramingError(f"a message of {length} bytes (at most {max_message})")
        try:
            return await reader.readexactly(length)
        except asyncio.IncompleteReadError as exc:
            return exc.partial or None
    try:
        return first + await reader.readuntil(b"\n")
    except asyncio.IncompleteReadError as exc:  # the last line, without its line feed
        return first + exc.partial
    except asyncio.LimitOverrunError:
        raise FramingError(f"a line longer than {max_message} bytes") from None


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace").strip("\r\n\x00")
