"""A real Kannel SMS gateway for tests: bearerbox + smsbox from Debian's
`kannel` package, with Kannel's own `fakesmsc` as the SMSC (the operator's
side). Messages the app sends through `sendsms` are read where an operator
would receive them: at the SMSC.

Reusable: Gateway(folder, sms_service_url=...) also routes messages *from*
phones (MO) to an HTTP service, and `send_from_phone()` types one into
fakesmsc, for a feature that answers SMS (e.g. a lookup by SMS).

Logs are kept at warning level with an access log that has no message text
(as docs/kannel.md advises), so a test can check that no code reached them.
"""

import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass

BEARERBOX = "/usr/sbin/bearerbox"
SMSBOX = "/usr/sbin/smsbox"
FAKESMSC = "/usr/lib/kannel/test/fakesmsc"
USERNAME = "cekbansos"
PASSWORD = "uji-kannel-rahasia"


def available():
    return all(os.access(path, os.X_OK) for path in (BEARERBOX, SMSBOX, FAKESMSC))


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_port(port, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"Kannel port {port} did not open")


@dataclass
class Sms:
    sender: str
    receiver: str
    text: str
    parts: int = 1  # SMS parts that reached the SMSC for this message


def _decode(kind, data):
    if kind == "text":
        return data
    raw = urllib.parse.unquote_to_bytes(data.replace("+", " "))
    return raw.decode("utf-16-be") if kind == "ucs-2" else raw.decode("utf-8", errors="replace")


def parse_fake_line(line):
    """One 'Got message N: <sender receiver type data>' line of fakesmsc:
    (sender, receiver, text, concat) where concat is (reference, total,
    number) for a part of a long SMS, else None."""
    if "Got message" not in line or "<" not in line:
        return None
    body = line[line.index("<") + 1:line.rindex(">")]
    parts = body.split(" ", 3)
    if len(parts) < 4:
        return None
    sender, receiver, kind, data = parts
    concat = None
    if kind == "udh":
        udh, kind, data = data.split(" ", 2)
        header = urllib.parse.unquote_to_bytes(udh)
        if len(header) >= 6 and header[1] == 0:  # IEI 0: 8-bit reference, total, number
            concat = (header[3], header[4], header[5])
    return sender, receiver, _decode(kind, data), concat


