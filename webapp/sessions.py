"""Flask's signed-cookie sessions, with a worker's memory of the cookies it
has already checked.

A visit sends the same session cookie with each request after the page (the
region fragments, the search), and Flask checks its signature and age and
decodes it afresh every time: a new serializer, two HMACs, base64, ~40 µs
in one process and three times that inside a busy worker. Each worker keeps
the cookies whose signature it has checked (at most 4,096, then it starts
again) with the time they were signed and their JSON, so a cookie seen
before is only read again: still refused once older than the session's
lifetime, and each request gets a fresh session object of its own. A cookie
the worker set itself is known from the moment it signs it (the page that
starts a visit sets it). A cookie not seen before, or a forged one, goes
through Flask's own check."""

import time

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

from .kept import Kept
from .signing import ShortValueSerializer


class _IssuingSerializer(ShortValueSerializer):
    """The session cookie's serializer (Flask's salt, key derivation and SHA-1
    digest). A cookie this worker signs is kept as checked at once: the page
    that starts a visit sets the cookie, and the visit's next requests that
    come back to the same worker are not checked again. Without this, each
    visitor's new cookie was checked in full on its first request to every
    worker (~0.5 ms of a worker's CPU, bench/visit.py)."""

    def __init__(self, *args, checked, **kwargs):
        super().__init__(*args, **kwargs)
        self._checked = checked

    def dumps(self, obj, salt=None):
        # The signer stamps this second or the next: the age read from the
        # kept entry is never less than the cookie's own.
        signed_at = int(time.time())
        json = self.serializer.dumps(obj)  # once, for the cookie and for the kept entry
        value = self.make_signer(salt).sign(self.payload_of(json)).decode("utf-8")
        self._checked.keep(value, (signed_at, json))
        return value


class CheckedCookieSessions(SecureCookieSessionInterface):
    def __init__(self):
        # cookie value -> (signed at, seconds since the epoch; the session as JSON)
        self._checked = Kept(4096)
        self._serializers = {}  # the keys -> their serializer (Flask makes one a request)

    def get_signing_serializer(self, app):
        """Flask's serializer for the cookie (the same keys, salt and digest),
        made once per set of keys, signing a short session without itsdangerous'
        zlib attempt (webapp.signing)."""
        if not app.secret_key:
            return None
        keys = (*(app.config.get("SECRET_KEY_FALLBACKS") or ()), app.secret_key)
        found = self._serializers.get(keys)
        if found is None:
            found = self._serializers[keys] = _IssuingSerializer(
                list(keys), salt=self.salt, serializer=self.serializer,
                signer_kwargs={"key_derivation": self.key_derivation}, checked=self._checked)
        return found

    def open_session(self, app, request):
        value = request.cookies.get(self.get_cookie_name(app))
        if not value or not app.secret_key:
            return super().open_session(app, request)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        checked = self._checked.get(value)
        if checked is not None:
            signed_at, payload = checked
            if 0 <= time.time() - signed_at <= max_age:
                return self.session_class(self.serializer.loads(payload))
            self._checked.pop(value, None)
        try:
            data, signed = self.get_signing_serializer(app).loads(value, max_age=max_age,
                                                                  return_timestamp=True)
        except BadSignature:
            return self.session_class()
        self._checked.keep(value, (signed.timestamp(), self.serializer.dumps(data)))
        return self.session_class(data)
