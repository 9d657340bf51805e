"""A PDF page's characters and ruling paths from PDFium (pypdfium2), in pdfminer's conventions.

pdfplumber gets a page's objects by running pdfminer over its content stream, which is pure Python
and was ~80% of the time of reading a report (~250 ms of ~330 ms for four pages).  PDFium (C++,
the engine of Chrome's PDF viewer; pypdfium2 ships it and pdfplumber already depends on it) reads
the same page in a few milliseconds.  :func:`page_objects` builds, from PDFium, the dicts pdfplumber
would have built from pdfminer — characters, lines, rectangles and curves, with the same
coordinates — and the reader hands them to pdfplumber (:func:`use_objects`), so that table
finding, word and line extraction and everything after them are unchanged.

The conventions copied (pdfminer.six's ``LTChar``/``paint_path`` and pdfplumber's
``process_object``):

* A character's box runs from its origin to origin + advance (the font's declared width: a
  substituted system font's own glyphs may be wider or narrower) horizontally, and from origin +
  font descent to that + font size vertically, both scaled by the character's matrix
  (horizontal scaling, ``Tz``, which PDFium does not report, is taken as 100%); ``top`` and
  ``bottom`` are measured from the top of the page, ``doctop`` from the top of the document.
  Characters PDFium generates (spaces and line breaks it infers) are left out; space glyphs in
  the content stream are kept, as pdfminer keeps them.
* A painted path is split into subpaths at each move; a subpath of one segment is a ``line``, of
  four segments closed on an axis-aligned rectangle a ``rect``, anything else a ``curve`` whose
  points are the segments' end points.  A path neither stroked nor filled (a clipping path) is not
  painted.  Paths inside form XObjects are included with the forms' matrices.

Whenever a page has something these conventions do not cover exactly, :func:`page_objects`
returns None and that page is read by pdfminer as before: rotated pages, a media box not at the
origin, rotated, skewed or mirrored characters, glyphs without a Unicode mapping (pdfminer's
``(cid:NN)``), glyphs that map to several characters, text outside the Basic Multilingual Plane,
a page without characters (pdfminer also reports its images, which the scanned-page check
uses), a text object PDFium's text page leaves out (its glyph boxes are empty — a font that is not
embedded and has no system substitute, or a lone space —, or it repeats the previous object at
the same place), marked content with an ``ActualText`` (PDFium shows that text instead of the
glyphs) and a line-end hyphen PDFium joins to the next line.

Two differences are accepted: PDFium's text page keeps one space of a run of spaces on a line
(the reader collapses runs of spaces anyway) and drops a glyph drawn again within 7% of the font
size of the same glyph a few characters before (overprinted "fake bold"; a whole repeated object
is caught above).  PDFium is not thread-safe, so every call into it holds :data:`LOCK`.
"""

from __future__ import annotations

import ctypes
import threading
from typing import Any

LOCK = threading.Lock()

_MOVE, _LINE, _BEZIER = 2, 0, 1  # FPDF_SEGMENT_MOVETO / LINETO / BEZIERTO
_TEXT, _PATH, _FORM = 1, 2, 5  # FPDF_PAGEOBJ_TEXT / FPDF_PAGEOBJ_PATH / FPDF_PAGEOBJ_FORM
_MAX_FORM_DEPTH = 12
_MAX_PATHS = 200_000  # path objects per page: past that, pdfminer (with the reader's limits) reads it


class Unsupported(Exception):
    """The page needs pdfminer (see the module docstring)."""


def open_document(path: str) -> Any:
    """A pypdfium2 PdfDocument, or None when PDFium cannot open the file (pdfminer then reads every
    page; the file's own errors are reported by pdfplumber as before)."""
    try:
        import pypdfium2 as pdfium
    except ImportError:  # pragma: no cover - pdfplumber requires it
        return None
    with LOCK:
        try:
            return pdfium.PdfDocument(path)
        except Exception:  # noqa: BLE001 - any failure: the pdfminer path decides
            return None


def close_document(doc: Any) -> None:
    if doc is not None:
        with LOCK:
            doc.close()


def use_objects(plumber_page: Any, objects: dict[str, list[dict[str, Any]]]) -> bool:
    """Give ``plumber_page`` these objects instead of pdfminer's (pdfplumber's ``Page.objects``
    caches what ``parse_objects`` returns in ``_objects``); False if that did not take."""
    plumber_page._objects = objects
    return plumber_page.objects is objects