class Gateway:
    """bearerbox + smsbox + fakesmsc on free loopback ports under `folder`."""

    def __init__(self, folder, sms_service_url=None, send_interval=1.0):
        """`send_interval`: seconds fakesmsc waits between messages from
        phones (its own default, 1 s; lower for a test or a benchmark)."""
        self.folder = str(folder)
        self.send_interval = send_interval
        os.makedirs(self.folder, exist_ok=True)
        self.admin_port, self.box_port = _free_port(), _free_port()
        self.smsc_port, self.sendsms_port = _free_port(), _free_port()
        self.sms_service_url = sms_service_url
        self.received = []
        self._lock = threading.Lock()
        self._sent = threading.Condition()
        self._sent_count = self._written = 0
        self._procs = []

    @property
    def sendsms_url(self):
        return f"http://127.0.0.1:{self.sendsms_port}/cgi-bin/sendsms"

    def app_config(self):
        """The settings an app needs to send through this gateway."""
        return {"SMS_KANNEL_URL": self.sendsms_url, "SMS_KANNEL_USERNAME": USERNAME,
                "SMS_KANNEL_PASSWORD": PASSWORD}

    def _path(self, name):
        return os.path.join(self.folder, name)

    def _config(self):
        service = ""
        if self.sms_service_url:
            # post-url: the text is the body and the sender a header, so no
            # URL (and no access log) holds a phone number or what it asked.
            service = (f'group = sms-service\nkeyword = default\npost-url = "{self.sms_service_url}"\n'
                       "send-sender = true\nmax-messages = 2\nconcatenation = true\nomit-empty = true\n")
        return f"""group = core
admin-port = {self.admin_port}
admin-password = {PASSWORD}
smsbox-port = {self.box_port}
box-allow-ip = 127.0.0.1
admin-allow-ip = 127.0.0.1
log-file = "{self._path('bearerbox.log')}"
log-level = 2
access-log = "{self._path('access.log')}"
access-log-format = "%t %l [SMSC:%i] [from:%p] [to:%P]"

group = smsc
smsc = fake
smsc-id = fake
port = {self.smsc_port}
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {self.box_port}
sendsms-port = {self.sendsms_port}
sendsms-interface = 127.0.0.1
log-file = "{self._path('smsbox.log')}"
log-level = 2

group = sendsms-user
username = {USERNAME}
password = {PASSWORD}
max-messages = 3
concatenation = true

{service}"""

    def start(self):
        conf = self._path("kannel.conf")
        with open(conf, "w") as handle:
            handle.write(self._config())
        self._spawn([BEARERBOX, "-v", "2", conf], "bearerbox.err")
        _wait_port(self.box_port)
        _wait_port(self.smsc_port)
        self._spawn([SMSBOX, "-v", "2", conf], "smsbox.err")
        _wait_port(self.sendsms_port)
        fake = subprocess.Popen([FAKESMSC, "-H", "127.0.0.1", "-r", str(self.smsc_port), "-m", "-1",
                                 "-i", str(self.send_interval)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, bufsize=1)
        self._procs.append(fake)
        self._fake = fake
        self._reader = threading.Thread(target=self._read, args=(fake.stdout,), daemon=True)
        self._reader.start()
        time.sleep(0.5)  # bearerbox marks the SMSC online once fakesmsc has connected
        return self

    def _spawn(self, args, err_name):
        with open(self._path(err_name), "w") as err:
            self._procs.append(subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err))

    def _read(self, stream):
        """Keeps every message that reached the SMSC, the parts of a long one
        joined as the phone would show it."""
        pending = {}
        with open(self._path("fakesmsc.out"), "w") as copy:
            for line in stream:
                copy.write(line)
                if "fakesmsc: sent message" in line:
                    with self._sent:
                        self._sent_count += 1
                        self._sent.notify_all()
                parsed = parse_fake_line(line)
                if parsed is None:
                    continue
                sender, receiver, text, concat = parsed
                count = 1
                if concat:
                    count = concat[1]
                    key = (sender, receiver, concat[0])
                    pending.setdefault(key, {})[concat[2]] = text
                    if len(pending[key]) < concat[1]:
                        continue
                    text = "".join(t for _n, t in sorted(pending.pop(key).items()))
                with self._lock:
                    self.received.append(Sms(sender, receiver, text, count))

    def wait_for(self, receiver, count=1, timeout=15.0):
        """The messages that reached the SMSC for `receiver` (digits only),
        once there are `count` of them; AssertionError after `timeout`."""
        end = time.monotonic() + timeout
        while True:
            with self._lock:
                found = [m for m in self.received if m.receiver == receiver]
            if len(found) >= count or time.monotonic() > end:
                break
            time.sleep(0.05)
        assert len(found) >= count, f"{len(found)} SMS for {receiver} at the SMSC, wanted {count}"
        return found

    def send_from_phone(self, sender, receiver, text, kind="text"):
        """An SMS from a phone (MO), delivered by bearerbox to smsbox and on to
        `sms_service_url`. Returns once fakesmsc has sent it on: fakesmsc
        reads its input through stdio but waits on the descriptor, so lines
        written at once would sit in its buffer until its 30 s timer."""
        self._fake.stdin.write(f"{sender} {receiver} {kind} {text}\n")
        self._fake.stdin.flush()
        self._written += 1
        with self._sent:
            if not self._sent.wait_for(lambda: self._sent_count >= self._written, timeout=40):
                raise AssertionError("fakesmsc did not send the SMS from the phone on")

    def send_long_from_phone(self, sender, receiver, text, reference=7):
        """A long SMS as a phone sends it: parts of 153 characters with a
        concatenation header, which bearerbox joins before smsbox sees it."""
        chunks = [text[i:i + 153] for i in range(0, len(text), 153)] or [""]
        for number, chunk in enumerate(chunks, 1):
            udh = urllib.parse.quote(bytes([5, 0, 3, reference, len(chunks), number]))
            self.send_from_phone(sender, receiver, f"{urllib.parse.quote_plus(chunk)}", kind=f"udh {udh}")

    def logs(self):
        """Everything Kannel wrote to its logs, for checks on what they hold."""
        out = []
        for name in ("bearerbox.log", "smsbox.log", "access.log", "bearerbox.err", "smsbox.err"):
            path = self._path(name)
            if os.path.exists(path):
                with open(path, errors="replace") as handle:
                    out.append(handle.read())
        return "\n".join(out)

    def stop(self):
        for proc in reversed(self._procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in reversed(self._procs):
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._reader.join(5)
        for stream in (self._fake.stdin, self._fake.stdout):
            stream.close()
        self._procs.clear()

    def clear(self):
        with self._lock:
            self.received.clear()


def missing_message():
    return ("Kannel is not installed (bearerbox, smsbox, fakesmsc): apt-get install kannel, "
            "or run `make test`, which installs it.")


def remove(folder):
    shutil.rmtree(folder, ignore_errors=True)
