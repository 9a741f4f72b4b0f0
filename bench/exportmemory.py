"""Peak Python memory of an export of N synthetic rows: the old way (the
whole CSV in one StringIO, as /petugas/ekspor.csv did) against the streamed
CSV and .xlsx writers (webapp.petugas.fileformat). Prints figures for
docs/benchmarks.md:

    .venv/bin/python -m bench.exportmemory --rows 200000
"""

import argparse
import csv
import io
import time
import tracemalloc

from webapp.petugas.fileformat import EXPORT_ROWS_HEADER, csv_chunks, xlsx_chunks


def rows(n):
    for i in range(n):
        yield [f"USL-{i:04X}-TEST", "32.76.06.1001", "Beji", f"3276061708{i % 1000000:06d}",
               f"Warga Sintetis {i}", "PKH,PBI-JK", "verifikasi", "musyawarah", "operator_desa",
               "2026-11-02T09:00:00", ""]


def whole_in_memory(n):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_ROWS_HEADER)
    for row in rows(n):
        writer.writerow(row)
    return len(out.getvalue().encode())


def drain(chunks):
    return sum(len(c if isinstance(c, bytes) else c.encode()) for c in chunks)


def measure(label, fn):
    tracemalloc.start()
    start = time.perf_counter()
    size = fn()
    seconds = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<28} {size / 1e6:8.1f} MB out   peak {peak / 1e6:8.2f} MB   {seconds:6.1f} s")
    return peak


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    n = parser.parse_args().rows
    print(f"{n} rows")
    before = measure("CSV whole in memory (before)", lambda: whole_in_memory(n))
    after = measure("CSV streamed", lambda: drain(csv_chunks(EXPORT_ROWS_HEADER, rows(n))))
    xlsx = measure("XLSX streamed", lambda: drain(xlsx_chunks(EXPORT_ROWS_HEADER, rows(n), ("nik",))))
    print(f"peak memory, streamed CSV / whole CSV: {after / before:.4f}; "
          f"XLSX / whole CSV: {xlsx / before:.4f}")


if __name__ == "__main__":
    main()
