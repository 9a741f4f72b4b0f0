"""Photo decode memory (issue 14, item 4): N uploads of one hostile PNG at
once (tiny file, many pixels) through uploads.process_image, in threads of
one process as a gunicorn gthread worker runs them; prints peak RSS and RSS
after. Bounded: at most 16 uploads, one process.

    .venv/bin/python -m bench.decodemem --uploads 16
    .venv/bin/python -m bench.decodemem --uploads 4 --module /tmp/uploads_before.py --pixels 39000000

(--module: another uploads.py, e.g. the one before the fix, for comparison.)
"""

import argparse
import importlib.util
import io
import math
import resource
import tempfile
import threading
import time

from PIL import Image


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def hostile_png(pixels):
    side = int(math.sqrt(pixels))
    image = Image.new("RGBA", (side, pixels // side), (250, 250, 250, 255))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)
    return out.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=16)
    parser.add_argument("--pixels", type=int, default=11_900_000)
    parser.add_argument("--module", default=None)
    args = parser.parse_args()
    if not 1 <= args.uploads <= 16 or args.pixels > 40_000_000:
        raise SystemExit("bounded: 1..16 uploads, at most 40 MP")
    from webapp import create_app

    data = hostile_png(args.pixels)
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": tempfile.mkdtemp()})
    uploads = app.import_name and __import__("webapp.uploads", fromlist=["x"])
    if args.module:
        spec = importlib.util.spec_from_file_location("uploads_other", args.module)
        uploads = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(uploads)
    base = rss_mb()
    errors = []

    def one():
        with app.app_context():
            try:
                uploads.process_image(io.BytesIO(data))
            except Exception as exc:  # noqa: BLE001 - counted, printed
                errors.append(type(exc).__name__)

    threads = [threading.Thread(target=one) for _ in range(args.uploads)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    time.sleep(0.5)
    print(f"{args.uploads} x PNG {len(data) // 1024} KB, {args.pixels / 1e6:.1f} MP "
          f"({args.module or 'webapp.uploads'}): RSS before {base:.0f} MB, peak {peak:.0f} MB, "
          f"after {rss_mb():.0f} MB, {took:.1f} s, refused {len(errors)}")


if __name__ == "__main__":
    main()
