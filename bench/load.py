"""Load runs with Debian's wrk: a Lua script rotates over URL paths (or POSTs one body) and
prints the figures as JSON from its `done()` hook; every response that is not 2xx (a 204 empty
tile is fine) counts as an error, as do socket errors and timeouts.

Figures of a run: {"requests", "seconds", "rps", "p50_ms", "p90_ms", "p95_ms", "p99_ms",
"errors", "connections", "bytes_raw", "bytes_gzip"}.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
import time
import urllib.error
import urllib.request

from bench import STATE

WRK = shutil.which("wrk") or "/usr/bin/wrk"
TIMEOUT_S = 10  # a request slower than this counts as an error (wrk's --timeout)
MARK = "BENCHJSON "
SIZE_SAMPLES = 10  # URLs fetched once each to measure bytes raw and gzipped
PROBE_TIMEOUT_S = 120  # one request on an idle server, before any load
SIZE_BUDGET_S = 15.0  # ... but no longer than this (a slow server gets fewer samples)

LUA = r"""
local paths = {%(paths)s}
local method = "%(method)s"
local body = %(body)s
local headers = {["Accept-Encoding"] = "gzip"%(extra_headers)s}
local threads = {}
local counter = 0

function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  i = offset * 7
  bad = 0
end

function request()
  i = i %% #paths + 1
  return wrk.format(method, paths[i], headers, body)
end

function response(status, hdrs, resp_body)
  if status < 200 or status > 299 then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do
    b = b + t:get("bad")
  end
  local e = summary.errors
  io.write(string.format(
    '%(mark)s{"requests":%%d,"duration_us":%%d,"bytes":%%d,"bad_status":%%d,' ..
    '"connect":%%d,"read":%%d,"write":%%d,"timeout":%%d,' ..
    '"p50_us":%%d,"p90_us":%%d,"p95_us":%%d,"p99_us":%%d,"max_us":%%d,"mean_us":%%f}\n',
    summary.requests, summary.duration, summary.bytes, b,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean))
