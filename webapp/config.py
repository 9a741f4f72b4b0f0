"""Default settings. Each can be overridden by instance/config.py, then by the
environment (FLASK_<NAME>), then by the test dict given to create_app()."""

from datetime import timedelta


class Defaults:
    # None means "use the SQLite file in instance/"; any playhouse.db_url URL works,
    # e.g. postgresql://user@127.0.0.1:5432/cekbansos.
    DATABASE_URL = None
    SQLITE_FILENAME = "cekbansos.sqlite3"
    # Connections each worker process keeps open at most (one per busy
    # thread), and how long an idle one is kept. Per host on PostgreSQL:
    # workers x this, plus the consumer's; see README "Several hosts".
    DATABASE_POOL_SIZE = 8
    DATABASE_POOL_STALE_SECONDS = 300
    # PostgreSQL: a pooled connection given back less than this long ago is
    # handed out again without a round trip to check it (webapp.db.PooledPostgres).
    DATABASE_ALIVE_WITHOUT_CHECK_SECONDS = 0.5
    # Set when DATABASE_URL points at PgBouncer in transaction mode: no
    # server-side prepared statements (webapp.db.database_for).
    DATABASE_PGBOUNCER = False

    # Rate-limit counters and used captcha nonces. None keeps them in this
    # process (counters) and in the database (nonces).
    REDIS_URL = None
    # Number of reverse proxies in front of the app whose X-Forwarded-For is
    # trusted. 0 means X-Forwarded-For is ignored entirely.
    TRUSTED_PROXY_COUNT = 0

    LOOKUP_RATE_LIMIT = "20 per minute;200 per hour"
    RATELIMIT_HEADERS_ENABLED = True

    CAPTCHA_TTL_SECONDS = 600
    # How often a worker compares its in-memory caches (regions) with their
    # versions in the database: a change on any host shows within this time.
    CACHE_CHECK_SECONDS = 2
    # Spoken digits for the audio captcha (`flask captcha-voices`); None: instance/captcha-voices.
    CAPTCHA_VOICES_DIR = None
    CAPTCHA_LENGTH = 5
    # Fixes the captcha answer; honoured only when TESTING or DEBUG is on.
    CAPTCHA_TEST_ANSWER = None
    # The audio clip speaks digits only: its fixed answer when CAPTCHA_TEST_ANSWER has letters.
    CAPTCHA_TEST_AUDIO_ANSWER = "13579"

    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    LANGUAGES = ("id", "en")

    WTF_CSRF_TIME_LIMIT = 4 * 3600
    # Every message a person reads comes from our own checks (webapp.forms)
    # in our catalogue. WTForms' own catalogue has no Indonesian, and with it
    # on, Flask-WTF read its translation files from disk for every form of
    # every request (a hidden field's default label alone asks for them).
    WTF_I18N_ENABLED = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Switch on when served over HTTPS (cookies Secure, HSTS header).
    HTTPS = False
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    # A signed-in session ends after this long without a request (None: never);
    # the page warns SESSION_IDLE_WARNING_SECONDS before (at least 20 s).
    SESSION_IDLE_SECONDS = 30 * 60
    SESSION_IDLE_WARNING_SECONDS = 120

    # Kiosk mode (webapp/kiosk.py) for a shared device: every session, signed
    # in or not, ends after KIOSK_IDLE_SECONDS without a request, with a
    # warning KIOSK_WARNING_SECONDS before (at least 20 s, else no start).
    # Officers can also switch one device on at /kiosk.
    KIOSK_MODE = False
    KIOSK_IDLE_SECONDS = 180
    KIOSK_WARNING_SECONDS = 30

    MAX_CONTENT_LENGTH = 8 * 1024 * 1024

    # Retention (flask purge), in days.
    RETENTION_DRAFT_DAYS = 90
    RETENTION_UNVERIFIED_DAYS = 7
    RETENTION_CLOSED_DOCS_DAYS = 180
    # The SMS lookup log (webapp.sms: HMACs and outcomes); the limits need 24 h,
    # the officers' page shows 14 days.
    RETENTION_SMS_LOOKUP_DAYS = 30
    COMPRESS_MIMETYPES = [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "image/svg+xml",
    ]
    COMPRESS_ALGORITHM = ["br", "gzip"]
    # Static files are compressed once and kept in memory (assets.py), not
    # stream-compressed per request (which also lost the file's close()).
    COMPRESS_STREAMS = False
    COMPRESS_MIN_SIZE = 500
    # Flask-Compress would then run werkzeug's make_conditional on every page
    # it compresses (a Date header, Range and If-* parsing): ~0.1 ms a page,
    # for nothing here. What it compresses are pages sent no-store without an
    # ETag or Last-Modified, which no conditional or Range request can match;
    # static files are compressed by assets.py and answer those requests
    # through send_file as before. gunicorn adds the Date header itself.
    COMPRESS_EVALUATE_CONDITIONAL_REQUEST = False
    # gzip level 5 for the pages compressed per request: 0.2 % more bytes than
    # level 6 (the lookup page 4,847 bytes against 4,838, a search's answer
    # 2,559 against 2,554) for about a sixth less of the compressing.
    COMPRESS_LEVEL = 5
    SEND_FILE_MAX_AGE_DEFAULT = 3600

    # Where uploaded photos are kept (webapp.storage): "local", the folder
    # UPLOAD_FOLDER (None: <instance>/uploads; a mount shared by every host
    # works too), or "database", rows of the app's database (PostgreSQL for
    # several hosts), written in the same transaction as the row naming them.
    UPLOAD_STORAGE = "local"

    # Encryption at rest (webapp.crypto): the keyring file, outside instance/
    # and outside backups (None: "<instance>-keys/keyring" beside instance/),
    # or the keys themselves (FLASK_ENCRYPTION_KEYS, comma-separated base64).
    ENCRYPTION_KEY_FILE = None
    ENCRYPTION_KEYS = None

    # Uploaded photos. None: <instance>/uploads.
    UPLOAD_FOLDER = None
    # Per file; MAX_CONTENT_LENGTH above already answers 413 for a whole request.
    UPLOAD_MAX_BYTES = 8 * 1024 * 1024
    # Checked on the header before any pixel is decoded (decompression bombs).
    UPLOAD_MAX_PIXELS = 40_000_000
    # PNG and WebP cannot be decoded reduced as JPEG is: their cap is lower
    # (12 MP ~ 48 MB decoded), and each worker decodes at most this many
    # photos at once (others wait up to UPLOAD_DECODE_WAIT_SECONDS).
    UPLOAD_MAX_PIXELS_FULL_DECODE = 12_000_000
    UPLOAD_DECODES_AT_ONCE = 2
    UPLOAD_DECODE_WAIT_SECONDS = 25  # below nginx proxy_read_timeout (35 s)
    # Long side of the stored JPEG: a KTP stays readable, the file stays small.
    UPLOAD_MAX_SIDE = 1600

    # E-mail (webapp.mail). Without SMTP_HOST each message is written to
    # <instance>/outbox/ as an .eml file instead of being sent.
    MAIL_FROM = "Cek Bansos Lite <no-reply@localhost>"
    SMTP_HOST = None
    SMTP_PORT = 25
    SMTP_STARTTLS = False
    # Implicit TLS (usually port 465); STARTTLS is then not used.
    SMTP_SSL = False
    SMTP_USERNAME = None
    SMTP_PASSWORD = None
    SMTP_TIMEOUT = 10
    # A failed delivery is retried this many times, MAIL_RETRY_DELAY seconds
    # later, then twice as long each time; after that it goes to the outbox.
    MAIL_RETRIES = 3
    MAIL_RETRY_DELAY = 30

    # SMS (webapp.delivery.sms) through Kannel's sendsms interface, e.g.
    # "http://127.0.0.1:13013/cgi-bin/sendsms" (docs/kannel.md). None: no SMS;
    # codes and notices go by e-mail and stay on the citizen's own pages.
    SMS_KANNEL_URL = None
    SMS_KANNEL_USERNAME = None
    SMS_KANNEL_PASSWORD = None
    # Sender shown on the phone (Kannel may override it per SMSC).
    SMS_FROM = "CekBansos"
    SMS_TIMEOUT = 10
    SMS_RETRIES = 3
    SMS_RETRY_DELAY = 30
    # Per number, counted in the database; further messages go to the outbox.
    SMS_RATE_LIMIT = "5 per 10 minutes;20 per day"
    # Cek Bansos by SMS (webapp.sms, docs/kannel.md): Kannel's sms-service
    # posts to /sms/masuk with this secret as the HTTP Basic password, from one
    # of these addresses. None: the SMS lookup is off (404).
    SMS_SERVICE_SECRET = None
    SMS_GATEWAY_ADDRESSES = ("127.0.0.1", "::1")
    # Per sending number, counted in the database (refusals do not count).
    SMS_LOOKUP_LIMIT = "5 per hour;15 per day"
    # Different NIKs one number may check in 24 hours (a family's members).
    SMS_LOOKUP_MAX_NIKS = 5

    # Who verifies citizens' accounts: the desa/kelurahan operator of the
    # account's desa as well as Dinas Sosial and pusat (True), or only Dinas
    # Sosial and pusat (False). Officer-issued password codes follow the same rule.
    ACCOUNT_VERIFY_BY_DESA = True
    # Lifetime of a password code issued by an officer at the kantor desa.
    OFFICER_RESET_CODE_MINUTES = 30

    # Background jobs (webapp.tasks, huey): this SQLite file in instance/, or
    # Redis when REDIS_URL is set. `make run` starts the consumer.
    HUEY_SQLITE_FILENAME = "huey.sqlite3"
    # Run jobs inline, inside the request, without a consumer.
    # None: on when TESTING, off otherwise.
    HUEY_IMMEDIATE = None

    # Objections (webapp.sanggahan): the pemda handles one within this many
    # days; then SANGGAHAN_LAPSE_OUTCOME applies — "diterima" (the real
    # Usul–Sanggah rule: the reported recipient is declared not eligible) or
    # None (it only shows as late). The huey consumer checks hourly at this minute.
    SANGGAHAN_HANDLING_DAYS = 14
    SANGGAHAN_LAPSE_OUTCOME = "diterima"
    SANGGAHAN_LAPSE_MINUTE = 7
    # Tanggapan Kelayakan: names per page of the recipients' list.
    TANGGAPAN_PAGE_SIZE = 20

    # Officer enrolment links (new officer, TOTP reset) stay valid this long.
    OFFICER_ENROLMENT_HOURS = 72

    # Accounts (webapp.akun): per-client limits on top of the per-account lock.
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    REGISTER_RATE_LIMIT = "10 per minute;30 per hour"
    CODE_RATE_LIMIT = "10 per minute;40 per hour"
