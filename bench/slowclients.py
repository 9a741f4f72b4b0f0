"""Slow and idle clients (issue 14, item 3): holds IDLE connections that
send nothing and SLOW uploads that trickle a multipart body at RATE bytes/s,
and meanwhile times normal GET requests. Loopback only, bounded in count and
time.

    .venv/bin/python -m bench.slowclients http://127.0.0.1:8000 --idle 1000 --slow 16 --seconds 12

Prints the normal requests' median, worst and how many took over 1 s or
failed (the figures in docs/benchmarks.md).
"""

import argparse
import socket
import statistics
import threading
import time
import urllib.request
from urllib.parse import urlsplit

BOUNDARY = "----cekbansosslow"


def _address(base):
    parts = urlsplit(base)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("load tests run against loopback only")
    return parts.hostname, parts.port or 80


def hold_idle(base, count):
    """Opens `count` connections that never send a byte."""
    host, port = _address(base)
    sockets = []
    for _ in range(count):
        s = socket.create_connection((host, port), timeout=5)
        sockets.append(s)
    return sockets


def slow_upload(base, seconds, rate, stop):
    """One phone sending a photo at `rate` bytes/s for up to `seconds`."""
    host, port = _address(base)
    body_len = int(rate * seconds * 2)  # more than it will send in time
    head = (f"POST /akun/foto/ktp HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
            f"Content-Length: {body_len}\r\n\r\n").encode()
    try:
        with socket.create_connection((host, port), timeout=10) as s:
            s.sendall(head)
            chunk = b"x" * max(1, rate // 10)
            end = time.monotonic() + seconds
            while time.monotonic() < end and not stop.is_set():
                s.sendall(chunk)
                time.sleep(0.1)
    except OSError:
        pass


def time_requests(base, seconds, path="/"):
    """Sequential GETs for `seconds`; returns (latencies, failures)."""
    latencies, failures = [], 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.monotonic()
        try:
            with urllib.request.urlopen(base + path, timeout=10) as response:  # noqa: S310 - loopback http
                response.read()
                ok = response.status == 200
        except OSError:
            ok = False
        took = time.monotonic() - start
        if ok:
            latencies.append(took)
        else:
            failures += 1
        time.sleep(max(0.0, 0.25 - took))
    return latencies, failures


def run(base, idle=1000, slow=16, seconds=12.0, rate=20_000):
    """The whole load; returns a dict of figures."""
    idle_sockets = hold_idle(base, idle)
    stop = threading.Event()
    uploads = [threading.Thread(target=slow_upload, args=(base, seconds + 2, rate, stop), daemon=True)
               for _ in range(slow)]
    try:
        for t in uploads:
            t.start()
        time.sleep(1.0)  # let every connection be accepted and the uploads start
        latencies, failures = time_requests(base, seconds)
    finally:
        stop.set()
        for t in uploads:
            t.join(5)
        for s in idle_sockets:
            s.close()
    return {"requests": len(latencies) + failures, "failures": failures,
            "median_s": statistics.median(latencies) if latencies else None,
            "max_s": max(latencies) if latencies else None,
            "over_1s": sum(1 for x in latencies if x > 1.0)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--slow", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--rate", type=int, default=20_000)
    args = parser.parse_args()
    if not (0 <= args.idle <= 2000 and 0 <= args.slow <= 64 and 0 < args.seconds <= 120):
        raise SystemExit("bounded: --idle <= 2000, --slow <= 64, --seconds <= 120")
    figures = run(args.base, args.idle, args.slow, args.seconds, args.rate)
    print(f"{args.idle} idle + {args.slow} slow uploads: {figures['requests']} GET / — median "
          f"{figures['median_s'] or 0:.3f} s, worst {figures['max_s'] or 0:.3f} s, "
          f"{figures['over_1s']} over 1 s, {figures['failures']} failed")


if __name__ == "__main__":
    main()
