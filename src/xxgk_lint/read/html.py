"""HTML reader: the article body of a government web page -> Document.

* Parsing: ``lxml.etree.HTMLParser`` (plain etree elements, not ``lxml.html``'s), hardened (bytes in,
  ``no_network``, no huge tree, comments and PIs dropped).  The bytes are decoded by
  :func:`decode_bytes` first (the page's declared charset is only a hint: gb2312 pages routinely
  hold GBK characters) and handed to lxml re-encoded as UTF-8, so lxml never guesses.  A DOCTYPE with an internal subset that declares entities (billion laughs,
  external entities) is rejected (E005) before parsing.
* Body: script/style/nav/header/footer/forms/hidden elements and chrome (share bars, QR codes,
  print/close links, 上一篇/下一篇, login boxes, browser warnings) are dropped.  The container is the
  element whose id/class names a content area (TRS_Editor, zoom, content, article, detail, main,
  zw, ...) holding the most Chinese text, narrowed to a descendant candidate that still holds 85 % of
  it; without such a candidate, the element whose paragraph children hold the most Chinese text.
* Flow: paragraphs (p, div text, li, td of layout tables, h1-h6 with ``role="heading"``) and
  ``<br>``-separated lines, in document order.  Short lines that are obviously chrome
  ("扫一扫在手机打开当前页", "【打印本页】", ...) are dropped even inside the container.
* Tables: only *leaf* tables (no table inside) are data tables; a table holding other tables is
  layout and its cells are read as flow, as is a single-column table (a text box).  Data tables are
  expanded with :mod:`xxgk_lint.read.grid` (``rowspan``/``colspan`` parsed leniently and clamped,
  ``rowspan=0`` honoured, ``<th>`` kept); ``Cell.column`` is the 1-based grid column.
* Positions: ``Block.line``/``Row.line``/``Cell.line`` are lxml's ``sourceline`` (1-based line of
  the element's start tag in the source; text after a ``<br>`` gets the ``<br>``'s line).
  ``Document.source_lines`` are the source lines (``\\r\\n``, ``\\r`` and ``\\n`` end a line, as in
  libxml2).
* Hidden elements (``hidden``, ``aria-hidden="true"``, ``display:none``, ``visibility:hidden``) are
  not part of the flow, nor are hidden table rows, row groups and cells; their text is kept in ``meta["hidden_text"]`` (``"<line>\\t<text>"``
  lines; read them with :func:`xxgk_lint.read.hidden_lines`) so that spam hidden that way is found.
* Metadata (``Document.meta``): ``title`` (meta ArticleTitle, else the first part of ``<title>``),
  ``published_on`` (YYYY-MM-DD) with ``published_on_source`` (``meta:PubDate`` or ``page:<label>``
  for a visible "发布日期:2020-01-31" / "发布时间：2021-11-02 09:08" line anywhere on the page),
  ``agency`` (meta ContentSource, else a visible 来源/发布机构 line) and ``site`` (meta SiteName).
"""

from __future__ import annotations

import re
from collections.abc import Container
from datetime import date
from typing import TYPE_CHECKING, Any

from xxgk_lint.read import limits
from xxgk_lint.read.document import Block, Cell, Document, ReadError, Row
from xxgk_lint.read.encoding import check_not_binary, decode_bytes, sniff_html_charset
from xxgk_lint.read.grid import MAX_ROWSPAN, SrcCell, SrcRow, expand, parse_span

if TYPE_CHECKING:  # pragma: no cover
    from lxml.etree import _Element as Element

_WS = re.compile(r"[ \t\n\r\f\v\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]+")
_ZW = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_DOCTYPE_SUBSET = re.compile(r"<!DOCTYPE[^>\[]*\[", re.IGNORECASE)
_LINE_SPLIT = re.compile(r"\r\n|\r|\n")

_DROP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed",
        "svg", "math", "canvas", "audio", "video", "nav", "header", "footer", "aside", "form", "select",
        "button", "input", "textarea", "label", "head", "title", "meta", "link", "map", "area", "dialog",
    }
)  # fmt: skip
_BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "blockquote",
        "pre", "center", "address", "figure", "figcaption", "hr", "tr", "td", "th", "caption",
        "thead", "tbody", "tfoot", "body", "html", "fieldset", "details", "summary", "table",
    }
)  # fmt: skip
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