def page_objects(doc: Any, index: int, plumber_page: Any) -> dict[str, list[dict[str, Any]]] | None:
    """The objects pdfplumber would parse for page ``index`` (0-based) of ``doc``, or None when the
    page must be read by pdfminer."""
    if doc is None:
        return None
    with LOCK:
        try:
            page = doc[index]
        except Exception:  # noqa: BLE001
            return None
        try:
            return _objects(page, plumber_page)
        except Unsupported:
            return None
        except Exception:  # noqa: BLE001 - a PDFium surprise: pdfminer reads the page
            return None
        finally:
            page.close()


def _objects(page: Any, pp: Any) -> dict[str, list[dict[str, Any]]]:
    import pypdfium2.raw as R

    raw = page.raw
    if R.FPDFPage_GetRotation(raw) % 4 != 0 or getattr(pp, "rotation", 0) % 360 != 0:
        raise Unsupported("rotated page")
    mb = pp.mediabox
    if mb[0] != 0 or mb[1] != 0:
        raise Unsupported("media box not at the origin")
    height = float(pp.height)
    if abs(float(pp.bbox[3]) - float(pp.bbox[1]) - height) > 1e-6 or float(pp.bbox[1]) != 0 or float(pp.bbox[0]) != 0:
        raise Unsupported("cropped page")
    number = pp.page_number
    doctop0 = float(pp.initial_doctop)
    chars, shown = _chars(R, page, height, number, doctop0)
    if not chars:
        raise Unsupported("no characters")
    out: dict[str, list[dict[str, Any]]] = {"char": chars}
    paths: list[tuple[str, dict[str, Any]]] = []
    identity = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    count = [0]
    texts: set[int] = set()
    for i in range(R.FPDFPage_CountObjects(raw)):
        _walk(R, R.FPDFPage_GetObject(raw, i), identity, 0, paths, height, number, doctop0, count, texts)
    if not texts <= shown:
        # PDFium's text page leaves out a text object whose glyph boxes are empty (a font that is
        # not embedded and has no system substitute: the glyphs of a one-character CJK object) and
        # one that repeats the previous object at the same place (fake bold); pdfminer keeps both
        raise Unsupported("a text object PDFium's text page leaves out")
    for kind, obj in paths:
        out.setdefault(kind, []).append(obj)
    return out


