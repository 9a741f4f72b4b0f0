"""Captcha tokens: sign, verify, expire, replay; image and audio."""

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


def test_audio_alternative_is_a_wav(client, app):
    with app.test_request_context():
        token = new_token("audio")
        image_token = new_token("image")
    response = client.get(f"/captcha/{token}.wav")
    assert response.status_code == 200
    assert response.data[:4] == b"RIFF" and response.data[8:12] == b"WAVE"
    assert client.get(f"/captcha/{image_token}.wav").status_code == 404


def test_bad_token_image_is_404(client):
    assert client.get("/captcha/not-a-token.png").status_code == 404


def test_refresh_gives_a_new_widget(client):
    html = client.get("/captcha/baru?jenis=audio").get_data(as_text=True)
    assert "<audio" in html and 'name="captcha_jenis" value="audio"' in html


def test_test_answer_outside_testing_refuses_to_start(tmp_path):
    from webapp import create_app

    with pytest.raises(RuntimeError, match="CAPTCHA_TEST_ANSWER"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "CAPTCHA_TEST_ANSWER": "ABCDE"})
