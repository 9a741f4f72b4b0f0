"""Photo decoding has a memory bound (issue 14, item 4): PNG/WebP, decoded
in full, have their own lower pixel cap, and each worker decodes only
UPLOAD_DECODES_AT_ONCE photos at a time."""

import io
import threading
import time

import pytest
from PIL import Image, ImageFile

from webapp import uploads

from .test_akun_photos import png_header_only


def png(size):
    out = io.BytesIO()
    Image.new("RGB", size, (1, 2, 3)).save(out, "PNG")
    return out.getvalue()


def test_a_png_over_the_full_decode_cap_is_refused_before_decoding(app):
    with app.app_context():
        assert app.config["UPLOAD_MAX_PIXELS_FULL_DECODE"] < 4000 * 3300 < app.config["UPLOAD_MAX_PIXELS"]
        with pytest.raises(uploads.UploadError) as refused:
            uploads.process_image(io.BytesIO(png_header_only(4000, 3300)))
    assert "megapiksel" in refused.value.message and "12" in refused.value.message


def test_decodes_at_once_are_limited(app, monkeypatch):
    busy, peak, lock = [0], [0], threading.Lock()
    real_load = ImageFile.ImageFile.load

    def slow_load(self):
        with lock:
            busy[0] += 1
            peak[0] = max(peak[0], busy[0])
        time.sleep(0.15)
        try:
            return real_load(self)
        finally:
            with lock:
                busy[0] -= 1

    monkeypatch.setattr(ImageFile.ImageFile, "load", slow_load)
    data = png((200, 100))
    results = []

    def one():
        with app.app_context():
            results.append(uploads.process_image(io.BytesIO(data))[:2])

    threads = [threading.Thread(target=one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [b"\xff\xd8"] * 6
    assert peak[0] == app.config["UPLOAD_DECODES_AT_ONCE"] == 2


@pytest.mark.app_config(UPLOAD_DECODES_AT_ONCE=1, UPLOAD_DECODE_WAIT_SECONDS=0.05)
def test_a_person_waiting_too_long_is_told_to_send_again(app, monkeypatch):
    with app.app_context():
        slots = uploads._decode_slots()
        assert slots.acquire()
        try:
            with pytest.raises(uploads.UploadError) as busy:
                uploads.process_image(io.BytesIO(png((50, 50))))
        finally:
            slots.release()
    assert "kirim lagi" in busy.value.message
