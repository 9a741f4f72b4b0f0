"""The endpoint Kannel's sms-service calls (post-url): the SMS text is the
body, the sender in X-Kannel-From; the reply is the response body, which
Kannel sends back to that phone. Only from SMS_GATEWAY_ADDRESSES, and only
with the shared secret SMS_SERVICE_SECRET as the HTTP Basic password (in
Kannel's post-url: http://kannel:SECRET@host/sms/masuk). Without the secret
set the endpoint does not exist (404)."""

import hmac
import logging

from flask import Response, abort, current_app, request

from ..security import csrf
from . import bp, services

log = logging.getLogger(__name__)


def _allowed():
    config = current_app.config
    secret = config.get("SMS_SERVICE_SECRET")
    if not secret:
        abort(404)
    if request.remote_addr not in config["SMS_GATEWAY_ADDRESSES"]:
        log.warning("sms lookup refused: not from a configured gateway address")
        abort(403)
    given = (request.authorization.password or "") if request.authorization else ""
    if not hmac.compare_digest(given.encode(), secret.encode()):
        log.warning("sms lookup refused: wrong or missing secret")
        abort(401)


def _text():
    """The SMS text: Kannel gives its charset (UTF-8, or UTF-16BE for UCS-2)."""
    charset = request.mimetype_params.get("charset", "utf-8")
    try:
        return request.get_data(cache=False)[:4000].decode(charset, errors="replace")
    except LookupError:
        return request.get_data(cache=False)[:4000].decode("utf-8", errors="replace")


@bp.post("/masuk")
@csrf.exempt
def masuk():
    _allowed()
    number = request.headers.get("X-Kannel-From", "")[:32]
    if not any(ch.isdigit() for ch in number):
        return Response("", status=400, mimetype="text/plain")
    outcome, reply = services.answer(number, _text())
    log.info("sms lookup outcome=%s", outcome)
    return Response(reply, mimetype="text/plain", content_type="text/plain; charset=utf-8")
