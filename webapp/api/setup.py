"""Wires the API into an app: its settings, the OpenAPI document, the
routes (views.py registers them on bp) and the `flask petugas kunci-api` commands."""

from ..petugas.cli import petugas_group
from ..security import csrf
from . import api, bp, views
from .cli import api_key_group


def init_app(app):
    app.config.setdefault("API_TITLE", "Cek Bansos Lite API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {"description": "Lihat docs/api.md untuk contoh dengan curl."},
            "components": {
                "securitySchemes": {"KunciApi": {"type": "apiKey", "in": "header", "name": "X-API-Key"}}
            },
        },
    )
    # No cookie authority here: partners authenticate with a key, the public
    # with a captcha; so no CSRF token either.
    csrf.exempt(bp)
    csrf.exempt(views.pages)
    api.init_app(app)
    api.register_blueprint(bp)
    app.register_blueprint(views.pages)
    petugas_group.add_command(api_key_group)
