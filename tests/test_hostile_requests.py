"""Item 10 of issue 14: hand-made requests get a clear answer, never a
silent change or a wrong message."""

import io

from .conftest import form_fields


def test_404_and_405_pages_are_not_stored_by_caches(client):
    assert client.get("/tidak-ada").headers["Cache-Control"] == "no-store"
    assert client.get("/akun/keluar").status_code == 405
    assert client.get("/akun/keluar").headers["Cache-Control"] == "no-store"


def test_static_files_keep_their_cache_rule(client):
    html = client.get("/").get_data(as_text=True)
    import re

    static = re.search(r'(/static/[^"]+\.css[^"]*)', html).group(1).replace("&amp;", "&")
    with client.get(static) as response:
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", "")


def test_5000_form_parts_say_so_not_file_too_large(client):
    # Built by hand: the test client would spool a body this size to a temp file.
    parts = b"".join(b'--b\r\nContent-Disposition: form-data; name="f%d"\r\n\r\nx\r\n' % i
                     for i in range(5000))
    body = parts + (b'--b\r\nContent-Disposition: form-data; name="berkas"; filename="x.jpg"\r\n\r\n'
                    b"x\r\n--b--\r\n")
    response = client.post("/akun/masuk", input_stream=io.BytesIO(body), content_length=len(body),
                           content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "terlalu banyak bagian" in text and "Berkas terlalu besar" not in text


def test_a_nul_byte_in_the_e_mail_is_refused_not_removed(client):
    from .conftest import registration_data

    csrf = form_fields(client.get("/akun/daftar").get_data(as_text=True))[0]
    data = registration_data(csrf, email="warga.con\x00toh@example.com")
    response = client.post("/akun/daftar", data=data)
    assert response.status_code == 422
    assert "karakter tersembunyi" in response.get_data(as_text=True)
