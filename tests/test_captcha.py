"""Captcha tokens: sign, verify, expire, replay; image and audio."""

import re
import time

import pytest

from webapp.captcha.services import (
    IMAGE_ALPHABET,
    CaptchaError,
    answer_for,
    new_token,
    read_token,
    verify,
)


@pytest.fixture
def ctx(app):
    app.config["CAPTCHA_TEST_ANSWER"] = None
    with app.test_request_context():
        yield app


def test_right_answer_is_accepted_once(ctx):
    token = new_token()
    nonce, kind = read_token(token)
    answer = answer_for(nonce, kind)
    verify(token, answer.lower())  # case does not matter
    with pytest.raises(CaptchaError) as exc:
        verify(token, answer)
    assert exc.value.reason == "replayed"


def test_wrong_answer_uses_the_token_up(ctx):
    token = new_token()
    nonce, kind = read_token(token)
    with pytest.raises(CaptchaError) as exc:
        verify(token, "XXXXX")
    assert exc.value.reason == "wrong"
    with pytest.raises(CaptchaError) as exc:
        verify(token, answer_for(nonce, kind))
    assert exc.value.reason == "replayed"


def test_expired_token_is_refused(ctx):
    ctx.config["CAPTCHA_TTL_SECONDS"] = 1
    token = new_token()
    nonce, kind = read_token(token)
    time.sleep(2.1)
    with pytest.raises(CaptchaError) as exc:
        verify(token, answer_for(nonce, kind))
    assert exc.value.reason == "expired"


def test_forged_token_is_refused(ctx):
    token = new_token()
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    with pytest.raises(CaptchaError) as exc:
        verify(forged, "ABCDE")
    assert exc.value.reason == "invalid"


def test_answers_use_no_look_alikes_and_differ_per_token(ctx):
    answers = {answer_for(read_token(new_token())[0], "image") for _ in range(50)}
    assert len(answers) > 45
    for answer in answers:
        assert len(answer) == 5
        assert set(answer) <= set(IMAGE_ALPHABET)
        assert not set(answer) & set("0O1IL2Z5S8B")


def test_audio_answers_are_digits(ctx):
    answer = answer_for(read_token(new_token("audio"))[0], "audio")
    assert answer.isdigit() and len(answer) == 5


