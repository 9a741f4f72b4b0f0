"""Drawing the captcha image and speaking the audio alternative.

The audio clip is built here from the digits espeak-ng recorded once (see
record_voices): a spoken instruction, the five digits over a little noise,
"sekali lagi" and the digits again, encoded as a small mono MP3 (the one
compressed format every phone browser plays, old Android and iOS included)."""

import array
import base64
import os
import random
import secrets
import shutil
import struct
import subprocess
import time
import wave
import zlib

import lameenc
from captcha.image import ImageCaptcha
from flask import current_app
from PIL import Image, ImageDraw, ImageFilter

_image = ImageCaptcha(width=170, height=64, font_sizes=(40, 44, 48))
_voices = {}

# The digits as Indonesian speakers say them; espeak-ng records each a few
# ways so the audio is not a fixed sample per digit.
DIGIT_WORDS = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]
_VARIANTS = [("-s", "130", "-p", "45"), ("-s", "150", "-p", "60"), ("-s", "120", "-p", "35")]
# Spoken once at the start and between the two readings (folder, words).
PHRASES = {"intro": "Ketik lima angka berikut.", "again": "Sekali lagi."}
RATE = 8000            # the recordings: 8 kHz, 8-bit unsigned mono
MP3_RATE = 16000       # MPEG-2 layer III, which every MP3 decoder plays
MP3_KBPS = 24
MIME = "audio/mpeg"


class _GlyphPool:
    """Each worker keeps a few warped drawings of every captcha character
    (the library's own rotation and warp, one font size of three each time)
    and builds each image from them: the drawing of a glyph, not of the
    whole image, is the costly part. The pool never stands still: a glyph
    used is redrawn afresh one time in REDRAW_EVERY, so no fixed set of
    shapes exists for a machine to learn."""

    VARIANTS = 6
    REDRAW_EVERY = 16

    def __init__(self, captcha):
        self._captcha = captcha
        self._glyphs = {}
        self._scratch = ImageDraw.Draw(Image.new("L", (1, 1)))

    def _draw(self, char):
        drawn = self._captcha._draw_character(char, self._scratch, (255, 255, 255))
        return drawn.convert("L").point(self._captcha.lookup_table)

    def glyph(self, char, rng):
        variants = self._glyphs.get(char)
        if variants is None:
            variants = self._glyphs[char] = [self._draw(char) for _ in range(self.VARIANTS)]
        i = rng.randrange(self.VARIANTS)
        mask = variants[i]
        if rng.randrange(self.REDRAW_EVERY) == 0:
            variants[i] = self._draw(char)
        return mask


_pool = _GlyphPool(_image)
WIDTH, HEIGHT = 170, 64


