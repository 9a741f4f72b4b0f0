"""Cek Bansos Lite: a self-hostable social-assistance portal."""

import logging
import os
import secrets

from flask import Flask
from flask_compress import Compress
from htmx_flask import Htmx

# mail: its table; retention: its periodic jobs, read by tasks.init_app
from . import (  # noqa: F401
    assets,
    cacheversion,
    crypto,
    db,
    errors,
    formbody,
    i18n,
    jinja,
    logs,
    mail,
    migrations,
    retention,
    security,
    sessions,
    storage,
    tasks,
    voices,
)
from .config import Defaults

log = logging.getLogger(__name__)


def _secret_key(app):
    """The key signing sessions and captcha tokens: from the config if given,
    else generated once into instance/secret_key (never committed)."""
    path = os.path.join(app.instance_path, "secret_key")
    if os.path.exists(path):
        with open(path) as f:
            return f.read().strip()
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


def _shared_state(app):
    """What makes this installation shared by several workers or hosts: a
    PostgreSQL database or a Redis server (a SQLite file is one host's)."""
    url = app.config.get("DATABASE_URL") or ""
    if url.partition("://")[0].split("+")[0] in ("postgres", "postgresql"):
        return "PostgreSQL (DATABASE_URL)"
    if app.config.get("REDIS_URL"):
        return "Redis (REDIS_URL)"
    return None


def _require_secret_key(app):
    """A key generated into one host's instance/ would differ on every other
    host: sessions, CSRF, captcha tokens, code HMACs and throttle keys would
    then fail at random between hosts. So a shared installation must be given
    its key; only a single-host SQLite one may generate its own."""
    if app.config.get("SECRET_KEY"):
        return
    shared = _shared_state(app)
    if shared:
        raise RuntimeError(
            f"SECRET_KEY belum diatur, padahal aplikasi memakai {shared}: setiap host akan membuat "
            "kunci sendiri sehingga sesi, CSRF, captcha dan kode e-mail gagal di host lain. "
            "Atur kunci yang sama di semua host, mis. FLASK_SECRET_KEY=$(python3 -c "
            "'import secrets; print(secrets.token_hex(32))') di /etc/cekbansos.env atau "
            "SECRET_KEY di instance/config.py.")
    app.config["SECRET_KEY"] = _secret_key(app)


def _check_config(app):
    if app.config.get("CAPTCHA_TEST_ANSWER") and not (app.testing or app.debug):
        raise RuntimeError(
            "CAPTCHA_TEST_ANSWER terisi, padahal aplikasi tidak dalam mode testing atau "
            "debug: aplikasi menolak berjalan dengan jawaban captcha yang sudah diketahui. "
            "Hapus CAPTCHA_TEST_ANSWER (atau FLASK_CAPTCHA_TEST_ANSWER) dari pengaturan.")


def create_app(test_config=None):
    """Builds the app. Settings layer: Defaults → instance/config.py →
    FLASK_* environment → `test_config` (which may also name INSTANCE_PATH,
    so tests never touch the real instance folder)."""
    instance_path = (test_config or {}).get("INSTANCE_PATH")
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path,
                template_folder="../templates", static_folder="../static")
    app.jinja_environment = jinja.Environment  # before anything makes app.jinja_env
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()
    if test_config:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    _require_secret_key(app)
    _check_config(app)
    crypto.init_app(app, shared=_shared_state(app))
    mail.seal_pending_files(app)  # kept mail from before it was sealed at rest

    logs.init_app(app)  # first: every later hook logs with the request id
    app.session_interface = sessions.CheckedCookieSessions()

    Htmx(app)
    formbody.init_app(app)  # after Htmx: extends its request class
    Compress(app)
    db.init_app(app)
    migrations.init_app(app)
    cacheversion.init_app(app)
    storage.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    assets.init_app(app)
    errors.init_app(app)
    tasks.init_app(app)
    voices.init_app(app)

    # Features come after the base, imported here (when an app is made, not
    # when `webapp` is): base modules import `webapp` without every feature,
    # and each route module registers on its package's `bp`, so importing the
    # modules here is what makes the routes.
    from . import cli, kiosk, templating
    from .akun import auth, steps, views  # noqa: F401 - routes on akun.bp
    from .akun import bp as akun_bp
    from .akun.cli import akun_group
    from .bahasa import bp as bahasa_bp
    from .captcha import bp as captcha_bp
    from .captcha import views as captcha_views  # noqa: F401 - routes on captcha.bp
    from .cek import bp as cek_bp
    from .cek import views as cek_views  # noqa: F401 - routes on cek.bp
    from .crypto_cli import kunci_group
    from .health import bp as health_bp
    from .kompat import bp as kompat_bp
    from .kompat import views as kompat_views  # noqa: F401 - routes on kompat.bp
    from .petugas.setup import init_app as petugas_init
    from .sanggahan import bp as sanggahan_bp
    from .sanggahan import views as sanggahan_views  # noqa: F401 - routes on sanggahan.bp
    from .sms import bp as sms_bp
    from .sms import views as sms_views  # noqa: F401 - routes on sms.bp
    from .usulan import bp as usulan_bp
    from .usulan import review, steps_members  # noqa: F401 - step routes on usulan.bp
    from .usulan import steps as usulan_steps  # noqa: F401 - step routes on usulan.bp
    from .usulan import views as usulan_views  # noqa: F401 - routes on usulan.bp
    from .wilayah import bp as wilayah_bp

    templating.init_app(app)
    cli.init_app(app)
    app.register_blueprint(health_bp)
    app.register_blueprint(bahasa_bp)
    app.register_blueprint(wilayah_bp)
    app.register_blueprint(captcha_bp)
    app.register_blueprint(cek_bp)
    app.register_blueprint(kompat_bp)
    app.register_blueprint(usulan_bp)
    app.register_blueprint(sanggahan_bp)
    app.register_blueprint(sms_bp)
    app.register_blueprint(akun_bp)
    kiosk.init_app(app)
    app.cli.add_command(akun_group)
    app.cli.add_command(kunci_group)
    petugas_init(app)
    from .api.setup import init_app as api_init  # last: it documents the routes made above

    api_init(app)
    return app


tasks.app_factory = create_app  # the consumer's `webapp.tasks.huey` builds the app with it
