"""Default settings. Each can be overridden by instance/config.py, then by the
environment (FLASK_<NAME>), then by the test dict given to create_app()."""

from datetime import timedelta


class Defaults:
    # None means "use the SQLite file in instance/"; any playhouse.db_url URL works,
    # e.g. postgresql://user@127.0.0.1:5432/cekbansos.
    DATABASE_URL = None
    SQLITE_FILENAME = "cekbansos.sqlite3"

    # Rate-limit counters and used captcha nonces. None keeps them in this
    # process (counters) and in the database (nonces).
    REDIS_URL = None
    # Number of reverse proxies in front of the app whose X-Forwarded-For is
    # trusted. 0 means X-Forwarded-For is ignored entirely.
    TRUSTED_PROXY_COUNT = 0

    LOOKUP_RATE_LIMIT = "20 per minute;200 per hour"
    RATELIMIT_HEADERS_ENABLED = True

    CAPTCHA_TTL_SECONDS = 600
    # Spoken digits for the audio captcha (`flask captcha-voices`); None: instance/captcha-voices.
    CAPTCHA_VOICES_DIR = None
    CAPTCHA_LENGTH = 5
    # Fixes the captcha answer; honoured only when TESTING or DEBUG is on.
    CAPTCHA_TEST_ANSWER = None

    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    LANGUAGES = ("id", "en")

    WTF_CSRF_TIME_LIMIT = 4 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Switch on when served over HTTPS (cookies Secure, HSTS header).
    HTTPS = False
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)

    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    COMPRESS_MIMETYPES = [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "image/svg+xml",
    ]
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_MIN_SIZE = 500
    SEND_FILE_MAX_AGE_DEFAULT = 3600

    # Accounts (webapp.akun): per-client limits on top of the per-account lock.
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    REGISTER_RATE_LIMIT = "10 per minute;30 per hour"
    CODE_RATE_LIMIT = "10 per minute;40 per hour"
