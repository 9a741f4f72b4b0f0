"""Two app hosts on one machine for tests/test_two_hosts.py: each in its own
network namespace joined to this one by a veth pair (root only), or — where
namespaces cannot be made — on its own loopback address. Also a small TCP
forwarder, so a host in a namespace reaches PostgreSQL, Redis and SMTP that
listen on this namespace's 127.0.0.1 only."""

import os
import select
import socket
import socketserver
import subprocess
import threading
from dataclasses import dataclass


@dataclass
class Place:
    """Where one host runs: `address` it listens on, `gateway` the address of
    this namespace it reaches the shared services at, `netns` (None: the
    loopback fallback) and the command prefix that runs inside it."""

    address: str
    gateway: str
    netns: str | None

    def command(self, argv):
        return ["ip", "netns", "exec", self.netns, *argv] if self.netns else list(argv)


def _ip(*args, netns=None):
    prefix = ["ip", "netns", "exec", netns, "ip"] if netns else ["ip"]
    subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=10)


def make_places(count=2):
    """`count` Places in namespaces (10.218.<n>.0/24, n from this pid), or on
    127.0.0.<2+i> when `ip netns` is not allowed; and a cleanup function."""
    base = 10 + os.getpid() % 200
    made = []

    def cleanup():
        for name in made:
            subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=10)
            subprocess.run(["ip", "link", "del", f"{name}-h"], capture_output=True, timeout=10)

    try:
        places = []
        for i in range(count):
            name, net = f"cb{os.getpid() % 100000}h{i + 1}", f"10.218.{base + i}"
            subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True, timeout=10)
            made.append(name)
            _ip("link", "add", f"{name}-h", "type", "veth", "peer", "name", f"{name}-n")
            _ip("link", "set", f"{name}-n", "netns", name)
            _ip("addr", "add", f"{net}.1/24", "dev", f"{name}-h")
            _ip("link", "set", f"{name}-h", "up")
            _ip("addr", "add", f"{net}.2/24", "dev", f"{name}-n", netns=name)
            _ip("link", "set", f"{name}-n", "up", netns=name)
            _ip("link", "set", "lo", "up", netns=name)
            places.append(Place(f"{net}.2", f"{net}.1", name))
        return places, cleanup
    except (OSError, subprocess.SubprocessError):
        cleanup()
        made.clear()
        return [Place(f"127.0.0.{2 + i}", "127.0.0.1", None) for i in range(count)], cleanup


class _Pipe(socketserver.BaseRequestHandler):
    def handle(self):
        try:
            upstream = socket.create_connection(("127.0.0.1", self.server.target_port), timeout=10)
        except OSError:
            return
        upstream.settimeout(None)
        ends = [self.request, upstream]
        try:
            while True:
                ready, _w, _x = select.select(ends, [], [], 60)
                if not ready:
                    return
                for end in ready:
                    data = end.recv(65536)
                    if not data:
                        return
                    (upstream if end is self.request else self.request).sendall(data)
        except OSError:
            return
        finally:
            upstream.close()


class _Forwarder(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def forward(address, port, target_port):
    """Listens on address:port and passes each connection to
    127.0.0.1:target_port; returns the server (call .shutdown())."""
    server = _Forwarder((address, port), _Pipe)
    server.target_port = target_port
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
