"""The class report as one page: ``report_html(data)``.

One self-contained page (its CSS and script inline, nothing fetched from
anywhere, readable from ``file://``), drawn by ``frontend/report.js`` from the
data :func:`annotate.classroom.report_data.build_report` makes. The data reaches
the page as JSON in a ``<script type="application/json">`` with ``<``, ``>``,
``&``, U+2028 and U+2029 escaped, so no note can end the script; the script
draws it with ``textContent`` only.

>>> script_json({"note": "</script><b>"})
'{"note":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
"""

from __future__ import annotations

import base64
import hashlib
import html
from typing import Any

import orjson

from ..frontend import FRONTEND_DIR
from .report_views import ReportData

__all__ = ["report_html", "script_json"]

_JSON_ESCAPES = (
    (b"<", b"\\u003c"),
    (b">", b"\\u003e"),
    (b"&", b"\\u0026"),
    ("\u2028".encode(), b"\\u2028"),
    ("\u2029".encode(), b"\\u2029"),
)


def script_json(data: Any) -> str:
    """``data`` as JSON that is safe inside a ``<script>`` element."""
    # orjson writes what json.dumps(ensure_ascii=False, separators=(",", ":")) writes,
    # the same characters escaped, at a tenth of the time; a number may be spelt
    # another way (0.00001 for 1e-05), the same value to any JSON reader.
    text = orjson.dumps(data)
    # Escaped in the UTF-8 bytes, before decoding: in UTF-8 no character's bytes turn
    # up inside another's, and a byte search is several times faster than a search in
    # a str holding any non-ASCII character. U+2028 and U+2029 end in a byte (A8, A9)
    # that most texts lack: a one-byte scan says whether to look for them at all.
    for raw, escaped in _JSON_ESCAPES:
        if raw[-1:] in text:
            text = text.replace(raw, escaped)
    return text.decode("utf-8")


def _inline(name: str, tag: str) -> str:
    body = (FRONTEND_DIR / name).read_text(encoding="utf-8")
    if f"</{tag}" in body.lower():
        raise ValueError(f"frontend/{name} holds '</{tag}' and cannot be inlined")
    return body


def _csp_hash(body: str) -> str:
    digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
    return f"'sha256-{digest}'"


def report_html(data: ReportData) -> str:
    """The report page: one HTML file with its style, script and data inline.

    Its Content-Security-Policy allows only its own script and style (by hash)
    and no request of any kind, so a note that slipped past every escape still
    could not run or fetch anything.
    """
    css = _inline("report.css", "style")
    js = _inline("report.js", "script")
    policy = "; ".join(
        (
            "default-src 'none'",
            f"script-src {_csp_hash(js)}",
            f"style-src {_csp_hash(css)}",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )
    t = data["totals"]
    title = html.escape(data["title"])
    summary = html.escape(
        f"{t['students']} students · {t['annotations']} annotations · "
        f"{t['withNotes']} with a note · {t['orphaned']} not found in the current text"
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{html.escape(policy)}">
<meta name="referrer" content="no-referrer">
<title>Class report: {title}</title>
<style>{css}</style>
</head>
<body class="annotate-report-page">
<div class="annotate-report" id="annotate-report">
<header class="annotate-report-header">
<p class="annotate-report-kicker">Class report</p>
<h1>{title}</h1>
<p>{summary}</p>
</header>
<noscript><p>The heatmap, filters and notes need JavaScript; the CSV export holds every
annotation.</p></noscript>
</div>
<script type="application/json" id="annotate-report-data">{script_json(data)}</script>
<script type="module">{js}</script>
</body>
</html>
"""
