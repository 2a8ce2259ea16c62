"""Text from untrusted sources (children, file names, archives) made safe to store and show anywhere."""
from __future__ import annotations

import unicodedata

# shown as escapes: C0/C1 controls (ESC starts terminal sequences) and the invisible format
# characters that reorder or hide text (bidi overrides, zero-width joiners)
_KEEP = {"\n", "\t"}


def _escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def clean_text(value: object, limit: int = 2000, *, newlines: bool = True) -> str:
    """``value`` as a string with no lone surrogates, no control or format characters, at most ``limit`` chars.

    Lone surrogates (from ``"\\ud800"`` or undecodable file-name bytes) become ``\\udcNN``-style
    escapes, so the text always encodes as UTF-8; control characters (terminal escapes among them)
    are shown escaped, never interpreted. With ``newlines`` False, newlines and tabs are escaped too
    (for one-line fields such as names).
    """
    if not isinstance(value, str):
        try:
            value = str(value)
        except Exception:  # a hostile __str__
            value = f"<unprintable {type(value).__name__}>"
    if len(value) > limit * 4 + 64:
        value = value[:limit * 4 + 64]  # escapes at most quadruple a character; never scan megabytes
    if value.isascii() and value.isprintable():
        text = value
    else:
        parts = []
        for ch in value:
            code = ord(ch)
            if newlines and ch in _KEEP:
                parts.append(ch)
            elif 0xD800 <= code <= 0xDFFF or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
                parts.append(_escape(ch))
            else:
                parts.append(ch)
        text = "".join(parts)
    if len(text) > limit:
        text = text[:max(0, limit - 6)] + " [...]"
    return text


def shown_name(name: str, limit: int = 200) -> str:
    """A file or folder name as it may be printed: one line, escaped, bounded."""
    return clean_text(name, limit, newlines=False)


def capped(lines: list[str], limit: int, what: str = "more warnings") -> list[str]:
    """At most ``limit`` lines, the rest summarised in one line."""
    if len(lines) <= limit:
        return list(lines)
    return [*lines[:limit], f"... and {len(lines) - limit} {what}"]
