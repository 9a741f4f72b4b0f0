"""Issue 13: a real text browser (Debian's lynx, installed by `make test`)
completes a lookup through the audio captcha: it opens the lookup page at
the person's desa, presses "Dengarkan kode", finds the clip among the page's
links, downloads it, and sends the form with the answer. Fails if the text
browser cannot reach the audio file."""

import os
import re
import shutil
import subprocess
from urllib.parse import urlencode, urlsplit

import pytest

from ..conftest import CAPTCHA

pytestmark = pytest.mark.browser

LYNX = shutil.which("lynx")


@pytest.fixture
def lynx(tmp_path, live_server):
    if not LYNX:
        message = "lynx not found: install it with `apt-get install lynx` (make test does)."
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    cookies = tmp_path / "cookies"
    cookies.touch()
    # Each lynx run below is a separate process: the site's session cookie
    # (which holds the form's CSRF secret) is carried from run to run in
    # lynx's own cookie file, which lynx reads only with persistent cookies.
    config = tmp_path / "lynx.cfg"
    config.write_text("INCLUDE:/etc/lynx/lynx.cfg\nPERSISTENT_COOKIES:TRUE\n")

    def run(path, *options, post=None):
        args = [LYNX, f"-cfg={config}", "-noprint", "-nocolor", "-accept_all_cookies",
                f"-cookie_file={cookies}", f"-cookie_save_file={cookies}", "-width=200", *options]
        if post is not None:
            args.append("-post_data")
        stdin = (post + "\n---\n").encode() if post else None
        result = subprocess.run([*args, live_server.url + path], input=stdin,
                                capture_output=True, timeout=60, check=False)
        # lynx's exit status is not the page's (a dump after -post_data ends
        # with 1): what it printed is the answer.
        assert result.stdout, result.stderr.decode(errors="replace")
        return result.stdout

    def keep_session_cookie(headers):
        """lynx saves only cookies with an expiry; the session cookie has
        none, so it is written to lynx's cookie file as one that lasts."""
        name, value = re.search(r"^Set-Cookie: ([^=]+)=([^;]*)", headers, re.M | re.I).groups()
        cookies.write_text(f"127.0.0.1\tFALSE\t/\tFALSE\t2147483647\t{name}\t{value}\n")

    run.keep_session_cookie = keep_session_cookie
    return run


def test_lynx_completes_a_lookup_through_the_audio_captcha(lynx, recipient):
    desa = recipient.desa_code
    regions = {"provinsi": desa[:2], "kabupaten": desa[:5], "kecamatan": desa[:8], "desa": desa}
    page = lynx("/?" + urlencode(regions), "-mime_header").decode()
    lynx.keep_session_cookie(page)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    token = re.search(r'name="captcha_token" value="([^"]+)"', page).group(1)
    form = {"csrf_token": csrf, "mode": "nama", **regions, "nama": recipient.name}

    # "Dengarkan kode" without images or scripts: the page comes back with the
    # clip as a plain link, listed among the page's references.
    dump = lynx("/", "-dump", post=urlencode({**form, "captcha_token": token, "captcha_jenis": "image",
                                              "captcha_baru": "audio", "captcha": ""})).decode()
    assert "Ketik angka yang Anda dengar" in dump
    clips = re.findall(r"^\s*\d+\. (http://\S+/captcha/([^/\s]+)\.mp3)$", dump, re.M)
    assert clips, f"the text browser sees no link to the audio file:\n{dump}"
    url, audio_token = clips[0]

    clip = lynx(urlsplit(url).path, "-source")
    assert clip[0] == 0xFF and clip[1] & 0xE0 == 0xE0, "not an MP3 file (no MPEG frame sync)"
    assert 8_000 < len(clip) <= 60_000

    result = lynx("/", "-dump", post=urlencode({**form, "captcha_token": audio_token,
                                                "captcha_jenis": "audio", "captcha": CAPTCHA})).decode()
    assert re.search(r"\d+ data ditemukan", result), result
    # The message a script shows when a request fails is not read out to a
    # text browser, where nothing failed (it was a <template>, which lynx prints).
    assert "Permintaan tidak sampai" not in result and "Permintaan tidak sampai" not in dump