_CONTAINER_HINT = re.compile(
    r"trs_editor|zoom|content|article|detail|main|zhengwen|\bzw\b|zw_|_zw|wzy|text|view|"
    r"news_?con|con_?text|maincon|bt_content|pages_content|xxgk|info_?con",
    re.IGNORECASE,
)
_CHROME_HINT = re.compile(
    r"\b(?:nav|navbar|menu|header|head|top|footer|foot|bottom|share|bdshare|jiathis|print|close|"
    r"qrcode|qr|ewm|erweima|sao|login|register|search|sidebar|side|breadcrumb|crumb|location|"
    r"position|weizhi|pagination|pager|prev|next|prevnext|sxp|related|relate|recommend|comment|"
    r"toolbar|tools|fontsize|font-size|zihao|ie-?tip|ietip|browser|oldie|copyright|banquan|ad|ads|banner|"
    r"modal|popup)\b",
    re.IGNORECASE,
)
_STRONG_CHROME = re.compile(r"share|print|close|qrcode|ewm|erweima|login|nav|menu|footer|breadcrumb", re.IGNORECASE)
_UTILITY_CLASS = re.compile(
    r"^(?:position|text|font|d|col|row|float|hidden|visible|m[trblxy]?|p[trblxy]?|w|h|justify|align|flex|"
    r"order|offset|bg|border|rounded|shadow|overflow|clearfix|container|is|has|js)(?:-[\w-]*)?$",
    re.IGNORECASE,
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)

_CHROME_LINE = re.compile(
    r"^(?:"
    r"[【\[]?\s*(?:打印本页|打印|关闭窗口|关闭|返回顶部|收藏本页|加入收藏|我要纠错|纠错)\s*[】\]]?|"
    r"扫一扫(?:在手机(?:上)?(?:打开|查看)当前页)?|手机扫一扫.*|用手机扫描二维码.*|"
    r"(?:上一篇|下一篇|上一条|下一条)\s*[:：]?.*|"
    r"分享到\s*[:：]?.*|"
    r"字号\s*[:：]?\s*[【\[]?\s*大\s*[】\]]?\s*[【\[]?\s*中\s*[】\]]?\s*[【\[]?\s*小\s*[】\]]?.*|"
    r".*(?:浏览器版本过低|升级(?:您的)?浏览器|低版本浏览器|IE\s*\d+\s*以下|推荐使用.*浏览器).*|"
    r"(?:用户)?登录|注册|退出|忘记密码|验证码|"
    r"(?:当前位置|您的位置|您现在的位置|所在位置)\s*[:：].*|"
    r".*(?:版权所有|主办单位|承办单位|网站标识码|ICP备|公网安备|网站地图|联系我们).*"
    r")$"
)
_CHROME_LINE_MAX = 80

_META_KEYS = {"articletitle": "title", "pubdate": "pubdate", "contentsource": "agency", "sitename": "site"}
_DATE_LINE = re.compile(
    r"(发布日期|发布时间|公开日期|发文日期|(?<![\u4e00-\u9fff])日期|(?<![\u4e00-\u9fff])时间)\s*[:：]\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
)
_DATE_LABEL_RANK = {"发布日期": 0, "发布时间": 1, "公开日期": 2, "发文日期": 3, "日期": 4, "时间": 5}
_AGENCY_LINE = re.compile(
    r"(?:信息来源|文章来源|(?<![\u4e00-\u9fff])来源|发布机构|发文机关)\s*[:：]\s*"
    r"([^\s:：|｜【】\[\]<>]{2,40}?)(?=\s|$|字号|浏览|点击|阅读|作者|发布|日期|时间|【|\[|\||｜)"
)
_ISO = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})")
_TITLE_SPLIT = re.compile(r"\s*(?:_|｜|\||--|——|-\s|\s-)\s*")


def _norm(text: str) -> str:
    return _WS.sub(" ", _ZW.sub("", text)).strip()