def _chars(R: Any, page: Any, height: float, number: int, doctop0: float) -> tuple[list[dict[str, Any]], set[int]]:
    """The page's characters, and the text objects they come from (as addresses)."""
    textpage = page.get_textpage()
    try:
        tp = textpage.raw
        n = R.FPDFText_CountChars(tp)
        if n <= 0:
            return [], set()
        buf = ctypes.create_string_buffer((n + 1) * 2)
        got = R.FPDFText_GetText(tp, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
        text = buf.raw[: max(0, got - 1) * 2].decode("utf-16-le", errors="surrogatepass")
        if len(text) != n or any("\ud800" <= ch <= "\udfff" for ch in text):
            raise Unsupported("text outside the BMP")
        glyph_width = ctypes.c_float()
        widths: dict[tuple[int, str], float] = {}  # (text object, character) -> advance
        ox, oy = ctypes.c_double(), ctypes.c_double()
        m = R.FS_MATRIX()
        desc = ctypes.c_float()
        size_raw = ctypes.c_float()
        fonts: dict[int, tuple[float, float, str]] = {}  # text object -> (font size, descent / size, base font name)
        out: list[dict[str, Any]] = []
        last_origin: tuple[float, float] | None = None
        for i in range(n):
            if R.FPDFText_IsGenerated(tp, i):
                last_origin = None
                continue
            ch = text[i]
            if ch in ("\x00", "\x02", "\ufffd", "\ufffe") or R.FPDFText_HasUnicodeMapError(tp, i):
                raise Unsupported("glyph without a Unicode mapping")
            if not R.FPDFText_GetMatrix(tp, i, m):
                raise Unsupported("no character matrix")
            a, b, c, d = m.a, m.b, m.c, m.d
            if b != 0 or c != 0 or a <= 0 or d <= 0:
                raise Unsupported("rotated, skewed or mirrored character")
            R.FPDFText_GetCharOrigin(tp, i, ox, oy)
            origin = (ox.value, oy.value)
            if origin == last_origin:
                raise Unsupported("a glyph mapped to several characters")
            last_origin = origin
            obj = R.FPDFText_GetTextObject(tp, i)
            key = ctypes.cast(obj, ctypes.c_void_p).value or 0
            font = fonts.get(key)
            if font is None:
                if not R.FPDFTextObj_GetFontSize(obj, size_raw) or size_raw.value <= 0:
                    raise Unsupported("no font size")
                f = R.FPDFTextObj_GetFont(obj)
                if not f:
                    raise Unsupported("no font")
                name = _font_name(R, f)
                builtin = _builtin_metrics(name)
                if builtin is not None:  # pdfminer takes a standard font's descent from its own metrics
                    descent = builtin
                elif R.FPDFFont_GetDescent(f, ctypes.c_float(1000.0), desc):
                    descent = float(desc.value) / 1000.0
                else:
                    raise Unsupported("no font descent")
                font = fonts[key] = (float(size_raw.value), descent, name)
            fsize, descent, fontname = font
            wkey = (key, ch)
            adv = widths.get(wkey)
            if adv is None:  # the font's declared width (/W, /Widths), as pdfminer takes it
                if not R.FPDFFont_GetGlyphWidth(R.FPDFTextObj_GetFont(obj), ord(ch), ctypes.c_float(fsize), glyph_width):
                    raise Unsupported("no glyph width")
                adv = widths[wkey] = float(glyph_width.value)
            x0 = origin[0]
            x1 = x0 + adv * a
            size = fsize * d
            y0 = origin[1] + descent * fsize * d
            y1 = y0 + size
            top = height - y1
            bottom = height - y0
            out.append(
                {
                    "text": ch,
                    "fontname": fontname,
                    "size": size,
                    "adv": adv,
                    "upright": True,
                    "x0": x0,
                    "y0": y0,
                    "x1": x1,
                    "y1": y1,
                    "width": x1 - x0,
                    "height": size,
                    "top": top,
                    "bottom": bottom,
                    "doctop": doctop0 + top,
                    "matrix": (a, b, c, d, origin[0], origin[1]),
                    "object_type": "char",
                    "page_number": number,
                }
            )
        return out, set(fonts)
    finally:
        textpage.close()


def _builtin_metrics(name: str) -> float | None:
    """The descent (per unit of font size) pdfminer uses for a font it has metrics of (the standard
    14 and their aliases such as Arial: pdfminer.fontmetrics), else None."""
    from pdfminer.fontmetrics import FONT_METRICS

    m = FONT_METRICS.get(name)
    if m is None:
        return None
    return float(m[0].get("Descent", 0)) / 1000.0


def _font_name(R: Any, font: Any) -> str:
    try:
        size = R.FPDFFont_GetBaseFontName(font, None, 0)
        if size <= 0:
            return ""
        buf = ctypes.create_string_buffer(size)
        R.FPDFFont_GetBaseFontName(font, buf, size)
        return buf.value.decode("utf-8", errors="replace")
    except Exception:  # noqa: BLE001 - a name is cosmetic
        return ""


def _mult(m: tuple[float, ...], n: tuple[float, ...]) -> tuple[float, float, float, float, float, float]:
    """``m`` then ``n`` (PDF row-vector convention: the point is multiplied by m, then by n)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2, e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def _matrix(R: Any, obj: Any) -> tuple[float, float, float, float, float, float]:
    m = R.FS_MATRIX()
    if not R.FPDFPageObj_GetMatrix(obj, m):
        raise Unsupported("no object matrix")
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _walk(
    R: Any, obj: Any, outer: tuple[float, ...], depth: int, out: list[tuple[str, dict[str, Any]]],
    height: float, number: int, doctop0: float, count: list[int], texts: set[int],
) -> None:
    kind = R.FPDFPageObj_GetType(obj)
    if kind == _TEXT:
        texts.add(ctypes.cast(obj, ctypes.c_void_p).value or 0)
        for j in range(R.FPDFPageObj_CountMarks(obj)):
            mark = R.FPDFPageObj_GetMark(obj, j)
            if mark and R.FPDFPageObjMark_GetParamValueType(mark, b"ActualText") != 0:  # FPDF_OBJECT_UNKNOWN
                raise Unsupported("marked content with an ActualText (PDFium shows it instead of the glyphs)")
        return
    if kind == _FORM:
        if depth >= _MAX_FORM_DEPTH:
            raise Unsupported("forms nested too deep")
        inner = _mult(_matrix(R, obj), outer)
        for i in range(R.FPDFFormObj_CountObjects(obj)):
            _walk(R, R.FPDFFormObj_GetObject(obj, i), inner, depth + 1, out, height, number, doctop0, count, texts)
        return
    if kind != _PATH:
        return
    count[0] += 1
    if count[0] > _MAX_PATHS:
        raise Unsupported("too many paths")
    fill_mode = ctypes.c_int()
    stroke = ctypes.c_int()
    if not R.FPDFPath_GetDrawMode(obj, fill_mode, stroke):
        raise Unsupported("no draw mode")
    if fill_mode.value == 0 and not stroke.value:
        return  # a clipping path: pdfminer paints nothing for "n"
    a, b, c, d, e, f = _mult(_matrix(R, obj), outer)
    x, y = ctypes.c_float(), ctypes.c_float()
    ops: list[tuple[str, tuple[float, float]]] = []  # (m | l | c | h, end point in page space)
    bezier = 0
    for i in range(R.FPDFPath_CountSegments(obj)):
        seg = R.FPDFPath_GetPathSegment(obj, i)
        if not seg or not R.FPDFPathSegment_GetPoint(seg, x, y):
            raise Unsupported("unreadable path segment")
        px, py = float(x.value), float(y.value)
        pt = (a * px + c * py + e, b * px + d * py + f)
        t = R.FPDFPathSegment_GetType(seg)
        if t == _MOVE:
            if bezier:
                raise Unsupported("broken curve")
            ops.append(("m", pt))
        elif t == _LINE:
            if bezier:
                raise Unsupported("broken curve")
            ops.append(("l", pt))
        elif t == _BEZIER:
            bezier += 1
            if bezier == 3:  # control point, control point, end point: one "c"
                ops.append(("c", pt))
                bezier = 0
        else:
            raise Unsupported("unknown path segment")
        if R.FPDFPathSegment_GetClose(seg) and not bezier:
            ops.append(("h", pt))
    if bezier:
        raise Unsupported("broken curve")
    width = ctypes.c_float()
    linewidth = float(width.value) if R.FPDFPageObj_GetStrokeWidth(obj, width) else 0.0
    painted = (bool(stroke.value), fill_mode.value != 0)
    start = 0
    for k in range(1, len(ops) + 1):  # subpaths: split at every move, as pdfminer does
        if k == len(ops) or ops[k][0] == "m":
            _paint(ops[start:k], painted, linewidth, out, height, number, doctop0)
            start = k


def _paint(
    path: list[tuple[str, tuple[float, float]]], painted: tuple[bool, bool], linewidth: float,
    out: list[tuple[str, dict[str, Any]]], height: float, number: int, doctop0: float,
) -> None:
    """pdfminer.six's ``PDFLayoutAnalyzer.paint_path`` for one subpath, then pdfplumber's dict."""
    shape = "".join(op for op, _ in path)
    if shape[:1] != "m":
        return
    # "h" ends where the subpath started
    pts = [path[0][1] if op == "h" else pt for op, pt in path]
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts.pop()
    if shape in ("mlh", "ml"):
        kind = "line"
        pts = pts[:2]
    elif shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        closed = pts[0] == pts[4]
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
        kind = "rect" if closed and square else "curve"
        if kind == "rect":
            (ax, ay), (bx, by) = pts[0], pts[2]
            lo_x, hi_x, lo_y, hi_y = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
            pts = [(lo_x, lo_y), (hi_x, lo_y), (hi_x, hi_y), (lo_x, hi_y)]
    else:
        kind = "curve"
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    top = height - y1
    obj: dict[str, Any] = {
        "x0": x0,
        "y0": y0,
        "x1": x1,
        "y1": y1,
        "width": x1 - x0,
        "height": y1 - y0,
        "top": top,
        "bottom": height - y0,
        "doctop": doctop0 + top,
        "linewidth": linewidth,
        "stroke": painted[0],
        "fill": painted[1],
        "object_type": kind,
        "page_number": number,
    }
    if kind != "rect":
        obj["pts"] = [(px, height - py) for px, py in pts]
    out.append((kind, obj))
