"""Signed, URL-safe values (itsdangerous) for the short things the app signs
per request: the session cookie and the captcha tokens.

itsdangerous tries zlib on every payload it signs and keeps the result when
it is shorter. A token of a few dozen bytes of random hex never comes out
shorter, but the attempt (a compressor set up and torn down) was a third of
signing one (~16 µs against ~11 µs without it, in one process), three times
in each lookup visit. Payloads shorter than SHORT bytes are signed as they
are: for random tokens what comes out is what itsdangerous writes, and every
value it wrote, compressed or not, still reads."""

import hashlib

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode, want_bytes

SHORT = 128


class _KeptKeySigner(TimestampSigner):
    """itsdangerous' timestamp signer, deriving each secret key's signing key
    once (it derives it again, an extra hash or HMAC, for every signature it
    makes or checks)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._derived = {}

    def derive_key(self, secret_key=None):
        secret = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
        key = self._derived.get(secret)
        if key is None:
            key = self._derived[secret] = super().derive_key(secret)
        return key


class ShortValueSerializer(URLSafeTimedSerializer):
    """SHA-1 HMACs as itsdangerous and Flask sign them, computed in C: their
    default digest is a Python function wrapping hashlib.sha1 (so that a FIPS
    build without SHA-1 fails only when used), and the hmac module falls back
    to its pure-Python HMAC for anything that is not one of hashlib's own
    constructors (two of them a signature, each ~5 µs more). The signatures
    are the same bytes, so every value signed before still reads."""

    def __init__(self, *args, signer_kwargs=None, **kwargs):
        signer_kwargs = dict(signer_kwargs or {})
        signer_kwargs["digest_method"] = hashlib.sha1
        kwargs.setdefault("signer", _KeptKeySigner)
        super().__init__(*args, signer_kwargs=signer_kwargs, **kwargs)
        self._signers = {}

    def make_signer(self, salt=None):
        """One signer per salt, made once (itsdangerous makes one for every
        value it signs or checks); a signer holds only its keys and settings."""
        salt = self.salt if salt is None else salt
        key = (salt, self.signer)
        signer = self._signers.get(key)
        if signer is None:
            signer = self._signers[key] = super().make_signer(salt)
        return signer

    def dump_payload(self, obj) -> bytes:
        return self.payload_of(self.serializer.dumps(obj, **self.serializer_kwargs))

    def payload_of(self, json) -> bytes:
        """The signed part of a value whose JSON is `json`: base64 of it when
        short, else what itsdangerous makes of it (zlib when that is shorter)."""
        json = json.encode("utf-8") if isinstance(json, str) else json
        if len(json) < SHORT:
            return base64_encode(json)
        return super().dump_payload(self.serializer.loads(json))
