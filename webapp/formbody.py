"""Form bodies with bytes that are not UTF-8.

Werkzeug drops a whole urlencoded body whose raw bytes are not UTF-8 (a raw
0xFF), so every field, the CSRF token included, went missing and the person
was told the page had been open too long, with what they typed lost. Here
the body is decoded field by field: an unreadable byte, raw or written as
%FF, becomes U+FFFD, every other field arrives as sent, and the `readable`
filter of webapp/forms.py tells the person which field holds a letter that
could not be read. A refused form of such a request answers 400."""

from urllib.parse import parse_qsl

from flask import request
from werkzeug.formparser import FormDataParser

UNREADABLE = "\ufffd"
_FLAG = "webapp.unreadable_bytes"


class _Parser(FormDataParser):
    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        raw = stream.read()
        text = raw.decode("utf-8", "replace")
        items = parse_qsl(text, keep_blank_values=True, errors="replace")
        if any(UNREADABLE in key or UNREADABLE in value for key, value in items) and request:
            request.environ[_FLAG] = True
        return stream, self.cls(items), self.cls()


def init_app(app):
    """After Htmx(app), which sets its own request class: this extends it."""
    app.request_class = type("FormRequest", (app.request_class,), {"form_data_parser_class": _Parser})

    @app.after_request
    def unreadable_is_a_bad_request(response):
        if response.status_code == 422 and request.environ.get(_FLAG):
            response.status_code = 400
        return response
