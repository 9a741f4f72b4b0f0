"""Template helpers available on every page."""

import json

from flask import request
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf

from . import clock
from .wilayah import LABELS, PLACEHOLDERS

# htmx settings that keep the CSP strict (no inline styles, no eval) and keep
# personal pages out of the browser's history cache.
HTMX_CONFIG = json.dumps({
    "includeIndicatorStyles": False,
    "allowEval": False,
    "allowScriptTags": False,
    "historyCacheSize": 0,
    "refreshOnHistoryMiss": True,
    "selfRequestsOnly": True,
    # Swap error answers too: a 422 carries the form with its messages, and
    # error pages retarget themselves (see errors.py).
    "responseHandling": [{"code": "204", "swap": False}, {"code": "...", "swap": True}],
})


def init_app(app):
    # The one way a page shows a stored (naive UTC) time: in Asia/Jakarta.
    app.add_template_filter(clock.show, "waktu")

    @app.context_processor
    def globals_():
        return {
            "htmx_config": HTMX_CONFIG,
            "csrf_header": lambda: json.dumps({"X-CSRFToken": generate_csrf()}),
            "lang": str(get_locale() or "id"),
            "wilayah_labels": LABELS,
            "wilayah_placeholders": PLACEHOLDERS,
            "current_path": request.full_path.rstrip("?") if request else "/",
        }