def _dot_shape():
    """The pixels a noise dot covers, around its point: the short 3-pixel-wide
    stroke ImageCaptcha draws for each dot (((x, y), (x - 1, y - 1))), read
    once from a drawing of it so that all of an image's dots are set in one
    call instead of one line a dot (test_captcha checks both agree)."""
    probe = Image.new("L", (16, 16), 0)
    ImageDraw.Draw(probe).line(((8, 8), (7, 7)), fill=255, width=3)
    return tuple((i % 16 - 8, i // 16 - 8) for i, v in enumerate(probe.tobytes()) if v)


DOT = _dot_shape()
DOTS = 30


def png(answer: str) -> bytes:
    """A small 16-colour PNG of `answer`: warped glyphs set with uneven
    overlap and gaps, a noise arc and dots in the text's colour, softened,
    as ImageCaptcha draws them, composed in grey levels and coloured by the
    palette (a random dark ink on a random light paper). The answer comes
    from the signed token; the drawing's randomness from a generator seeded
    afresh from the OS for each image (one system call, not one a dot)."""
    rng = random.Random(secrets.randbits(128))  # noqa: S311 - seeded per image from secrets
    masks = [_pool.glyph(c, rng) for c in answer]
    text_width = sum(m.size[0] for m in masks)
    average = text_width // len(masks)
    width = max(text_width + average // 2, WIDTH)
    canvas = Image.new("L", (width, HEIGHT), 0)
    offset = average // 10
    for mask in masks:
        w, h = mask.size
        canvas.paste(255, (offset, (HEIGHT - h) // 2), mask)
        # A gap now and then (the library's word space), an overlap otherwise.
        offset += w - rng.randrange(int(0.25 * average) + 1) + (
            rng.randrange(average // 3 + 1) if rng.randrange(2) else 0)
    if width > WIDTH:
        canvas = canvas.resize((WIDTH, HEIGHT), Image.Resampling.BILINEAR)
    xs, ys = rng.choices(range(WIDTH + 1), k=DOTS), rng.choices(range(HEIGHT + 1), k=DOTS)
    draw = ImageDraw.Draw(canvas)
    draw.point([(x + dx, y + dy) for x, y in zip(xs, ys, strict=True) for dx, dy in DOT], fill=255)
    box, start, end = noise_arc(rng)
    draw.arc(box, start, end, fill=255)
    canvas = canvas.filter(ImageFilter.SMOOTH)
    paper = [rng.randint(238, 255) for _ in range(3)]
    ink = [rng.randint(10, 200) for _ in range(3)]
    palette = bytes((p * (15 - level) + i * level + 7) // 15
                    for level in range(16) for p, i in zip(paper, ink, strict=True))
    return _png_4bit(canvas.size, canvas.tobytes().translate(_SIXTEEN_LEVELS), palette)


def noise_arc(rng, width=WIDTH, height=HEIGHT):
    """(box, start, end) of the noise arc as ImageCaptcha.create_noise_curve
    draws it (the same ranges, in the same order), its numbers from the
    image's own generator: the library asks the operating system for each of
    its six (test_captcha: the same numbers draw the library's very arc)."""
    x1 = rng.randrange(width // 5 + 1)
    x2 = rng.randrange(width - width // 5 + 1) + width // 5
    y1 = rng.randrange(height - 2 * (height // 5) + 1) + height // 5
    y2 = rng.randrange(height - y1 - height // 5 + 1) + y1
    end = rng.randrange(41) + 160
    return [x1, y1, x2, y2], rng.randrange(21), end


# Grey 0-255 to the palette's 16 levels, as one byte table (bytes.translate).
_SIXTEEN_LEVELS = bytes(v * 16 // 256 for v in range(256))


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(body, zlib.crc32(kind)))


def _png_4bit(size, levels: bytes, palette: bytes) -> bytes:
    """A 4-bit palette PNG of `levels` (one byte a pixel, values 0-15, rows
    top to bottom): the signature, IHDR, PLTE, one IDAT and IEND, written
    here rather than by Pillow's PNG plugin, which took ~0.23 ms of an
    image's ~0.55 ms (bench/visit.py). Each row is unfiltered (filter byte
    0): 2 pixels a byte of 16 levels compress well as they are; zlib level 3
    makes the file a little smaller than the plugin's (~1.7 KB against
    ~1.9 KB) at a quarter of level 6's time."""
    width, height = size
    # Two blank pixels before each row pack into its filter byte (0), and an
    # odd row gets a blank pixel after it, as the 4-bit packing pads it: the
    # rows come out of Pillow ready for zlib, none copied in Python.
    rows = Image.new("P", (width + 2 + width % 2, height), 0)
    rows.paste(Image.frombytes("P", size, levels), (2, 0))
    raw = rows.tobytes("raw", "P;4")
    header = struct.pack(">IIBBBBB", width, height, 4, 3, 0, 0, 0)  # 4 bits, palette, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"PLTE", palette)
            + _chunk(b"IDAT", zlib.compress(raw, 3)) + _chunk(b"IEND", b""))


def png_data_uri(answer: str) -> str:
    """The image of a challenge's `answer` (services.new_challenge) as a
    data: URI, for the first image of a page: the same PNG as
    /captcha/<token>.png, one request fewer per visit (the image still
    answers for its token only, once)."""
    return "data:image/png;base64," + base64.b64encode(png(answer)).decode("ascii")


def voices_dir():
    return current_app.config.get("CAPTCHA_VOICES_DIR") or os.path.join(
        current_app.instance_path, "captcha-voices")


def voices_complete(directory) -> bool:
    """Every digit and both phrases are recorded in `directory`."""
    return all(os.path.isdir(os.path.join(directory, name)) for name in ("9", *PHRASES))


# Folders found complete, with when they were: every captcha widget asks
# (the page, each search answer, the refresh), three stat calls each time.
_complete_seen = {}
COMPLETE_RECHECK_SECONDS = 60


def audio_available() -> bool:
    """Whether the audio alternative can be offered. A folder found complete
    is believed for a minute; an incomplete one is looked at every time, so
    recordings made by `flask setup` while the site runs show at once."""
    directory = voices_dir()
    seen = _complete_seen.get(directory)
    now = time.monotonic()
    if seen is not None and now - seen < COMPLETE_RECHECK_SECONDS:
        return True
    if voices_complete(directory):
        _complete_seen[directory] = now
        return True
    _complete_seen.pop(directory, None)
    return False


def _read(path):
    """Samples of one recording as signed integers (-128..127), without the
    silence espeak-ng leaves around a word (half a second after each)."""
    with wave.open(path) as w:
        samples = [b - 128 for b in w.readframes(-1)]
    loud = [i for i, value in enumerate(samples) if abs(value) > 3]
    return samples[loud[0]:loud[-1] + 1] if loud else samples


def _load(directory):
    voices = _voices.get(directory)
    if voices is None:
        voices = {}
        for name in [str(d) for d in range(10)] + list(PHRASES):
            folder = os.path.join(directory, name)
            voices[name] = [_read(os.path.join(folder, f)) for f in sorted(os.listdir(folder))
                            if f.endswith(".wav")]
        _voices[directory] = voices
    return voices


def _twist(samples):
    """One digit said a little faster or slower and louder or softer, so the
    same digit never sounds exactly the same."""
    speed = (secrets.randbelow(21) + 90) / 100
    level = (secrets.randbelow(31) + 85) / 100
    length = int(len(samples) / speed)
    return [int(samples[min(len(samples) - 1, int(i * speed))] * level) for i in range(length)]


def _babble(voices, length):
    """Quiet reversed digits under the reading: hard for a speech-to-text
    bot to skip, easy for a person to ignore."""
    out = [0] * length
    pos = 0
    while pos < length:
        sound = secrets.choice(voices[str(secrets.randbelow(10))])[::-1]
        level = (secrets.randbelow(10) + 12) / 100
        for i, value in enumerate(sound[: length - pos]):
            out[pos + i] = int(value * level)
        pos += len(sound) + secrets.randbelow(RATE // 8)
    return out


def _reading(voices, answer):
    """The digits with short, uneven gaps, over babble and a little hiss."""
    parts = []
    for digit in answer:
        parts.append(_twist(secrets.choice(voices[digit])))
        parts.append([0] * (RATE // 4 + secrets.randbelow(RATE // 4)))
    body = [s for part in parts for s in part]
    noise = _babble(voices, len(body))
    return [body[i] + noise[i] + secrets.randbelow(5) - 2 for i in range(len(body))]


def clip_samples(answer: str) -> list:
    """The whole clip at RATE as signed 8-bit-range samples."""
    voices = _load(voices_dir())
    pause = [0] * (RATE // 3)
    samples = voices["intro"][0] + pause + _reading(voices, answer) + voices["again"][0] + pause
    return samples + _reading(voices, answer)


def _encode_mp3(samples) -> bytes:
    """8 kHz samples → 16 kHz 16-bit PCM (linear interpolation) → MP3."""
    pcm = array.array("h")
    last = 0
    for value in samples:
        value = max(-127, min(127, value)) * 256
        pcm.append((last + value) // 2)
        pcm.append(value)
        last = value
    encoder = lameenc.Encoder()
    encoder.set_channels(1)
    encoder.set_in_sample_rate(MP3_RATE)
    encoder.set_bit_rate(MP3_KBPS)
    encoder.set_quality(5)
    return bytes(encoder.encode(pcm.tobytes()) + encoder.flush())


def mp3(answer: str) -> bytes:
    """The audio challenge for `answer` (digits) as an MP3 file."""
    return _encode_mp3(clip_samples(answer))


def _to_8k_u8(path_in, path_out):
    """Recordings are kept as 8 kHz, 8-bit unsigned mono; espeak-ng writes
    22.05 kHz, 16-bit signed."""
    with wave.open(path_in) as w:
        rate, width, frames = w.getframerate(), w.getsampwidth(), w.readframes(-1)
    samples = struct.unpack(f"<{len(frames) // width}h", frames) if width == 2 else frames
    step = rate / RATE
    out = bytearray()
    pos = 0.0
    while int(pos) < len(samples):
        out.append(((samples[int(pos)] >> 8) + 128) & 0xFF)
        pos += step
    with wave.open(path_out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(RATE)
        w.writeframes(bytes(out))


def _record(espeak, folder, text, variants):
    os.makedirs(folder, exist_ok=True)
    for i, variant in enumerate(variants):
        raw = os.path.join(folder, f"raw{i}.tmp")
        subprocess.run([espeak, "-v", "id", *variant, "-w", raw, text], check=True, capture_output=True)
        _to_8k_u8(raw, os.path.join(folder, f"v{i}.wav"))
        os.remove(raw)


def record_voices(directory):
    """Records the ten digits and the spoken instructions with espeak-ng into
    `directory`. Returns False when espeak-ng is not installed (the audio
    alternative is then off)."""
    espeak = shutil.which("espeak-ng") or shutil.which("espeak")
    if not espeak:
        return False
    for digit, word in enumerate(DIGIT_WORDS):
        _record(espeak, os.path.join(directory, str(digit)), word, _VARIANTS)
    for name, text in PHRASES.items():
        _record(espeak, os.path.join(directory, name), text, [("-s", "140", "-p", "50")])
    _voices.pop(directory, None)
    return True