def _cjk_count(text: str) -> int:
    # not len(findall()): that makes one string object per character (230 MB for a 3 M-character
    # paragraph); sub() makes one string.  ASCII text (most tails: line breaks and indents) has none.
    return len(text) - len(_CJK.sub("", text)) if text and not text.isascii() else 0


def _attr_names(el: Element) -> str:
    return f"{el.get('id') or ''} {el.get('class') or ''}"


def _is_hidden(el: Element) -> bool:
    keys = el.keys()  # one call; most elements have no attributes at all
    if not keys:
        return False
    if "hidden" in keys or ("aria-hidden" in keys and (el.get("aria-hidden") or "").lower() == "true"):
        return True
    if "style" not in keys:
        return False
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


_CHROME_MEMO: dict[str, bool] = {}  # "id class" -> chrome?; pages repeat a few class names
_CHROME_MEMO_MAX = 4096


def _is_chrome(el: Element) -> bool:
    """id/class names a chrome area (nav, share bar, QR code, footer ...).  CSS-framework utility
    classes ("position-relative", "hidden-xs", "text-center", "col-md-8") are ignored."""
    key = _attr_names(el)
    hit = _CHROME_MEMO.get(key)
    if hit is None:
        hit = _chrome_names(key)
        if len(_CHROME_MEMO) >= _CHROME_MEMO_MAX:
            _CHROME_MEMO.clear()
        _CHROME_MEMO[key] = hit
    return hit


def _chrome_names(attr_names: str) -> bool:
    names = " ".join(t for t in attr_names.split() if not _UTILITY_CLASS.match(t))
    if not names:
        return False
    if _CONTAINER_HINT.search(names) and not _STRONG_CHROME.search(names):
        return False
    return bool(_CHROME_HINT.search(names) or _CHROME_HINT.search(names.replace("_", " ").replace("-", " ")))


def _dropped(el: Any) -> bool:
    tag = el.tag
    if not isinstance(tag, str):
        return True
    if tag.lower() in _DROP_TAGS:
        return True
    if not el.keys():  # neither hidden nor chrome without attributes
        return False
    return _is_hidden(el) or _is_chrome(el)


def _date(y: str, m: str, d: str) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def _parse_pubdate(value: str) -> str | None:
    m = _ISO.search(value)
    if m:
        return _date(*m.groups())
    m = _COMPACT.match(value.strip())
    return _date(*m.groups()) if m else None


# ---------------------------------------------------------------------------------------------
# text of an element (for scoring and table cells)


def _text_of(el: Element, depth: int = 0, kept: Container[Any] = ()) -> str:
    """Visible text of ``el``: dropped subtrees skipped, ``<br>`` and block children become spaces.
    ``kept``: the elements :func:`_scores` kept; when ``el`` is one, its children that are not are
    the dropped ones (no need to test them again)."""
    if not len(el):  # most table cells: text only
        return el.text or ""
    parts: list[str] = []
    if el.text:
        parts.append(el.text)
    known = el in kept
    for child in el:
        if (child in kept) if known else (isinstance(child.tag, str) and not _dropped(child)):
            tag = child.tag.lower()
            if tag == "br" or tag in _BLOCK_TAGS or tag in _HEADINGS:
                parts.append(" ")
            if depth < 200:
                parts.append(_text_of(child, depth + 1, kept))
            else:
                parts.append(" ".join(child.itertext()))
            if tag in _BLOCK_TAGS or tag in _HEADINGS:
                parts.append(" ")
        if child.tail:
            parts.append(child.tail)
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# container selection


