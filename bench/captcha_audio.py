"""The audio captcha clip's duration and size (issue 13): `python -m
bench.captcha_audio [--clips N]` records the voices with espeak-ng into a
temporary folder and prints min / median / max over N random answers, for
the clip as served (MP3) and, for comparison, the earlier 8-bit 8 kHz WAV of
the `captcha` package's AudioCaptcha from the same recordings."""

import argparse
import io
import secrets
import statistics
import tempfile
import time
import wave

from captcha.audio import AudioCaptcha

from webapp import create_app
from webapp.captcha import media


def _row(label, sizes, seconds, ms=None):
    figures = (f"{label:<26} size KB {min(sizes) / 1000:6.1f} {statistics.median(sizes) / 1000:6.1f} "
               f"{max(sizes) / 1000:6.1f}   duration s {min(seconds):5.1f} {statistics.median(seconds):5.1f} "
               f"{max(seconds):5.1f}")
    return figures + (f"   build ms (median) {statistics.median(ms):5.0f}" if ms else "")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clips", type=int, default=50)
    clips = parser.parse_args().clips
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": folder,
                          "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3", "CAPTCHA_VOICES_DIR": folder})
        with app.app_context():
            if not media.record_voices(folder):
                raise SystemExit("espeak-ng is not installed")
            old = AudioCaptcha(voicedir=folder)
            wav_sizes, wav_seconds, mp3_sizes, mp3_seconds, mp3_ms = [], [], [], [], []
            for _ in range(clips):
                answer = "".join(str(secrets.randbelow(10)) for _ in range(5))
                body = bytes(old.generate(answer))
                with wave.open(io.BytesIO(body)) as w:
                    wav_seconds.append(w.getnframes() / w.getframerate())
                wav_sizes.append(len(body))
                start = time.perf_counter()
                samples = media.clip_samples(answer)
                mp3 = media._encode_mp3(samples)
                mp3_ms.append((time.perf_counter() - start) * 1000)
                mp3_seconds.append(len(samples) / media.RATE)
                mp3_sizes.append(len(mp3))
    print(f"audio captcha, {clips} random answers (min / median / max)")
    print(_row("before: 8-bit 8 kHz WAV", wav_sizes, wav_seconds))
    print(_row("after: 24 kbit/s MP3", mp3_sizes, mp3_seconds, mp3_ms))
    print(f"ratio (median size) {statistics.median(wav_sizes) / statistics.median(mp3_sizes):.1f}x smaller")


if __name__ == "__main__":
    main()