def test_image_is_a_small_png(client, app):
    with app.test_request_context():
        token = new_token()
    response = client.get(f"/captcha/{token}.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(response.data) < 6000
    assert "private" in response.headers["Cache-Control"]


def test_image_encoder_writes_what_a_png_decoder_reads():
    """The 4-bit palette PNG is written by our own encoder (webapp.captcha.media):
    a decoder reads back every pixel and colour, odd widths included."""
    import io
    import random

    from PIL import Image

    from webapp.captcha import media

    rng = random.Random(19)
    for width, height in ((170, 64), (171, 5), (1, 1)):
        values = bytes(rng.randrange(16) for _ in range(width * height))
        palette = bytes(rng.randrange(256) for _ in range(48))
        data = media._png_4bit((width, height), values, palette)
        decoded = Image.open(io.BytesIO(data))
        decoded.load()
        assert decoded.mode == "P" and decoded.size == (width, height)
        assert decoded.tobytes() == values
        assert bytes(decoded.getpalette()[:48]) == palette
    image = Image.open(io.BytesIO(media.png("48213")))
    image.load()
    assert image.size == (media.WIDTH, media.HEIGHT) and len(set(image.tobytes())) > 4


def test_noise_dots_are_the_strokes_imagecaptcha_draws():
    """All of an image's noise dots are set in one call (media.DOT): each
    covers the same pixels as ImageCaptcha's own stroke, at the edges too."""
    import random

    from PIL import Image, ImageDraw

    from webapp.captcha import media

    rng = random.Random(13)
    for _ in range(200):
        points = [(rng.randrange(media.WIDTH + 1), rng.randrange(media.HEIGHT + 1))
                  for _ in range(media.DOTS)]
        strokes, dots = (Image.new("L", (media.WIDTH, media.HEIGHT), 0) for _ in range(2))
        draw = ImageDraw.Draw(strokes)
        for x, y in points:
            draw.line(((x, y), (x - 1, y - 1)), fill=255, width=3)
        ImageDraw.Draw(dots).point([(x + dx, y + dy) for x, y in points for dx, dy in media.DOT], fill=255)
        assert strokes.tobytes() == dots.tobytes()


def test_noise_arc_is_the_curve_imagecaptcha_draws(monkeypatch):
    """The noise arc's numbers come from the image's own generator, not six
    calls to the operating system: given the same numbers, it is the very
    arc the library draws."""
    import random
    import types

    from captcha import image as library
    from PIL import Image, ImageDraw

    from webapp.captcha import media

    for seed in range(300):
        numbers = random.Random(seed)
        monkeypatch.setattr(library, "secrets", types.SimpleNamespace(randbelow=numbers.randrange))
        theirs = library.ImageCaptcha.create_noise_curve(Image.new("L", (media.WIDTH, media.HEIGHT), 0), 255)
        ours = Image.new("L", (media.WIDTH, media.HEIGHT), 0)
        rng = random.Random(seed)
        box, start, end = media.noise_arc(rng)
        ImageDraw.Draw(ours).arc(box, start, end, fill=255)
        assert ours.tobytes() == theirs.tobytes(), seed


def test_audio_alternative_is_a_small_mp3(client, app):
    """Issue 13: ≤ 60 KB in a format every phone plays (MPEG-2 layer III),
    the instruction first, the digits in the clip; never for an image token."""
    from webapp.captcha import media

    with app.test_request_context():
        token = new_token("audio")
        image_token = new_token("image")
    response = client.get(f"/captcha/{token}.mp3")
    assert response.status_code == 200
    assert response.mimetype == "audio/mpeg"
    frame = response.data[:2]
    assert frame[0] == 0xFF and frame[1] & 0xE0 == 0xE0  # an MPEG audio frame sync
    assert 8_000 < len(response.data) <= 60_000
    assert client.get(f"/captcha/{image_token}.mp3").status_code == 404
    with app.app_context():
        voices = media._load(media.voices_dir())
        samples = media.clip_samples("24680")
    assert samples[:len(voices["intro"][0])] == voices["intro"][0]  # the spoken instruction first
    assert len(samples) / media.RATE < 16  # seconds


def test_audio_is_testable_with_a_letter_test_answer(app):
    """A fixed answer with letters cannot be spoken: the audio kind then has
    its own digit answer, and the clip is served."""
    app.config["CAPTCHA_TEST_ANSWER"] = "ABCDE"
    client = app.test_client()
    with app.test_request_context():
        token = new_token("audio")
        assert answer_for(read_token(token)[0], "audio") == "13579"
        assert answer_for(read_token(new_token())[0], "image") == "ABCDE"
        verify(token, "13579")
    assert client.get(f"/captcha/{token}.mp3").status_code == 200


def test_messages_follow_the_kind_shown(app):
    from webapp.captcha.messages import captcha_message

    with app.test_request_context():
        for reason in ("wrong", "expired", "invalid", "replayed", "missing"):
            assert "gambar" in captcha_message(reason, "image")
            assert "gambar" not in captcha_message(reason, "audio")
            assert "suara" in captcha_message(reason, "audio") or "dengar" in captcha_message(reason, "audio")


def test_audio_widget_has_a_plain_link_and_a_fallback(client):
    html = client.get("/captcha/baru?jenis=audio").get_data(as_text=True)
    clip = re.search(r'<audio[^>]*src="(/captcha/[^"]+\.mp3)"[^>]*>\s*<a href="([^"]+)"', html)
    assert clip and clip.group(1) == clip.group(2)  # the fallback inside <audio>
    assert html.count(f'href="{clip.group(1)}"') == 2  # and a link outside it
    assert "gambar" not in html.split('<label for="captcha">')[1].split("</label>")[0]


def test_bad_token_image_is_404(client):
    assert client.get("/captcha/not-a-token.png").status_code == 404


def test_refresh_gives_a_new_widget(client):
    html = client.get("/captcha/baru?jenis=audio").get_data(as_text=True)
    assert "<audio" in html and 'name="captcha_jenis" value="audio"' in html


def test_test_answer_outside_testing_refuses_to_start(tmp_path):
    from webapp import create_app

    with pytest.raises(RuntimeError, match="CAPTCHA_TEST_ANSWER"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "CAPTCHA_TEST_ANSWER": "ABCDE"})