def _scores(body: Element) -> dict[Any, int]:
    """Chinese characters under each element (dropped subtrees excluded), one pass down and a sum
    back up.  The keys are exactly the elements kept (``body`` and its descendants not inside a
    dropped subtree), in the order of a right-to-left preorder walk."""
    order: list[Any] = []
    parent: list[int] = []
    counts: list[int] = []
    stack: list[tuple[Any, int]] = [(body, -1)]
    pop, push = stack.pop, stack.append
    strip_cjk = _CJK.sub
    while stack:
        el, up = pop()
        i = len(order)
        order.append(el)
        parent.append(up)
        t = el.text
        n = len(t) - len(strip_cjk("", t)) if t and not t.isascii() else 0  # _cjk_count, inlined
        for c in el:
            t = c.tail
            if t and not t.isascii():
                n += len(t) - len(strip_cjk("", t))
            if isinstance(c.tag, str) and not _dropped(c):  # tested once per child
                push((c, i))
        counts.append(n)
    for j in range(len(order) - 1, 0, -1):  # a preorder: every descendant of j comes after j
        counts[parent[j]] += counts[j]
    return dict(zip(order, counts, strict=True))


def _choose_container(body: Element, scores: dict[Any, int]) -> Element:
    total = scores.get(body, 0)
    if total == 0:
        return body
    candidates = [
        el for el in scores if el is not body and _CONTAINER_HINT.search(_attr_names(el)) and scores[el] > 0
    ]
    best: Element | None = None
    if candidates:
        best = max(candidates, key=lambda e: scores[e])
        if scores[best] < total * 0.3:
            best = None
    if best is not None:
        cand_set = set(candidates)
        while True:  # narrow to a descendant candidate that still holds most of the text
            floor = scores[best] * 0.85
            inner = [e for e in best.iterdescendants() if e in cand_set and scores[e] >= floor]
            if not inner:
                return best
            best = max(inner, key=lambda e: scores[e])
    # fallback: descend from <body> while one child holds >= 80 % of the paragraph-like text
    content = _content_scores(body)
    total_content = content.get(body, 0)
    node = body
    while total_content:
        kids = [c for c in node if isinstance(c.tag, str) and not _dropped(c) and _descendable(c)]
        if not kids:
            break
        top = max(kids, key=lambda e: content.get(e, 0))
        if content.get(top, 0) < total_content * 0.8:
            break
        node = top
    return node


_WRAPPER_TAGS = frozenset({"div", "section", "article", "main", "center", "font", "span", "form", "tbody", "thead", "tr", "td", "th"})


def _descendable(el: Element) -> bool:
    """A wrapper the body fallback may narrow to (not a paragraph, not a data table's inside)."""
    tag = el.tag.lower()
    if tag == "table":
        return not _is_data_table(el)
    if tag in ("td", "th", "tr", "tbody", "thead"):
        table = next(el.iterancestors("table"), None)
        return table is None or not _is_data_table(table)
    return tag in _WRAPPER_TAGS


_FRAGMENT_TAGS = frozenset({"a", "li", "option", "button", "label", "dt", "dd", "nav", "select"})


def _content_scores(body: Element) -> dict[Any, int]:
    """Chinese characters of *paragraph-like* text under each element: text pieces of 12+ Chinese
    characters anywhere, shorter ones only outside link/menu-like tags (menus are short link texts)."""
    out: dict[Any, int] = {}
    stack: list[tuple[Any, bool]] = [(body, False)]
    while stack:
        el, done = stack.pop()
        kids = [c for c in el if isinstance(c.tag, str) and not _dropped(c)]
        if done:
            out[el] = out.get(el, 0) + sum(out.get(c, 0) for c in kids)
            continue
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        n = 0
        for piece in [el.text or ""] + [c.tail or "" for c in el]:
            k = _cjk_count(piece)
            if k >= 12 or (k and tag not in _FRAGMENT_TAGS):
                n += k
        out[el] = n
        stack.append((el, True))
        stack.extend((c, False) for c in kids)
    return out


# ---------------------------------------------------------------------------------------------
# flow


