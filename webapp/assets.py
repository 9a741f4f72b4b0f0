"""Static files: fingerprinted URLs so they can be cached for a year, and
htmx served from the pinned package it was installed with."""

import gzip
import hashlib
import os
from functools import lru_cache

import brotli
import js_lib_htmx
import zopfli.gzip
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
        if algorithm and path.endswith(_COMPRESSIBLE) and os.path.isfile(path):
            body = _compressed(path, os.path.getmtime(path), algorithm)
            response.close()  # the file send_file opened
            response.direct_passthrough = False
            response.set_data(body)
            response.headers["Content-Encoding"] = algorithm
        response.vary.add("Accept-Encoding")
        return response


_COMPRESSIBLE = (".js", ".css", ".svg")


def accepted_encoding():
    """"br", "gzip" or None: what this request's client takes, brotli first."""
    accepted = request.accept_encodings
    return "br" if accepted["br"] else "gzip" if accepted["gzip"] else None


def compress(data: bytes, algorithm) -> bytes:
    """At the highest level: for bodies compressed once and served many times."""
    return brotli.compress(data, quality=11) if algorithm == "br" else gzip.compress(data, 9)


@lru_cache(maxsize=64)
def _compressed(path, _mtime, algorithm):
    """Each static file is compressed once per process (the mtime in the key
    drops a stale copy after a deploy)."""
    with open(path, "rb") as f:
        data = f.read()
    if algorithm == "gzip":
        # Zopfli writes ordinary gzip that every browser reads, 3–4 % smaller
        # than zlib's level 9 (htmx: 15.7 KB, not 16.2), at ~0.1 s per file
        # once per process: worth it for files sent to every new visitor,
        # not for the region fragments (compress() above).
        return zopfli.gzip.compress(data)
    return compress(data, algorithm)
