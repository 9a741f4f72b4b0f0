"""Static files: fingerprinted URLs so they can be cached for a year, and
htmx served from the pinned package it was installed with."""

import hashlib
import os

import js_lib_htmx
from flask import Blueprint

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

    @app.url_defaults
    def fingerprint(endpoint, values):
        if endpoint not in folders or "filename" not in values or "v" in values:
            return
        key = (endpoint, values["filename"])
        if key not in digests or app.debug:
            path = os.path.join(folders[endpoint], values["filename"])
            digests[key] = _digest(path) if os.path.isfile(path) else None
        if digests[key]:
            values["v"] = digests[key]

    @app.after_request
    def cache_fingerprinted(response):
        from flask import request

        if request.endpoint in folders and request.args.get("v") and response.status_code == 200:
            response.cache_control.public = True
            response.cache_control.max_age = _ONE_YEAR
            response.cache_control.immutable = True
        return response
