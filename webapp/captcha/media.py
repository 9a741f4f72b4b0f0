"""Drawing the captcha image and speaking the audio alternative."""

import io
import os
import shutil
import struct
import subprocess
import wave

from captcha.audio import AudioCaptcha
from captcha.image import ImageCaptcha
from flask import current_app
from PIL import Image

_image = ImageCaptcha(width=170, height=64, font_sizes=(40, 44, 48))
_audio = {}

# The digits as Indonesian speakers say them; espeak-ng records each a few
# ways so the audio is not a fixed sample per digit.
DIGIT_WORDS = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]
_VARIANTS = [("-s", "130", "-p", "45"), ("-s", "150", "-p", "60"), ("-s", "120", "-p", "35")]


def png(answer: str) -> bytes:
    """A small PNG: 16 colours are plenty for legible noisy text."""
    img = _image.generate_image(answer).convert("RGB")
    out = io.BytesIO()
    img.quantize(colors=16, method=Image.Quantize.MEDIANCUT).save(out, "PNG", optimize=True)
    return out.getvalue()


def voices_dir():
    return current_app.config.get("CAPTCHA_VOICES_DIR") or os.path.join(
        current_app.instance_path, "captcha-voices")


def audio_available() -> bool:
    return os.path.isdir(os.path.join(voices_dir(), "9"))


def wav(answer: str) -> bytes:
    directory = voices_dir()
    speaker = _audio.get(directory)
    if speaker is None:
        speaker = _audio[directory] = AudioCaptcha(voicedir=directory)
    return bytes(speaker.generate(answer))


def _to_8k_u8(path_in, path_out):
    """The captcha mixer wants 8 kHz, 8-bit unsigned mono; espeak-ng writes
    22.05 kHz, 16-bit signed."""
    with wave.open(path_in) as w:
        rate, width, frames = w.getframerate(), w.getsampwidth(), w.readframes(-1)
    samples = struct.unpack(f"<{len(frames) // width}h", frames) if width == 2 else frames
    step = rate / 8000
    out = bytearray()
    pos = 0.0
    while int(pos) < len(samples):
        out.append(((samples[int(pos)] >> 8) + 128) & 0xFF)
        pos += step
    with wave.open(path_out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(8000)
        w.writeframes(bytes(out))


def record_voices(directory):
    """Records the ten digits with espeak-ng into `directory`. Returns False
    when espeak-ng is not installed (the audio alternative is then off)."""
    espeak = shutil.which("espeak-ng") or shutil.which("espeak")
    if not espeak:
        return False
    for digit, word in enumerate(DIGIT_WORDS):
        folder = os.path.join(directory, str(digit))
        os.makedirs(folder, exist_ok=True)
        for i, variant in enumerate(_VARIANTS):
            raw = os.path.join(folder, f"raw{i}.tmp")
            subprocess.run([espeak, "-v", "id", *variant, "-w", raw, word], check=True,
                           capture_output=True)
            _to_8k_u8(raw, os.path.join(folder, f"v{i}.wav"))
            os.remove(raw)
    return True
