"""``inc loadtest --url``: latency of a served model (MLflow scoring protocol) over HTTP.

Standard library only: ``http.client`` with one keep-alive connection per worker thread,
bounded concurrency, a bounded request count and a time limit. Failures (HTTP errors,
timeouts, dropped connections) are counted per kind, never raised, once the endpoint has
answered the first request.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from inc.errors import UserError
from inc.ops.harness import LatencyStats, Progress, summarize

HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


@dataclass
class Endpoint:
    """Where requests go."""

    scheme: str
    host: str
    port: int
    path: str

    @classmethod
    def parse(cls, url: str) -> Endpoint:
        """Parse ``http(s)://host[:port][/path]``; the path defaults to MLflow's ``/invocations``."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UserError(f"--url {url!r}: expected http://host:port/invocations")
        try:
            default = 443 if parts.scheme == "https" else 80
            port = parts.port or default
        except ValueError as exc:
            raise UserError(f"--url {url!r}: bad port ({exc})") from exc
        path = parts.path if parts.path not in ("", "/") else "/invocations"
        if parts.query:
            path = f"{path}?{parts.query}"
        return cls(parts.scheme, parts.hostname, port, path)

    def connect(self, timeout: float) -> http.client.HTTPConnection:
        """A new connection (not yet opened)."""
        if self.scheme == "https":
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}{self.path}"


def scoring_payloads(frames: Sequence[Any]) -> list[bytes]:
    """Encode DataFrames as MLflow scoring requests: ``{"dataframe_split": {columns, data}}``."""
    payloads = []
    for frame in frames:
        split = json.loads(frame.to_json(orient="split", index=False, date_format="iso", double_precision=15))
        body = {"dataframe_split": {"columns": split["columns"], "data": split["data"]}}
        payloads.append(json.dumps(body, separators=(",", ":")).encode("utf-8"))
    return payloads


@dataclass
class _Shared:
    payloads: Sequence[bytes]
    count: int | None
    deadline_ns: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    issued: int = 0
    durations: list[int] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)

    def next_index(self) -> int | None:
        with self.lock:
            if self.count is not None and self.issued >= self.count:
                return None
            if time.perf_counter_ns() >= self.deadline_ns:
                return None
            self.issued += 1
            return self.issued - 1


def _send(conn: http.client.HTTPConnection, path: str, payload: bytes) -> str | None:
    """One request; None on success, else the failure kind."""
    try:
        conn.request("POST", path, body=payload, headers=HEADERS)
        response = conn.getresponse()
        response.read()
    except TimeoutError:
        conn.close()
        return "timeout"
    except (OSError, http.client.HTTPException):
        conn.close()
        return "connection"
    if response.status >= 400:
        return f"http_{response.status}"
    return None


def _worker(endpoint: Endpoint, shared: _Shared, timeout: float) -> None:
    conn = endpoint.connect(timeout)
    clock = time.perf_counter_ns
    local: list[int] = []
    failed: Counter[str] = Counter()
    try:
        while (index := shared.next_index()) is not None:
            payload = shared.payloads[index % len(shared.payloads)]
            t0 = clock()
            kind = _send(conn, endpoint.path, payload)
            t1 = clock()
            if kind is None:
                local.append(t1 - t0)
            else:
                failed[kind] += 1
    finally:
        conn.close()
        with shared.lock:
            shared.durations.extend(local)
            shared.failures.update(failed)


def probe(endpoint: Endpoint, payload: bytes, timeout: float) -> None:
    """Send one request; an endpoint that cannot be reached is a UserError (exit 2)."""
    conn = endpoint.connect(timeout)
    try:
        conn.request("POST", endpoint.path, body=payload, headers=HEADERS)
        conn.getresponse().read()
    except TimeoutError as exc:
        raise UserError(f"{endpoint}: no answer within {timeout:g} s; is the model being served?") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise UserError(
            f"{endpoint}: cannot connect ({exc}); start the server first "
            "(e.g. mlflow models serve -m MODEL_URI --env-manager local -p PORT)"
        ) from exc
    finally:
        conn.close()


@dataclass
class HttpMeasurement:
    """Latencies of the successful requests, failures by kind, wall time."""

    stats: LatencyStats
    failure_kinds: dict[str, int]


def measure_http(
    url: str,
    payloads: Sequence[bytes],
    batch_size: int,
    count: int | None,
    duration_s: float | None,
    concurrency: int = 1,
    timeout_s: float = 10.0,
    warmup: int = 5,
    progress: Progress | None = None,
) -> HttpMeasurement:
    """Send the payloads round-robin from ``concurrency`` threads until ``count`` or the time limit."""
    endpoint = Endpoint.parse(url)
    probe(endpoint, payloads[0], timeout_s)
    for i in range(1, warmup):
        _send_once(endpoint, payloads[i % len(payloads)], timeout_s)
    limit_s = duration_s if duration_s is not None else max(60.0, 10 * timeout_s)
    shared = _Shared(payloads, count, time.perf_counter_ns() + int(limit_s * 1e9))
    threads = [
        threading.Thread(target=_worker, args=(endpoint, shared, timeout_s), daemon=True)
        for _ in range(max(1, concurrency))
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    _wait(threads, shared, count, duration_s, start, progress)
    elapsed = time.perf_counter() - start
    failures = sum(shared.failures.values())
    stats = summarize(shared.durations, elapsed, batch_size, failures)
    return HttpMeasurement(stats, dict(sorted(shared.failures.items())))


def _send_once(endpoint: Endpoint, payload: bytes, timeout: float) -> None:
    conn = endpoint.connect(timeout)
    try:
        _send(conn, endpoint.path, payload)
    finally:
        conn.close()


def _wait(
    threads: list[threading.Thread],
    shared: _Shared,
    count: int | None,
    duration_s: float | None,
    start: float,
    progress: Progress | None,
) -> None:
    while alive := [thread for thread in threads if thread.is_alive()]:
        alive[0].join(0.1)
        if progress is None:
            continue
        if count is not None:
            progress(min(shared.issued / count, 1.0))
        elif duration_s:
            progress(min((time.perf_counter() - start) / duration_s, 1.0))
    if progress is not None:
        progress(1.0)
