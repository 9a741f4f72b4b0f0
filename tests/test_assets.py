"""Static files as sent (minified, compressed once) and pages compressed
around a fixed tail (webapp.assets)."""

import gzip
import os
import random
import re
import subprocess

import pytest
import rjsmin

from webapp.assets import HTMX_DIR, FixedTail, gzip_with_tail


def _asset(client, name):
    html = client.get("/").get_data(as_text=True)
    return re.search(rf'"(/static/[^"]*{re.escape(name)}\?v=[0-9a-f]+)"', html).group(1)


@pytest.mark.parametrize("head_size, tail_size", [(0, 0), (0, 3000), (1, 1), (12000, 0), (12000, 40000)])
def test_a_head_compressed_now_and_a_tail_compressed_once_read_as_one_gzip(head_size, tail_size):
    """What any inflater reads: Python's zlib and the gzip program both give
    back head + tail, whatever either holds (markup, bytes that do not
    compress, nothing)."""
    rng = random.Random(head_size * 7 + tail_size)
    words = [b"<option value=", b'"32.76">', b"Kota Depok", b"</option>", bytes([rng.randrange(256)])]
    head = b"".join(rng.choice(words) for _ in range(head_size // 8))[:head_size]
    tail = b"".join(rng.choice(words) for _ in range(tail_size // 8)) + rng.randbytes(tail_size // 10)
    joined = gzip_with_tail(head, FixedTail(tail), 5)
    assert gzip.decompress(joined) == head + tail
    read = subprocess.run(["gzip", "-dc"], input=joined, capture_output=True, check=True).stdout
    assert read == head + tail


def test_the_lookup_page_compresses_its_head_only_and_reads_whole(client):
    """The page a visit opens with, gzip: the same page as sent plainly (but
    its per-visitor tokens and image), its kabupaten lists at the end."""
    plain = client.get("/", headers={"Accept-Encoding": "identity"})
    packed = client.get("/", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert plain.headers.get("Content-Encoding") is None
    read = gzip.decompress(packed.get_data()).decode()

    def fixed(html):  # what differs from one visitor to the next
        varying = r'(value|content)="[A-Za-z0-9_.\-]{40,}"|data:image/png;base64,[^"]+|/captcha/flat\?\d+'
        return re.sub(varying, "·", html.replace("&#34;", '"'))

    assert fixed(read) == fixed(plain.get_data(as_text=True))
    assert read.rstrip().endswith("</script>\n</body>\n</html>") and 'id="kabupaten-daftar"' in read
    assert len(packed.get_data()) < len(plain.get_data()) / 3


@pytest.mark.parametrize("name", ["app.js", "app.css"])
@pytest.mark.parametrize("encoding", ["identity", "gzip", "br"])
def test_our_scripts_and_styles_are_sent_minified(client, name, encoding):
    """Comments and spare whitespace dropped, in every encoding; still
    fingerprinted and kept for a year."""
    with client.get(_asset(client, name), headers={"Accept-Encoding": encoding}) as response:
        assert response.status_code == 200 and "immutable" in response.headers["Cache-Control"]
        body = response.get_data()
    if encoding == "gzip":
        body = gzip.decompress(body)
    elif encoding == "br":
        import brotli

        body = brotli.decompress(body)
    with open(os.path.join(client.application.static_folder, name), "rb") as f:
        source = f.read()
    assert len(body) < 0.8 * len(source)
    text = body.decode()
    assert "/*" not in text and "\n  //" not in text
    if name == "app.js":
        assert text == rjsmin.jsmin(source.decode())


def test_htmx_is_sent_as_the_package_has_it(client):
    with client.get(_asset(client, "htmx.min.js"), headers={"Accept-Encoding": "identity"}) as response:
        body = response.get_data()
    with open(os.path.join(HTMX_DIR, "htmx.min.js"), "rb") as f:
        assert body == f.read()