end
"""


def _lua_string(text: str) -> str:
    # A JSON string literal (UTF-8 kept as is) is a valid Lua string literal.
    return json.dumps(text, ensure_ascii=False)


def _script(paths: list[str], method: str, body: str | None, headers: dict) -> str:
    extra = "".join(f", [{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items())
    text = LUA % {
        "paths": ", ".join(_lua_string(p) for p in paths),
        "method": method,
        "body": _lua_string(body) if body is not None else "nil",
        "extra_headers": extra,
        "mark": MARK,
    }
    folder = STATE / "lua"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (hashlib.sha256(text.encode()).hexdigest()[:16] + ".lua")
    path.write_text(text)
    return str(path)


def _wrk(base_url: str, script: str, *, connections: int, duration: float) -> dict:
    threads = max(1, min(2, connections))
    seconds = max(1, round(duration))
    cmd = [
        WRK,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        f"--timeout={TIMEOUT_S}s",
        "--latency",
        "-s",
        script,
        base_url,
    ]
    out = subprocess.run(  # noqa: S603
        cmd, capture_output=True, text=True, timeout=seconds + TIMEOUT_S + 60
    )
    for line in out.stdout.splitlines():
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :])
    raise RuntimeError(f"wrk gave no figures (exit {out.returncode}): {out.stderr or out.stdout}")


def sizes(
    base_url: str,
    paths: list[str],
    *,
    method: str = "GET",
    body: str | None = None,
    headers: dict | None = None,
) -> tuple[int | None, int | None]:
    """Mean response size of the first few URLs: without and with Accept-Encoding: gzip (the
    second is what goes over the wire when the server compresses)."""
    raw, zipped = [], []
    deadline = time.monotonic() + SIZE_BUDGET_S
    for path in paths[:SIZE_SAMPLES]:
        if time.monotonic() > deadline:
            break
        for accept, sink in ((None, raw), ("gzip", zipped)):
            h = dict(headers or {})
            if accept:
                h["Accept-Encoding"] = accept
            req = urllib.request.Request(  # noqa: S310 (loopback)
                base_url + path,
                data=body.encode() if body is not None else None,
                headers=h,
                method=method,
            )
            try:
                with urllib.request.urlopen(req, timeout=TIMEOUT_S * 3) as r:  # noqa: S310
                    data = r.read()
                    if not accept and r.headers.get("Content-Encoding") == "gzip":
                        data = gzip.decompress(data)
                    sink.append(len(data))
            except (urllib.error.URLError, OSError):
                continue
    mean = lambda xs: round(sum(xs) / len(xs)) if xs else None  # noqa: E731
    return mean(raw), mean(zipped)


def _probe(
    base_url: str, path: str, *, method: str, body: str | None, headers: dict, timeout: float
) -> float:
    """Seconds for one request of `path` on an idle server; raises on an error or when it
    takes longer than PROBE_TIMEOUT_S."""
    req = urllib.request.Request(  # noqa: S310 (loopback)
        base_url + path,
        data=body.encode() if body is not None else None,
        headers={**headers, "Accept-Encoding": "gzip"},
        method=method,
    )
    started = time.monotonic()
    with urllib.request.urlopen(req, timeout=timeout) as r:  # noqa: S310
        r.read()
    return time.monotonic() - started


def run(
    base_url: str,
    paths: list[str],
    *,
    connections: int,
    duration: float,
    warmup: float | None = None,
    method: str = "GET",
    body: str | None = None,
    headers: dict | None = None,
    measure_sizes: bool = True,
    probe_timeout: float = PROBE_TIMEOUT_S,
) -> dict:
    """One request on the idle server (a probe), the sizes, a short warm-up, then a measured wrk
    run of `duration` seconds with `connections`. When the probe alone takes longer than
    wrk's timeout, a load would only count timeouts (and leave the server busy for minutes):
    the figures are then the probe's, marked "probe_only"."""
    headers = dict(headers or {})
    if body is not None:
        headers.setdefault("Content-Type", "application/json")
    try:
        probe = _probe(
            base_url, paths[0], method=method, body=body, headers=headers, timeout=probe_timeout
        )
    except (urllib.error.URLError, OSError) as e:
        return {"skipped": f"one request failed or took over {probe_timeout:.0f} s ({e})"}
    if probe > TIMEOUT_S:
        ms = round(probe * 1000, 1)
        return {
            "requests": 1,
            "seconds": round(probe, 2),
            "rps": round(1 / probe, 3),
            "p50_ms": ms,
            "p90_ms": ms,
            "p95_ms": ms,
            "p99_ms": ms,
            "max_ms": ms,
            "errors": 0,
            "timeouts": 0,
            "connections": 1,
            "bytes_raw": None,
            "bytes_gzip": None,
            "urls": 1,
            "probe_only": True,
        }
    bytes_raw = bytes_gzip = None
    if measure_sizes:
        bytes_raw, bytes_gzip = sizes(base_url, paths, method=method, body=body, headers=headers)
    script = _script(paths, method, body, headers)
    warmup = min(3.0, max(1.0, duration / 5)) if warmup is None else warmup
    if warmup > 0:
        _wrk(base_url, script, connections=connections, duration=warmup)
    raw = _wrk(base_url, script, connections=connections, duration=duration)
    seconds = raw["duration_us"] / 1e6
    socket_errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    return {
        "requests": raw["requests"],
        "seconds": round(seconds, 2),
        "rps": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p90_ms": round(raw["p90_us"] / 1000, 2),
        "p95_ms": round(raw["p95_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "errors": raw["bad_status"] + socket_errors,
        "timeouts": raw["timeout"],
        "connections": connections,
        "bytes_raw": bytes_raw,
        "bytes_gzip": bytes_gzip,
        "urls": len(paths),
    }


def fetch_all(base_url: str, paths: list[str], *, timeout: float = 60) -> int:
    """GET every path once (to fill a cache); returns how many answered 2xx."""
    ok = 0
    for path in paths:
        req = urllib.request.Request(base_url + path, headers={"Accept-Encoding": "gzip"})  # noqa: S310
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:  # noqa: S310
                r.read()
                ok += 200 <= r.status < 300
        except (urllib.error.URLError, OSError):
            continue
    return ok


def describe(figures: dict) -> str:
    """One line for the console."""
    if figures.get("probe_only"):
        return (
            f"one request took {figures['p50_ms']:.0f} ms, over wrk's {TIMEOUT_S} s timeout: "
            "no load run"
        )
    text = (
        f"{figures['rps']:>8.1f} req/s  p50 {figures['p50_ms']:>7.2f} ms  "
        f"p95 {figures['p95_ms']:>7.2f} ms  p99 {figures['p99_ms']:>7.2f} ms  "
        f"{figures['requests']} requests, {figures['errors']} errors, c={figures['connections']}"
    )
    if figures.get("bytes_raw") is not None:
        text += f", {figures['bytes_raw']} B raw / {figures['bytes_gzip']} B gzip"
    return text