class _Flow:
    def __init__(self) -> None:
        self.budget = limits.Budget()
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.line: int | None = None
        self.end: int | None = None
        self.heading = False

    def add(self, text: str | None, line: int | None) -> None:
        """Append ``text`` that starts on source line ``line`` (None: unknown, whitespace only)."""
        if not text:
            return
        stripped = text.strip()
        if self.line is None and not stripped:
            return
        self.buf.append(text)
        if line is None or not stripped:
            return
        lead = len(text) - len(text.lstrip())
        first = line + text.count("\n", 0, lead)
        last = line + text.rstrip().count("\n")
        if self.line is None:
            self.line = first
        self.end = max(self.end or first, last)

    def flush(self) -> None:
        if self.buf:
            text = _norm("".join(self.buf))
            line = self.line or 1
            end = max(self.end or line, line)
            if text and not (len(text) <= _CHROME_LINE_MAX and _CHROME_LINE.match(text)):
                self.budget.block(1, len(text))
                self.blocks.append(
                    Block(kind="paragraph", line=line, end_line=end, text=text, role="heading" if self.heading else None)
                )
        self.buf = []
        self.line = None
        self.end = None
        self.heading = False


def _last_line(el: Element) -> int | None:
    line = el.sourceline
    for d in el.iterdescendants():
        if d.sourceline is not None and (line is None or d.sourceline > line):
            line = d.sourceline
    return line


def _tail_line(el: Any) -> int | None:
    """Line where ``el.tail`` starts: exact from the next sibling's line when there is one."""
    nxt = el.getnext()
    if nxt is not None and nxt.sourceline is not None:
        return max(1, nxt.sourceline - el.tail.count("\n"))
    return _last_line(el) if isinstance(el.tag, str) else el.getparent().sourceline


def _is_data_table(table: Element) -> bool:
    return _data_table(table) is not None


def _data_table(table: Element, kept: Container[Any] = ()) -> tuple[list[Any], list[list[str]]] | None:
    """(rows as :func:`_table_rows` gives them, the cells' normalised texts) of a data table; None for
    a layout table or text box."""
    if any(True for _ in table.iterdescendants("table")):
        return None
    rows = _table_rows(table)
    if not rows:
        return None
    width = max(sum(parse_span(c.get("colspan")) for c in cells) for _, cells, _ in rows)
    if width <= 1:
        return None  # a one-column table is a text box / layout
    texts = [[_norm(_text_of(c, 0, kept)) for c in cells] for _, cells, _ in rows]
    longest = max((len(t) for row in texts for t in row), default=0)
    if width <= 3 and longest > 300:
        return None
    return rows, texts


def _table_rows(table: Element) -> list[tuple[Element, list[Element], int]]:
    """(tr, cells, group id) in document order for a leaf table.  A hidden row (or a row of a hidden
    thead/tbody/tfoot) is left out, as a hidden cell is: the reader sees the table without it, and
    its text is in the page's hidden text (:func:`_hidden_text`), where the spam checks look."""
    out: list[tuple[Element, list[Element], int]] = []
    hidden_groups: dict[int, bool] = {}
    for tr in table.iter("tr"):
        if _is_hidden(tr):
            continue
        parent = tr.getparent()
        grouped = parent is not None and parent.tag in ("thead", "tbody", "tfoot")
        if grouped:
            hid = hidden_groups.get(id(parent))
            if hid is None:
                hid = hidden_groups[id(parent)] = _is_hidden(parent)
            if hid:
                continue
        group = id(parent) if grouped else id(table)
        cells = [c for c in tr if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]
        out.append((tr, cells, group))
    return out


def _table_block(
    table: Element, budget: limits.Budget | None = None, data: tuple[list[Any], list[list[str]]] | None = None
) -> Block | None:
    rows_in, texts = data if data is not None else (_table_rows(table), None)
    src: list[SrcRow] = []
    groups: dict[int, int] = {}
    spans = 0  # cells with a colspan or rowspan other than 1
    n_cells = 0
    for r, (tr, cells, group) in enumerate(rows_in):
        gid = groups.setdefault(group, len(groups))
        line = tr.sourceline or table.sourceline or 1
        row = SrcRow(cells=[], line=line, group=gid)
        for k, c in enumerate(cells):
            if _is_hidden(c):
                continue
            cell = SrcCell(
                text=texts[r][k] if texts is not None else _norm(_text_of(c)),
                line=c.sourceline or line,
                colspan=parse_span(c.get("colspan")),
                rowspan=parse_span(c.get("rowspan"), 1, 0, MAX_ROWSPAN),
            )
            if cell.colspan != 1 or cell.rowspan != 1:
                spans += 1
            row.cells.append(cell)
        n_cells += len(row.cells)
        src.append(row)
    if spans or n_cells > limits.MAX_TABLE_CELLS:
        rows = expand(src)
    else:  # no merged cells: the grid is the source, cell k of a row in column k + 1 (as expand places it)
        rows = [
            Row(cells=tuple(Cell(text=c.text, line=c.line, column=k) for k, c in enumerate(row.cells, 1)), line=row.line)
            for row in src
        ]
    if budget is not None:
        budget.table_cells(sum(len(r.cells) for r in rows))
    if not rows or not any(c.text for r in rows for c in r.cells):
        return None
    text = "\n".join(" | ".join(c.text for c in r.cells) for r in rows)
    end = max(max((r.line for r in rows), default=1), _last_line(table) or 1)
    return Block(kind="table", line=rows[0].line, end_line=end, text=text, rows=tuple(rows))


