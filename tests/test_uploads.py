"""Uploads (SECURITY.md 19-21, 28): type by content, pixel bombs, polyglots,
no metadata kept, server-chosen names, no escape from the folder, no partial
file under a final name. Every image is made here, in memory."""

import io
import os
import re
import struct
import time
import zlib

import pytest
from PIL import ExifTags, Image
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound

from webapp import storage, uploads
from webapp.uploads import UploadError


def image_bytes(size=(200, 100), fmt="JPEG", mode="RGB", color=(200, 60, 30), **save):
    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, fmt, **save)
    return buf.getvalue()


def upload(data, filename="photo.jpg", content_type="image/jpeg"):
    return FileStorage(stream=io.BytesIO(data), filename=filename, content_type=content_type)


def png_header(width, height):
    """A PNG that claims width x height but holds almost nothing: Pillow
    learns the size from IHDR before any pixel is decoded."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield app


def opened(data):
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    return image


# -- process_image ------------------------------------------------------------
def test_gps_exif_comment_and_icc_are_removed(ctx):
    exif = Image.Exif()
    exif[ExifTags.Base.Model] = "Telepon Contoh"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (6.0, 10.0, 30.0)
    data = image_bytes(exif=exif.tobytes(), comment=b"lokasi rumah", icc_profile=b"profil-warna-contoh")
    source = Image.open(io.BytesIO(data))
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the input really carries GPS

    out = uploads.process_image(upload(data))
    result = opened(out)
    assert not result.getexif()
    assert not {"exif", "icc_profile", "comment", "xmp"} & set(result.info)
    for marker in (b"Exif\x00\x00", b"lokasi rumah", b"profil-warna-contoh", b"ICC_PROFILE"):
        assert marker not in out


@pytest.mark.parametrize("data, filename", [
    (b"Ini bukan foto, hanya teks biasa.\n" * 20, "photo.jpg"),
    (b"<html><script>alert(1)</script></html>", "ktp.png"),
    (image_bytes(fmt="GIF", mode="P", color=1), "photo.jpg"),
    (image_bytes(fmt="BMP"), "photo.webp"),
])
def test_non_accepted_content_is_refused_whatever_the_name(ctx, data, filename):
    with pytest.raises(UploadError) as exc:
        uploads.process_image(upload(data, filename))
    assert "JPG, PNG atau WebP" in str(exc.value.message)


def test_empty_file_is_refused(ctx):
    with pytest.raises(UploadError, match="kosong"):
        uploads.process_image(upload(b""))


@pytest.mark.parametrize("width, height", [
    (20000, 20000),  # past Pillow's own limit: DecompressionBombError
    (10000, 10000),  # past Pillow's warning: DecompressionBombWarning
    (8000, 6000),    # under Pillow's limits, over ours (40 MP)
])
def test_too_many_pixels_refused_before_decoding(ctx, width, height):
    data = png_header(width, height)
    assert len(data) < 200
    start = time.perf_counter()
    with pytest.raises(UploadError) as exc:
        uploads.process_image(upload(data, "besar.png", "image/png"))
    assert time.perf_counter() - start < 1
    assert "megapiksel" in str(exc.value.message)


@pytest.mark.app_config(UPLOAD_MAX_BYTES=1024 * 1024)
def test_file_over_the_byte_limit_is_refused(ctx):
    data = image_bytes() + os.urandom(1024 * 1024)
    with pytest.raises(UploadError, match="1 MB"):
        uploads.process_image(upload(data))


def test_html_jpeg_polyglot_comes_out_clean(ctx):
    payload = b"<script>alert(document.cookie)</script><html><body>hai</body></html>"
    data = image_bytes(comment=b"<script>alert(1)</script>") + payload
    out = uploads.process_image(upload(data))
    assert b"<script" not in out
    assert b"<html" not in out
    assert out.endswith(b"\xff\xd9")
    opened(out).load()


def test_truncated_jpeg_is_refused(ctx):
    noisy = Image.frombytes("RGB", (800, 600), os.urandom(800 * 600 * 3))
    buf = io.BytesIO()
    noisy.save(buf, "JPEG")
    data = buf.getvalue()
    with pytest.raises(UploadError, match="rusak"):
        uploads.process_image(upload(data[: len(data) // 2]))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_large_image_is_shrunk_to_the_long_side(ctx, fmt):
    out = uploads.process_image(upload(image_bytes(size=(3200, 2400), fmt=fmt)))
    assert opened(out).size == (1600, 1200)


def test_small_image_keeps_its_size(ctx):
    assert opened(uploads.process_image(upload(image_bytes(size=(640, 480))))).size == (640, 480)


def test_exif_orientation_is_applied(ctx):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # "rotate 90° clockwise to display"
    out = uploads.process_image(upload(image_bytes(size=(200, 100), exif=exif.tobytes())))
    result = opened(out)
    assert result.size == (100, 200)
    assert not result.getexif()


def test_transparent_png_becomes_white_not_black(ctx):
    data = image_bytes(size=(50, 50), fmt="PNG", mode="RGBA", color=(0, 0, 0, 0))
    result = opened(uploads.process_image(upload(data, "foto.png", "image/png"))).convert("RGB")
    assert min(result.getpixel((25, 25))) > 240


def test_plain_stream_is_accepted(ctx):
    assert opened(uploads.process_image(io.BytesIO(image_bytes()))).size == (200, 100)


# -- store, path_of, delete ------------------------------------------------------
def _files(root):
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)


def test_store_writes_complete_file_under_random_name(ctx):
    data = uploads.process_image(upload(image_bytes()))
    first = uploads.store(data, "usulan")
    second = uploads.store(data, "usulan")
    assert first != second
    for name in (first, second):
        assert re.fullmatch(r"usulan/[A-Za-z0-9_-]{32}\.jpg", name)
    root = uploads.upload_root()
    assert root == os.path.join(ctx.instance_path, "uploads")
    assert _files(root) == sorted([first, second])  # no temp file left behind
    with open(uploads.path_of(first), "rb") as f:
        on_disk = f.read()
    assert on_disk != data and data[:12] not in on_disk  # sealed at rest (webapp.crypto)
    assert uploads.read(first) == data
    assert os.stat(uploads.path_of(first)).st_mode & 0o077 == 0


@pytest.mark.parametrize("folder", ["", "../x", "a/b", "Usulan", "ktp.", "/tmp", "x" * 65])
def test_store_refuses_bad_folder_names(ctx, folder):
    with pytest.raises(ValueError):
        uploads.store(b"data", folder)


@pytest.mark.parametrize("name", [
    "../x", "/etc/passwd", "a/../../b", "usulan/../../secret_key", "usulan/..\\..\\x.jpg",
    "usulan\\x.jpg", "usulan/x.jpg\x00.png", "usulan/x\x00.jpg", "", "usulan", "usulan/", "/usulan/x.jpg",
    "usulan/.abc.tmp", "usulan/x.jpg/..", "a/b/c.jpg", None,
])
def test_path_of_refuses_anything_outside_the_folder(ctx, name):
    with pytest.raises(FileNotFoundError):
        uploads.path_of(name)


def test_path_of_refuses_a_symlink_pointing_out(ctx, tmp_path):
    secret = tmp_path / "rahasia.jpg"
    secret.write_bytes(b"not yours")
    folder = os.path.join(uploads.upload_root(), "usulan")
    os.makedirs(folder)
    os.symlink(secret, os.path.join(folder, "tautan.jpg"))
    with pytest.raises(FileNotFoundError):
        uploads.path_of("usulan/tautan.jpg")


def test_crash_before_rename_leaves_no_file(ctx, monkeypatch):
    def killed(src, dst):
        raise OSError("worker killed mid-upload")

    monkeypatch.setattr(storage.os, "replace", killed)
    with pytest.raises(OSError, match="killed"):
        uploads.store(b"\xff\xd8 half a photo", "usulan")
    assert _files(uploads.upload_root()) == []


def test_delete_is_quiet_and_stays_inside(ctx):
    outside = os.path.join(ctx.instance_path, "jangan-dihapus.jpg")
    with open(outside, "wb") as f:
        f.write(b"x")
    name = uploads.store(b"x", "usulan")
    uploads.delete(name)
    assert not os.path.exists(os.path.join(uploads.upload_root(), name))
    uploads.delete(name)
    uploads.delete("../jangan-dihapus.jpg")
    uploads.delete("usulan/../../jangan-dihapus.jpg")
    assert os.path.exists(outside)


# -- send_image -------------------------------------------------------------------
def test_send_image_headers_over_http(app):
    @app.get("/_uji/foto/<path:name>")
    def _show(name):
        return uploads.send_image(name)

    with app.app_context():
        name = uploads.store(uploads.process_image(upload(image_bytes())), "usulan")
    response = app.test_client().get(f"/_uji/foto/{name}")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == f'inline; filename="{name.split("/")[1]}"'
    assert "Expires" not in response.headers
    opened(response.get_data())
    response.close()

    for missing in ("usulan/tidakada.jpg", "..%2F..%2Fsecret_key", "usulan/..%2F..%2Fsecret_key"):
        assert app.test_client().get(f"/_uji/foto/{missing}").status_code == 404


def test_send_image_download_name_is_sanitised(ctx):
    name = uploads.store(b"\xff\xd8\xff\xd9", "usulan")
    good = uploads.send_image(name, download_name="ktp.jpg")
    assert good.headers["Content-Disposition"] == 'inline; filename="ktp.jpg"'
    bad = uploads.send_image(name, download_name='x"; filename="evil.html')
    assert bad.headers["Content-Disposition"] == f'inline; filename="{name.split("/")[1]}"'
    for response in (good, bad):
        response.close()
    with pytest.raises(NotFound):
        uploads.send_image("../secret_key")


# -- sweep_orphans ----------------------------------------------------------------
def test_sweep_orphans(ctx):
    root = uploads.upload_root()
    kept = uploads.store(b"a", "usulan")
    orphan = uploads.store(b"b", "usulan")
    fresh_orphan = uploads.store(b"c", "usulan")
    stale_temp = os.path.join(root, "usulan", ".abc123.tmp")
    fresh_temp = os.path.join(root, "usulan", ".def456.tmp")
    for path in (stale_temp, fresh_temp):
        with open(path, "wb") as f:
            f.write(b"half")
    two_hours_ago = time.time() - 7200
    for path in (uploads.path_of(kept), uploads.path_of(orphan), stale_temp):
        os.utime(path, (two_hours_ago, two_hours_ago))

    assert uploads.sweep_orphans({kept}) == 2
    left = _files(root)
    assert kept in left and fresh_orphan in left and "usulan/.def456.tmp" in left
    assert orphan not in left and "usulan/.abc123.tmp" not in left
    # With no grace, the fresh orphan goes too; a fresh temp file never does.
    assert uploads.sweep_orphans({kept}, grace_seconds=0) == 1
    assert _files(root) == sorted([kept, "usulan/.def456.tmp"])
