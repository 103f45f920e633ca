"""Plain A4 documents (résumés, agreements, reports) as PDF, with Chinese text.

Text uses reportlab's built-in CID font STSong-Light (Adobe-GB1), which every PDF reader maps to a
system Song face: no font file ships with the platform and the PDFs stay small. Build a document from
blocks and call :func:`render`::

    pdf = render(_("Résumé"), [Heading("教育经历"), Fields([("学校", "…"), ("专业", "…")]), Paragraph("…")])

Everything given is plain text: it is escaped, so user input cannot inject markup.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph as _Paragraph
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    small: bool = False


@dataclass(frozen=True)
class Fields:
    """Label / value pairs in two columns."""

    rows: list[tuple[str, str]]


@dataclass(frozen=True)
class Grid:
    """A table with a header row; every cell is text."""

    header: list[str]
    rows: list[list[str]]


Block = Heading | Paragraph | Fields | Grid


def _styles():
    font = _font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=18, leading=24, spaceAfter=6 * mm, alignment=1),
        "heading": ParagraphStyle("heading", fontName=font, fontSize=13, leading=18, spaceBefore=4 * mm,
                                  spaceAfter=2 * mm),
        "body": ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK"),
        "small": ParagraphStyle("small", fontName=font, fontSize=8.5, leading=12, wordWrap="CJK",
                                textColor=colors.HexColor("#555555")),
    }


def _text(value: object, style) -> _Paragraph:
    return _Paragraph(escape(str(value)).replace("\n", "<br/>"), style)


def _table(rows, widths, style, header: bool) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")))
    else:
        commands.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f4f4f4")))
    table.setStyle(TableStyle(commands))
    return table


def render(title: str, blocks: list[Block], *, author: str = "", subject: str = "") -> bytes:
    """The PDF bytes of a document with ``title`` on top and ``blocks`` below, in order."""
    styles = _styles()
    width = A4[0] - 40 * mm
    story = [_text(title, styles["title"])]
    for block in blocks:
        if isinstance(block, Heading):
            story.append(_text(block.text, styles["heading"]))
        elif isinstance(block, Paragraph):
            story.append(_text(block.text, styles["small" if block.small else "body"]))
            story.append(Spacer(1, 2 * mm))
        elif isinstance(block, Fields):
            rows = [[_text(k, styles["body"]), _text(v, styles["body"])] for k, v in block.rows]
            if rows:
                story.append(_table(rows, [width * 0.28, width * 0.72], styles, header=False))
        elif isinstance(block, Grid):
            columns = max(len(block.header), 1)
            rows = [[_text(c, styles["body"]) for c in block.header]]
            rows += [[_text(c, styles["body"]) for c in row] for row in block.rows]
            story.append(_table(rows, [width / columns] * columns, styles, header=True))
        else:  # pragma: no cover - a programming error
            raise TypeError(f"not a PDF block: {block!r}")
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=title, author=author, subject=subject)
    doc.build(story)
    return buffer.getvalue()