def _walk(el: Element, flow: _Flow, kept: Container[Any], depth: int = 0) -> None:
    """Flow of ``el`` (one of the ``kept`` elements, see :func:`_scores`)."""
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if tag == "br":
        flow.flush()
        return
    if tag == "table":
        data = _data_table(el, kept)
        if data is not None:
            flow.flush()
            block = _table_block(el, flow.budget, data)
            if block is not None:
                flow.budget.block(1, len(block.text))
                flow.blocks.append(block)
            return
    if depth > 250:  # libxml2 caps depth anyway; never recurse without bound
        flow.add(" ".join(el.itertext()), el.sourceline)
        return
    is_block = tag in _BLOCK_TAGS or tag in _HEADINGS
    if is_block:
        flow.flush()
    if tag in _HEADINGS:
        flow.heading = True
    flow.add(el.text, el.sourceline)
    for child in el:
        if child in kept:  # an element, not dropped
            _walk(child, flow, kept, depth + 1)
            if child.tag.lower() == "br":
                flow.add(child.tail, child.sourceline)
                continue
        if child.tail:
            flow.add(child.tail, _tail_line(child) if child.tail.strip() else None)
    if is_block:
        flow.flush()


# ---------------------------------------------------------------------------------------------
# metadata


_INVISIBLE = frozenset({"script", "style", "noscript", "template", "head", "title"})


_BLOCKISH = _BLOCK_TAGS | _HEADINGS


def _visible_text(root: Element, skip: Any = None) -> str:
    """Page text in document order (scripts/styles and the ``skip`` subtree left out), blocks on
    their own lines."""
    from lxml import etree

    tag = root.tag.lower() if isinstance(root.tag, str) else ""
    if not tag or tag in _INVISIBLE or root is skip:
        return ""
    parts: list[str] = []
    append = parts.append
    walk = etree.iterwalk(root, events=("start", "end"))  # C-level walk, no Python stack
    skipped: Any = None
    for event, el in walk:
        if event == "start":
            tag = el.tag.lower() if isinstance(el.tag, str) else ""
            if el is not root and (not tag or tag in _INVISIBLE or el is skip):
                walk.skip_subtree()  # the next event is this element's "end"
                skipped = el
                continue
            if tag == "br" or tag in _BLOCKISH:
                append("\n")
            if el.text:
                append(el.text)
            continue
        if el is skipped:
            skipped = None
        elif isinstance(el.tag, str) and el.tag.lower() in _BLOCKISH:
            append("\n")
        if el is not root and el.tail:
            append(el.tail)
    return "".join(parts)


