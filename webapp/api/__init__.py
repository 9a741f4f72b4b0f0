"""/api/v1: a versioned JSON API for partner systems, its OpenAPI document
generated from the code by flask-smorest (marshmallow schemas on plain Flask
blueprints). Errors are JSON {code, message} in Bahasa Indonesia."""

from flask_smorest import Api as _SmorestApi
from flask_smorest import Blueprint

from .schemas import Error

bp = Blueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="Wilayah, Cek Bansos, status usulan dan data untuk sistem mitra.",
)


class Api(_SmorestApi):
    """flask-smorest without its app-wide JSON error handler: our pages keep
    their HTML error pages; the API blueprint answers its own errors."""

    ERROR_SCHEMA = Error

    def _register_error_handlers(self):
        pass


api = Api()


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
    from ..petugas.cli import petugas_group
    from ..security import csrf
    from . import views  # noqa: F401 - the routes register on bp
    from .cli import api_key_group

    # No cookie authority here: partners authenticate with a key, the public
    # with a captcha; so no CSRF token either.
    csrf.exempt(bp)
    csrf.exempt(views.pages)
    api.init_app(app)
    api.register_blueprint(bp)
    app.register_blueprint(views.pages)
    petugas_group.add_command(api_key_group)
