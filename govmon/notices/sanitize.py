"""Untrusted text (page titles, URLs, event messages) made safe for DOCX and XLSX.

HTML needs no help here: Jinja2 escapes it.  Office documents do: a cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by a
spreadsheet as a formula (CSV/formula injection, OWASP), and control
characters are illegal in the XML of both formats.  We prefix such text with an
apostrophe — visible, so a reader sees the text was neutralised, and it survives
a copy to CSV, where a zero-width space would be stripped or invisible.
"""

from __future__ import annotations

import re

# C0 controls except tab, LF and CR; DEL and C1; bidi overrides that reorder text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
# Full-width forms too: some spreadsheet programs normalise them.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?%?$")

INERT_PREFIX = "'"


def strip_controls(text: object) -> str:
    """Text without control characters (XML 1.0 forbids most of them)."""
    return _CONTROL.sub("", "" if text is None else str(text))


def inert(text: object) -> str:
    """Text that no spreadsheet will evaluate: formula starts get a ``'`` prefix.

    A plain number written as text ("-5", "+3.5") cannot run anything and stays
    as it is; real numbers should be written as numbers, not passed here.
    """
    out = strip_controls(text)
    if out.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(out):
        return INERT_PREFIX + out
    return out


def safe_href(url: str) -> str | None:
    """The URL if a browser may link to it (http/https only), else None."""
    lowered = url.strip().lower()
    if lowered.startswith(("http://", "https://")):
        return url.strip()
    return None