def _meta(root: Element, container: Any = None) -> dict[str, str]:
    """Page metadata; visible "label: value" lines are looked for outside the article body first
    (a body sentence such as "资金来源：财政拨款" or "时间：2018年" is not page metadata); only the
    specific labels (发布日期, 发布时间, 公开日期, 发文日期) are also accepted inside it."""
    meta: dict[str, str] = {}
    raw: dict[str, str] = {}
    for m in root.iter("meta"):
        name = (m.get("name") or "").strip().lower()
        content = _norm(m.get("content") or "")
        if name in _META_KEYS and content and _META_KEYS[name] not in raw:
            raw[_META_KEYS[name]] = content
    if raw.get("title"):
        meta["title"] = raw["title"]
    else:
        for t in root.iter("title"):
            text = _norm(t.xpath("string()"))  # what lxml.html's text_content() is
            if text:
                parts = [p for p in _TITLE_SPLIT.split(text) if p]
                meta["title"] = parts[0] if parts else text
            break
    if raw.get("pubdate"):
        d = _parse_pubdate(raw["pubdate"])
        if d:
            meta["published_on"], meta["published_on_source"] = d, "meta:PubDate"
    if raw.get("agency"):
        meta["agency"] = raw["agency"]
    if raw.get("site"):
        meta["site"] = raw["site"]
    if "published_on" in meta and "agency" in meta:
        return meta
    outside = _visible_text(root, skip=container)
    if "published_on" not in meta:
        best: tuple[int, int, str, str] | None = None
        for where in (0, 1):
            if where == 1:
                if best is not None:  # a date outside the body always ranks before one inside it
                    break
                text = _visible_text(container) if container is not None else ""
            else:
                text = outside
            for i, m in enumerate(_DATE_LINE.finditer(text)):
                rank = _DATE_LABEL_RANK.get(m.group(1), 9)
                d = _date(m.group(2), m.group(3), m.group(4))
                if d is None or (where == 1 and rank > 3):
                    continue
                key = (rank + 10 * where, i, d, m.group(1))
                if best is None or key[:2] < best[:2]:
                    best = key
        if best is not None:
            meta["published_on"], meta["published_on_source"] = best[2], f"page:{best[3]}"
    if "agency" not in meta:
        m = _AGENCY_LINE.search(outside)
        if m:
            meta["agency"] = m.group(1)
    return meta


# ---------------------------------------------------------------------------------------------
# hidden elements: left out of the flow, but their text is kept for the spam check


HIDDEN_TEXT_KEY = "hidden_text"
_MAY_HIDE: Any = None  # XPath: descendants with an attribute _is_hidden looks at (compiled on first use)
MAX_HIDDEN_LINES = 500
MAX_HIDDEN_CHARS = 100_000


def _hidden_text(body: Element) -> str:
    """Text of the page's hidden elements (``hidden``, ``aria-hidden="true"``, ``display:none``,
    ``visibility:hidden``; the outermost one of a nest), anywhere in ``<body>``, as lines
    ``"<source line>\\t<text>"`` joined by newlines: the text pieces that start on one source line
    are joined as inline text is (so a word split by tags, "pg<b>电子</b>", stays one word).
    Injected spam is typically hidden this way (a ``<div style="display:none">`` of gambling
    links); see :func:`xxgk_lint.read.hidden_lines`."""
    global _MAY_HIDE
    if _MAY_HIDE is None:
        from lxml import etree

        _MAY_HIDE = etree.XPath("descendant::*[@hidden or @aria-hidden or @style]")
    by_line: dict[int, list[str]] = {}
    chars = 0

    def add(text: str | None, line: int | None) -> bool:
        nonlocal chars
        if not text:
            return True
        if not text.strip():
            # white space between two elements ("<a>x.cc</a> <a>y.cc</a>") still separates words
            if "\n" not in text and line in by_line:
                by_line[line].append(" ")
            return True
        lead = len(text) - len(text.lstrip())
        trail = len(text) - len(text.rstrip())
        at = (line or 1) + text.count("\n", 0, lead)
        pieces = text.strip().split("\n")
        for k, piece in enumerate(pieces):
            if k == 0 and lead and "\n" not in text[:lead]:
                piece = " " + piece
            if k == len(pieces) - 1 and trail and "\n" not in text[len(text) - trail :]:
                piece += " "
            by_line.setdefault(at + k, []).append(piece)
            chars += len(piece)
        return len(by_line) < MAX_HIDDEN_LINES and chars < MAX_HIDDEN_CHARS

    def visit(el: Any, depth: int) -> bool:
        """Text of ``el`` (a hidden element or inside one); False once a cap is reached."""
        if not add(el.text, el.sourceline):
            return False
        for child in el:
            tag = child.tag.lower() if isinstance(child.tag, str) else ""
            if tag and tag not in _INVISIBLE and depth < 100 and not visit(child, depth + 1):
                return False
            if child.tail and not add(child.tail, _tail_line(child)):
                return False
        return True

    # the outermost hidden elements in document order, not inside a script/style/head/title: the
    # elements with an attribute that can hide them come from one XPath query (most have none)
    clear: set[Any] = {body}  # no hidden or invisible element between these and body
    blocked: set[Any] = set()  # inside a hidden element (read already) or an invisible one
    for el in _MAY_HIDE(body):
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if not tag or tag in _INVISIBLE or not _is_hidden(el):
            continue
        path = []
        up = el.getparent()
        while up not in clear:  # each ancestor is looked at once over the page
            if up in blocked or up.tag.lower() in _INVISIBLE or _is_hidden(up):
                blocked.add(up)
                blocked.update(path)
                break
            path.append(up)
            up = up.getparent()
        else:
            clear.update(path)
            blocked.add(el)
            if not visit(el, 0):
                break
    # visit calls itself through its closure cell: unbind it, or the two stay a reference cycle
    # (with everything they hold) for the cycle collector to find
    visit = None  # type: ignore[assignment]  # noqa: F841
    out = []
    for line in sorted(by_line):
        text = _norm("".join(by_line[line]))
        if text:
            out.append(f"{line}\t{text}")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------


