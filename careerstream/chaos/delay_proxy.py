"""A TCP proxy that can slow a server down: every chunk the server sends is held for DELAY ms
while the proxy is "slow" (SIGUSR1 turns it on, SIGUSR2 off). Between the stack and its Postgres it
adds the delay to each statement's round trip: the "slow database" fault, for every client alike.

    python -m careerstream.chaos.delay_proxy LISTEN_PORT TARGET_PORT DELAY_MS
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys

state = {"slow": False}


async def _pipe(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay_s: float, slow: bool
) -> None:
    try:
        while data := await reader.read(65536):
            if slow and state["slow"]:
                await asyncio.sleep(delay_s)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def main(listen: int, target: int, delay_ms: float) -> None:
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, lambda: state.update(slow=True))
    loop.add_signal_handler(signal.SIGUSR2, lambda: state.update(slow=False))

    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            client_w.close()
            return
        await asyncio.gather(
            _pipe(client_r, server_w, 0, False), _pipe(server_r, client_w, delay_ms / 1000, True)
        )

    server = await asyncio.start_server(handle, "127.0.0.1", listen, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])))
