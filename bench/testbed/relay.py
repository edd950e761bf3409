"""A delaying TCP relay: adds a round-trip time to SSH connections (this kernel has no netem).

    python relay.py --rtt-ms 20 127.0.0.1:22001=10.213.1.2:22 [more routes...]

Each accepted connection waits one round trip before it is joined to its target (a TCP
connect costs one round trip), then every chunk read in either direction is delivered half a
round trip after it arrived, in order. Bandwidth is not limited. The relay serves until it is
terminated (SIGTERM), and only listens where it is told (the testbed's controller namespace).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import time


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    queue: asyncio.Queue[tuple[float, bytes | None]] = asyncio.Queue()

    async def deliver() -> None:
        while True:
            due, chunk = await queue.get()
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if chunk is None:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(chunk)
            await writer.drain()

    sender = asyncio.create_task(deliver())
    try:
        while True:
            chunk = await reader.read(65536)
            queue.put_nowait((time.monotonic() + delay, chunk or None))
            if not chunk:
                break
        await sender
    except (ConnectionError, asyncio.CancelledError):
        sender.cancel()


async def _serve(listen: tuple[str, int], target: tuple[str, int], rtt: float) -> asyncio.Server:
    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            await asyncio.sleep(rtt)  # the TCP handshake's round trip
            up_r, up_w = await asyncio.open_connection(*target)
        except OSError:
            client_w.close()
            return
        await asyncio.gather(_pump(client_r, up_w, rtt / 2), _pump(up_r, client_w, rtt / 2))
        for w in (up_w, client_w):
            w.close()

    return await asyncio.start_server(handle, *listen)


def _addr(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host, int(port)


async def main(rtt_ms: float, routes: list[str]) -> None:
    servers = []
    for route in routes:
        listen, _, target = route.partition("=")
        servers.append(await _serve(_addr(listen), _addr(target), rtt_ms / 1000.0))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for s in servers:
        s.close()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rtt-ms", type=float, required=True)
    ap.add_argument("routes", nargs="+", metavar="LISTEN=TARGET")
    args = ap.parse_args()
    asyncio.run(main(args.rtt_ms, args.routes))
