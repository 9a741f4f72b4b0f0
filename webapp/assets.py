"""Static files: fingerprinted URLs so they can be cached for a year, and
htmx served from the pinned package it was installed with."""

import gzip
import hashlib
import os
import struct
import zlib
from functools import lru_cache

import brotli
import js_lib_htmx
import rcssmin
import rjsmin
import zopfli.gzip
import zopfli.zopfli
from flask import Blueprint, request

HTMX_DIR = os.path.join(os.path.dirname(js_lib_htmx.__file__), "static", "htmx")

vendor = Blueprint("vendor", __name__, static_folder=HTMX_DIR, static_url_path="/static/vendor/htmx")

_ONE_YEAR = 365 * 24 * 3600


def _digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:10]


def init_app(app):
    app.register_blueprint(vendor)
    folders = {"static": app.static_folder, "vendor.static": HTMX_DIR}
    digests = {}

    def digest_of(endpoint, filename):
        key = (endpoint, filename)
        if key not in digests or app.debug:
            path = os.path.join(folders[endpoint], filename)
            digests[key] = _digest(path) if os.path.isfile(path) else None
        return digests[key]

    @app.url_defaults
    def fingerprint(endpoint, values):
        if endpoint not in folders or "filename" not in values or "v" in values:
            return
        digest = digest_of(endpoint, values["filename"])
        if digest:
            values["v"] = digest

    @app.after_request
    def static_headers(response):
        if request.endpoint not in folders or response.status_code != 200:
            return response
        asked = request.args.get("v")
        if asked and asked == digest_of(request.endpoint, request.view_args["filename"]):
            response.cache_control.public = True
            response.cache_control.max_age = _ONE_YEAR
            response.cache_control.immutable = True
        elif asked:
            # A version this host does not have (a rolling deploy: a page from
            # a newer host, these bytes from an older one, or the reverse):
            # the bytes go out, but no cache keeps them under that URL.
            response.cache_control.no_store = True
            response.cache_control.public = False
            response.cache_control.max_age = None
            response.expires = None
        algorithm = accepted_encoding()
        path = os.path.join(folders[request.endpoint], request.view_args["filename"])
        if path.endswith(_COMPRESSIBLE) and os.path.isfile(path):
            body = _served(path, os.path.getmtime(path), algorithm)
            response.close()  # the file send_file opened
            response.direct_passthrough = False
            response.set_data(body)
            if algorithm:
                response.headers["Content-Encoding"] = algorithm
        response.vary.add("Accept-Encoding")
        return response


_COMPRESSIBLE = (".js", ".css", ".svg")
# Our own scripts and stylesheets are written to be read (comments say why
# each part is there) and sent without what only a reader needs: rjsmin and
# rcssmin drop comments and spare whitespace and change nothing else (no
# renaming, no reordering), so the browser runs exactly the code in static/.
# app.js goes from 4.9 to 2.9 KB gzip and app.css from 3.8 to 2.9 KB, on every
# new visitor's first page. htmx comes minified already.
_MINIFY = {".js": rjsmin.jsmin, ".css": rcssmin.cssmin}


def accepted_encoding():
    """"br", "gzip" or None: what this request's client takes, brotli first."""
    accepted = request.accept_encodings
    return "br" if accepted["br"] else "gzip" if accepted["gzip"] else None


# A gzip member's header: deflate, no name, no time, unknown system.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


class FixedTail:
    """The end of a page that is the same for every visitor (after the last
    value filled in per request), compressed once, as hard as zopfli can:
    the deflate blocks of its own stream (zlib's two-byte header and its
    checksum taken off), the last of them marked last. gzip_with_tail()
    joins it to the head a request compresses."""

    def __init__(self, text: bytes):
        self.text = text
        self.deflated = zopfli.zopfli.compress(text, numiterations=5)[2:-4]
        self.crc = zlib.crc32(text)


def gzip_with_tail(head: bytes, tail: FixedTail, level: int) -> bytes:
    """gzip of `head` + `tail.text` at the cost of compressing the head
    alone. The head's deflate stream is flushed to a byte boundary without a
    last block (Z_SYNC_FLUSH), so the tail's blocks follow it as they are:
    they refer to nothing before their start, and an inflater reads them on
    from there. The trailer's CRC covers both (zlib's crc32_combine is not
    in Python's zlib: the tail's bytes are summed again, ~5 µs for 30 KB)."""
    packer = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = packer.compress(head) + packer.flush(zlib.Z_SYNC_FLUSH)
    crc = zlib.crc32(tail.text, zlib.crc32(head))
    size = (len(head) + len(tail.text)) & 0xFFFFFFFF
    return b"".join((_GZIP_HEADER, body, tail.deflated, struct.pack("<II", crc, size)))


def compress(data: bytes, algorithm) -> bytes:
    """At the highest level: for bodies compressed once and served many times."""
    return brotli.compress(data, quality=11) if algorithm == "br" else gzip.compress(data, 9)


def minified(path, data: bytes) -> bytes:
    """`data`, the bytes of static file `path`, as sent: minified when it is
    one of our scripts or stylesheets (_MINIFY), as it is otherwise."""
    minify = _MINIFY.get(os.path.splitext(path)[1])
    if minify is None or path.startswith(HTMX_DIR + os.sep):
        return data
    return minify(data.decode("utf-8")).encode("utf-8")


@lru_cache(maxsize=96)
def _served(path, _mtime, algorithm):
    """Each static file as sent, minified and compressed with `algorithm`
    (None: not compressed) once per process (the mtime in the key drops a
    stale copy after a deploy)."""
    with open(path, "rb") as f:
        data = minified(path, f.read())
    if algorithm is None:
        return data
    if algorithm == "gzip":
        # Zopfli writes ordinary gzip that every browser reads, 3–4 % smaller
        # than zlib's level 9 (htmx: 15.7 KB, not 16.2), at ~0.1 s per file
        # once per process: worth it for files sent to every new visitor,
        # not for the region fragments (compress() above).
        return zopfli.gzip.compress(data)
    return compress(data, algorithm)
