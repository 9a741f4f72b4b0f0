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
