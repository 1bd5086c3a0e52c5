"""Open-loop load generator: does it keep the schedule, and what does it show that a closed loop hides?

Against a keep-alive HTTP server on 127.0.0.1 that answers at once (one request at a time, as a
single model worker does):
- schedule accuracy per target rate: achieved rate / target, the p50 and max lag of each send
  behind its scheduled time, and the share of late requests (over max(10 ms, one interval)).
Against the same server stalling every 50th request for 200 ms:
- open-loop vs closed-loop p50/p95/p99 (the closed loop sends nothing while it waits, so only
  the stalled request itself is slow; the open loop's requests queue behind it, as users would).

    env -u PYTHONDONTWRITEBYTECODE .venv/bin/python bench/loadtest_open.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import itertools
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from inc.ops.http import measure_http
from inc.ops.openloop import measure_open_loop

PAYLOADS = [b'{"dataframe_split":{"columns":["a"],"data":[[1.0]]}}']


def serve(stall_every: int, stall_s: float) -> tuple[ThreadingHTTPServer, str]:
    """A keep-alive scoring stub on 127.0.0.1 that handles one request at a time."""
    lock = threading.Lock()
    counter = itertools.count(1)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with lock:
                if stall_every and next(counter) % stall_every == 0:
                    time.sleep(stall_s)
            body = json.dumps({"predictions": [0]}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/invocations"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()

    server, url = serve(0, 0.0)
    print("schedule accuracy (instant server)")
    print(f"{'target rps':>10} {'achieved':>9} {'ratio':>6} {'late %':>7} {'max lag ms':>10} {'p50 ms':>8}")
    for rps in (50, 200, 500, 1000):
        r = measure_open_loop(url, PAYLOADS, rps, round(rps * args.seconds), timeout_s=5, warmup=5)
        print(
            f"{rps:>10} {r.achieved_rps:>9.1f} {r.achieved_rps / rps:>6.3f} "
            f"{100 * r.late / max(r.sent, 1):>7.2f} {r.max_send_lag_ms:>10.2f} {r.stats.p50_ms:>8.3f}"
        )
    server.shutdown()

    server, url = serve(50, 0.2)
    count = round(100 * args.seconds)
    opened = measure_open_loop(url, PAYLOADS, 100, count, timeout_s=5, warmup=0)
    closed = measure_http(url, PAYLOADS, 1, count, None, concurrency=1, timeout_s=5, warmup=0)
    server.shutdown()
    print("\nstall of 200 ms every 50th request, 100 rps open loop vs one closed-loop client")
    for name, stats in (("open", opened.stats), ("closed", closed.stats)):
        print(
            f"{name:>6}: p50 {stats.p50_ms:8.3f}  p95 {stats.p95_ms:8.3f}  p99 {stats.p99_ms:8.3f} ms "
            f"({stats.requests} requests, {stats.throughput_rps:.1f} req/s)"
        )
    print(f"open-loop p95 / closed-loop p95: {opened.stats.p95_ms / closed.stats.p95_ms:.1f}x")


if __name__ == "__main__":
    main()
