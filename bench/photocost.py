"""Cost of encryption at rest per photo served (issue 14): the time
uploads.read() takes for a stored (sealed) photo against reading the same
bytes unsealed, and seal() per photo stored. One process, in memory and on
the instance disk (page cache warm), bounded at 2,000 rounds.

    .venv/bin/python -m bench.photocost --rounds 1000
"""

import argparse
import io
import os
import tempfile
import time

from PIL import Image


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1000)
    args = parser.parse_args()
    rounds = max(1, min(args.rounds, 2000))
    from webapp import create_app, crypto, uploads

    instance = tempfile.mkdtemp()
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": instance})
    image = Image.effect_noise((1600, 1000), 60).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82)
    photo = out.getvalue()
    with app.app_context():
        name = uploads.store(photo, "bench")
        plain = os.path.join(instance, "plain.jpg")
        with open(plain, "wb") as f:
            f.write(photo)
        start = time.perf_counter()
        for _ in range(rounds):
            with open(plain, "rb") as f:
                f.read()
        raw = (time.perf_counter() - start) / rounds
        start = time.perf_counter()
        for _ in range(rounds):
            uploads.read(name)
        sealed = (time.perf_counter() - start) / rounds
        start = time.perf_counter()
        for _ in range(rounds):
            crypto.seal(photo)
        seal = (time.perf_counter() - start) / rounds
    size = len(photo) / 1024
    print(f"photo {size:.0f} KB, {rounds} rounds: read plain {raw * 1e6:.0f} µs, read+unseal "
          f"{sealed * 1e6:.0f} µs (+{(sealed - raw) * 1e6:.0f} µs per photo served, "
          f"{sealed / raw:.1f}x the bare read), seal {seal * 1e6:.0f} µs per photo stored")


if __name__ == "__main__":
    main()
