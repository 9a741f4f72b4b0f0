"""The real Cek Bansos site's public contract, served for existing clients
(region scrapers, WhatsApp bots, desa NIK checkers) as a thin face over our
own services: lookup, captcha, regions, rate limits and masking. See
docs/api.md for the routes and the public clients whose requests the tests
replay."""

from flask import Blueprint

bp = Blueprint("kompat", __name__)
