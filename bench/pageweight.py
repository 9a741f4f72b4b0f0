"""Page weight on a cold cache: for each main page, the HTML and every
<link href>, <script src> and <img src> it names, fetched uncompressed and
with Accept-Encoding gzip and br; body bytes as sent on the wire (headers not
counted). Run against a server started by bench.load (see run_all.py).
"""

import re
import urllib.error
import urllib.request
from urllib.parse import urljoin

from bench.load import CAPTCHA, KECAMATAN_108, region_fields

_URL = re.compile(r'<(?:link[^>]*?\shref|script[^>]*?\ssrc|img[^>]*?\ssrc)="([^"]+)"')
ENCODINGS = ("identity", "gzip", "br")


def fetch(url, encoding, data=None, headers=None):
    """(status, body bytes as transferred, text) without decompressing."""
    req = urllib.request.Request(url, data=data, headers={"Accept-Encoding": encoding, **(headers or {})})  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=10) as r:  # noqa: S310 - localhost
            body, status, used = r.read(), r.status, r.headers.get("Content-Encoding", "identity")
    except urllib.error.HTTPError as e:
        body, status, used = e.read(), e.code, e.headers.get("Content-Encoding", "identity")
    text = body.decode(errors="replace") if used == "identity" else None
    return status, len(body), text, used


def assets(html, lazy=False):
    """Sub-resources a browser loads on opening the page: stylesheets,
    scripts, images (not preconnects etc.). An image marked loading="lazy" is
    fetched only once it comes into view (Chromium fetches the compatibility
    form's captcha, in a closed <details>, only when that form is opened);
    lazy=True lists those instead."""
    urls = []
    for match in _URL.finditer(html):
        tag = match.group(0)
        if tag.startswith("<link") and 'rel="stylesheet"' not in tag and "icon" not in tag:
            continue
        end = html.find(">", match.end())
        is_lazy = tag.startswith("<img") and 'loading="lazy"' in html[match.start():end]
        if is_lazy != lazy:
            continue
        if not match.group(1).startswith("data:") and match.group(1) not in urls:
            urls.append(match.group(1))
    return urls


def page(base, path, data=None):
    """{encoding: total bytes}, request count, per-URL sizes; lazy images
    (fetched only when in view) apart, under "lazy"."""
    status, _n, html, _u = fetch(base + path, "identity", data)
    urls = [base + path] + [urljoin(base + path, u) for u in assets(html)]
    later = [urljoin(base + path, u) for u in assets(html, lazy=True)]
    totals, rows, lazy = {}, [], {}
    for enc in ENCODINGS:
        total = 0
        for i, url in enumerate(urls):
            # A page carrying a captcha is fetched fresh each time: its image differs per token.
            _s, n, _t, used = fetch(url, enc, data if i == 0 else None)
            total += n
            if enc == "br":
                rows.append((url.replace(base, ""), n, used))
        totals[enc] = total
        lazy[enc] = sum(fetch(url, enc)[1] for url in later)
    return {"path": path, "status": status, "requests": len(urls), "totals": totals, "rows": rows,
            "lazy": lazy, "lazy_requests": len(later)}


def fragment(base):
    headers = {"HX-Request": "true", "HX-Target": "desa"}
    url = f"{base}/wilayah/{KECAMATAN_108}"
    return {enc: fetch(url, enc, headers=headers)[1] for enc in ENCODINGS}


def measure(base, person, token_for):
    """person: (desa, name, nik) of a registered person; token_for(): a fresh captcha token."""
    from urllib.parse import urlencode

    desa, name, _nik = person

    def result_body():
        return urlencode({"mode": "nama", "nama": name, "captcha": CAPTCHA, "captcha_token": token_for(),
                          **region_fields(desa)}).encode()

    pages = [page(base, "/"), page(base, "/?mode=nik"), page(base, "/tidak-ada-halaman-ini")]
    # The result page (no JavaScript: the whole page) needs a fresh token for every fetch.
    status, _n, html, _u = fetch(base + "/", "identity", result_body())
    urls = [urljoin(base, u) for u in assets(html)]
    totals = {enc: fetch(base + "/", enc, result_body())[1] + sum(fetch(u, enc)[1] for u in urls)
              for enc in ENCODINGS}
    pages.insert(2, {"path": "POST / (result, found)", "status": status, "requests": 1 + len(urls),
                     "totals": totals, "rows": []})
    return pages, fragment(base)


def report(pages, frag):
    lines = ["| page | status | requests | uncompressed | gzip | br |", "|---|---:|---:|---:|---:|---:|"]
    for p in pages:
        t = p["totals"]
        lines.append(f"| {p['path']} | {p['status']} | {p['requests']} | {t['identity'] / 1024:.1f} KB "
                     f"| {t['gzip'] / 1024:.1f} KB | {t['br'] / 1024:.1f} KB |")
    sizes = " | ".join(f"{frag[enc] / 1024:.1f} KB" for enc in ENCODINGS)
    lines.append(f"| fragment /wilayah/{KECAMATAN_108} (108 desa) | 200 | 1 | {sizes} |")
    first = pages[0]
    lines += ["", f"Lookup page ({first['path']}), each request with br:", ""]
    lines += [f"- {url}: {n:,} bytes ({used})" for url, n, used in first["rows"]]
    if first.get("lazy_requests"):
        lines.append(f"- and {first['lazy_requests']} lazy image(s) fetched only when in view "
                     f"(the compatibility form, when opened): {first['lazy']['br']:,} bytes")
    return "\n".join(lines) + "\n"