def _reject_entity_doctype(text: str) -> None:
    head = text[:65536]
    m = _DOCTYPE_SUBSET.search(head)
    if m or "<!ENTITY" in head.upper():
        raise ReadError(
            "E005",
            "网页的 DOCTYPE 含有内部实体声明(<!ENTITY ...>),可能是实体扩展攻击(billion laughs)或外部实体,拒绝读取",
            "the page's DOCTYPE declares entities (<!ENTITY ...>): possible entity-expansion (billion laughs) "
            "or external-entity attack; refused",
        )


def read_html(data: bytes, path: str) -> Document:
    """Read an HTML page (already size-checked bytes) into a Document."""
    declared = sniff_html_charset(data)
    text, encoding = decode_bytes(data, declared)
    check_not_binary(text)
    if not text.strip():
        raise ReadError("E006", "网页为空,没有可检查的文字", "page is empty: no text to check")
    _reject_entity_doctype(text)
    # count caps before lxml builds a tree: source lines, and tags ("<" that does not close one)
    limits.check_count(limits.count_lines(text), limits.MAX_LINES, "行", "lines")
    limits.check_count(text.count("<") - text.count("</"), limits.MAX_HTML_TAGS, "网页标签", "HTML tags")

    from lxml import etree

    # plain lxml.etree elements, not lxml.html's HtmlElement: lxml.html picks each element's proxy
    # class through a Python lookup callback, called every time lxml makes a proxy (~8 % of the read)
    parser = etree.HTMLParser(
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
        no_network=True,
        huge_tree=False,
        recover=True,
        default_doctype=False,
    )
    try:
        root = etree.fromstring(text.encode("utf-8", "surrogatepass"), parser)
        if root is None:  # as lxml.html.document_fromstring does
            raise etree.ParserError("Document is empty")
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ReadError("E005", f"网页无法解析:{exc}", f"the page cannot be parsed: {exc}") from None
    if root is None:
        raise ReadError("E006", "网页没有内容", "page has no content")
    doc = Document(path=path, format="html", encoding=encoding, source_lines=_LINE_SPLIT.split(text))
    if doc.source_lines and doc.source_lines[-1] == "":
        doc.source_lines.pop()
    body = root.find("body")
    if body is None:
        body = root
    scores = _scores(body)
    container = _choose_container(body, scores)
    doc.meta = _meta(root, container if container is not body else None)
    hidden = _hidden_text(body)
    if hidden:
        doc.meta[HIDDEN_TEXT_KEY] = hidden
    flow = _Flow()
    _walk(container, flow, scores)
    flow.flush()
    doc.blocks = flow.blocks
    if not any(b.text.strip() for b in doc.blocks):
        raise ReadError("E006", "网页中没有找到正文文字", "no body text found in the page")
    return doc
