"""What a person is told about a captcha, in one table shared by every form
that has one (cek, usulan status, the API, the real site's contract in
kompat): the words follow the kind shown, so an audio user is never told to
read a picture."""

from ..i18n import gettext as _

_MESSAGES = {
    ("wrong", "image"): lambda: _("Kode captcha salah. Ketik kode pada gambar yang baru."),
    ("wrong", "audio"): lambda: _("Angka salah. Dengarkan kode suara yang baru lalu ketik angkanya."),
    ("expired", "image"): lambda: _("Kode captcha sudah kedaluwarsa. Ketik kode pada gambar yang baru."),
    ("expired", "audio"): lambda: _("Kode suara sudah kedaluwarsa. Dengarkan kode yang baru."),
    ("invalid", "image"): lambda: _("Kode captcha tidak berlaku. Ketik kode pada gambar yang baru."),
    ("invalid", "audio"): lambda: _("Kode suara tidak berlaku. Dengarkan kode yang baru."),
    ("replayed", "image"): lambda: _("Kode captcha ini sudah dipakai. Ketik kode pada gambar yang baru."),
    ("replayed", "audio"): lambda: _("Kode suara ini sudah dipakai. Dengarkan kode yang baru."),
    ("missing", "image"): lambda: _("Ketik kode captcha yang tampil pada gambar."),
    ("missing", "audio"): lambda: _("Ketik angka yang Anda dengar pada kode suara."),
    # The real site's words, for its clients (kompat/): a picture only.
    ("wrong", "kompat"): lambda: _("Kode Captcha salah. Ketik kode pada gambar yang baru."),
    ("expired", "kompat"): lambda: _("Kode Captcha sudah kedaluwarsa. Ketik kode pada gambar yang baru."),
    ("invalid", "kompat"): lambda: _("Kode Captcha tidak berlaku. Muat gambar captcha lalu ketik kodenya."),
    ("replayed", "kompat"): lambda: _("Kode Captcha ini sudah dipakai. Ketik kode pada gambar yang baru."),
}


def captcha_kind(values) -> str:
    """The kind to show next: a switch button (picture / audio) wins over the
    kind shown before, so a wrong answer keeps the person on their kind."""
    switch = values.get("captcha_baru")
    if switch in ("audio", "image"):
        return switch
    return "audio" if values.get("captcha_jenis") == "audio" else "image"


def captcha_message(reason: str, kind: str) -> str:
    """The message for a refused reply (wrong | expired | invalid | replayed)
    or an empty one (missing), in the words of the kind shown ("kompat":
    the real site's words)."""
    kind = kind if kind in ("image", "audio", "kompat") else "image"
    return _MESSAGES[(reason, kind)]()
