"""GSM-7: what fits in an SMS. One part holds 160 septets; a long SMS is
split into parts of 153 (7 go to the concatenation header). Characters of
the extension table (€ [ ] { } ^ ~ | \\) take two septets. A text with any
other character would go as UCS-2 (70 / 67 per part), so replies are first
turned into GSM-7 (– → -, ’ → ', accents dropped where GSM-7 has none)."""

import unicodedata

BASIC = ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
         "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
EXTENSION = "^{}\\[~]|€\f"
_BASIC, _EXTENSION = frozenset(BASIC), frozenset(EXTENSION)
SINGLE, PART = 160, 153
_REPLACE = {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "\u00a0": " ",
            "\t": " ", "•": "-", "×": "x"}


def septets(text):
    """Septets `text` needs in GSM-7, or None when a character is not in it."""
    count = 0
    for ch in text:
        if ch in _BASIC:
            count += 1
        elif ch in _EXTENSION:
            count += 2
        else:
            return None
    return count


def parts(text):
    """How many SMS parts `text` takes (GSM-7 or, failing that, UCS-2)."""
    size = septets(text)
    single, part = (SINGLE, PART) if size is not None else (70, 67)
    if size is None:
        size = len(text.encode("utf-16-be")) // 2
    return 1 if size <= single else -(-size // part)


def to_gsm(text):
    """`text` in GSM-7 characters only: look-alikes replaced, accents GSM-7
    lacks dropped, anything else as '?'."""
    out = []
    for ch in text:
        ch = _REPLACE.get(ch, ch)
        if septets(ch) is None:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            ch = base if base and septets(base) is not None else "?"
        out.append(ch)
    return "".join(out)


def fit(text, max_parts=2):
    """`text` in GSM-7, cut at a word (ending in '..') so it takes at most
    `max_parts` parts."""
    text = " ".join(to_gsm(text).split())
    if parts(text) <= max_parts:
        return text
    room = (SINGLE if max_parts == 1 else PART * max_parts) - 2
    cut = ""
    for word in text.split(" "):
        candidate = f"{cut} {word}" if cut else word
        if septets(candidate) > room:
            break
        cut = candidate
    if not cut:  # one endless word
        cut = text
        while septets(cut) > room:
            cut = cut[:-1]
    return cut + ".."
