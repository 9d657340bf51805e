"""Blank report skeletons (``xxgk-lint new``), generated from the template data.

The template version comes from the report year (``years`` in ``grammars/templates/*.yaml``: 2019
and 2020 -> gov-2019, 2021 on -> gov-2021).  The skeleton has the title, an opening paragraph, the
template's six section headings in order, a placeholder sentence per section, every table with all
its rows, columns and header captions and ``0`` in every value cell, and a signature block (agency and
a date line to fill in).  Content duties that the rule files check by keywords (``content_keywords``
rules in ``rules/*.yaml`` that apply to the template and the entity kind, e.g. 2021's 信息处理费)
get a placeholder naming them, so a skeleton passes ``check`` and reminds the author of them.

One table model serves both outputs: a list of rows of *origin* cells with column/row spans (the
HTML table model).  The docx output merges cells the way the official form does (python-docx
``merge``: ``gridSpan``/``vMerge``); the Markdown output writes each row's origin cells, which is how
the form reads once its merges are flattened (the layout the seeds and ``tests/fixtures`` use).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xxgk_lint.parse.template import TableSpec, Template

ZERO = "0"
NUMBERED = re.compile(r"^[一二三四五六七八九十]+、")
# header captions of table 三 that the form prints but the template only names by a prefix
REQUESTS_NOTE = "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)"
DEFAULT_AGENCY = {"department": "XX市XX局", "government": "XX市人民政府"}


class SkeletonError(Exception):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


@dataclass(slots=True)
class SkCell:
    text: str
    colspan: int = 1
    rowspan: int = 1
    header: bool = False
    value: bool = False  # a value cell (0)
    key: tuple[str, str] | None = None  # a value cell's (row key, column key) in the template
    row: int = 0  # grid position, set by SkTable.place()
    col: int = 0


@dataclass(slots=True)
class SkTable:
    key: str
    rows: list[list[SkCell]]
    label_columns: int = 1
    width: int = 0

    def place(self) -> SkTable:
        occupied: set[tuple[int, int]] = set()
        width = 0
        for r, row in enumerate(self.rows):
            c = 0
            for cell in row:
                while (r, c) in occupied:
                    c += 1
                cell.row, cell.col = r, c
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        occupied.add((r + dr, c + dc))
                c += cell.colspan
                width = max(width, c)
        self.width = width
        return self


@dataclass(slots=True)
class SkPara:
    text: str
    role: str = "body"  # title | heading | body | note | signature | date


@dataclass(slots=True)
class Skeleton:
    template: str
    year: int
    kind: str
    agency: str
    items: list[SkPara | SkTable] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.agency}{self.year}年政府信息公开工作年度报告"

    def tables(self) -> dict[str, SkTable]:
        return {t.key: t for t in self.items if isinstance(t, SkTable)}

    def set_value(self, table: str, row: str, col: str, text: str) -> None:
        """Write ``text`` into a value cell (by template keys); KeyError when there is no such cell."""
        for r in self.tables()[table].rows:
            for c in r:
                if c.key == (row, col):
                    c.text = text
                    return
        raise KeyError(f"{table}.{row}.{col}")


# ---------------------------------------------------------------------------------------------
# template -> model


def template_for_year(year: int) -> Template:
    """The template a report year must use (by each template's ``years``; later years get the latest)."""
    from xxgk_lint.parse.template import load_templates

    usable = [t for t in load_templates().values() if t.sections and t.tables]
    for t in usable:
        if year in t.years:
            return t
    latest = max(usable, key=lambda t: max(t.years, default=0))
    if usable and year > max(latest.years, default=0):
        return latest
    first = min((min(t.years) for t in usable if t.years), default=2019)
    raise SkeletonError(
        f"{year}年度没有统一的年度报告格式(统一格式自{first}年度起施行)",
        f"there is no unified report format for {year} (the unified format applies from {first})",
    )


def _level(label: str) -> int:
    from xxgk_lint.parse.textnorm import norm

    t = norm(label)
    if NUMBERED.match(t):
        return 1
    if re.match(r"^\([一二三四五六七八九十]+\)", t):
        return 2
    if re.match(r"^\d+[.、]", t):
        return 3
    return 0


def _subtable_table(spec: TableSpec) -> SkTable:
    width = 1 + max(len(st.columns) for st in spec.subtables)
    first = spec.label_column or "信息内容"
    rows: list[list[SkCell]] = []
    for st in spec.subtables:
        rows.append([SkCell(st.caption, colspan=width, header=True)])
        head = [SkCell(first, header=True)] + [SkCell(c.label, header=True) for c in st.columns]
        head[-1].colspan = width - len(st.columns)
        rows.append(head)
        for r in st.rows:
            cells = [SkCell(r.label)] + [SkCell(ZERO, value=True, key=(r.key, c.key)) for c in st.columns]
            cells[-1].colspan = width - len(st.columns)
            rows.append(cells)
    return SkTable(spec.key, rows, label_columns=1)


def _label_paths(spec: TableSpec) -> list[list[str]]:
    """Each row's label path: [row] / [group, row] / [top group, group, row] from parent and ordinals."""
    paths: list[list[str]] = []
    tops = [g for g in spec.row_groups.values() if _level(g) == 1]
    top: str | None = tops[0] if tops else None
    for r in spec.rows:
        if r.parent is None or r.parent not in spec.row_groups:
            paths.append([r.label])
            continue
        glabel = spec.row_groups[r.parent]
        if _level(glabel) <= 1:
            top = glabel
            paths.append([glabel, r.label])
        else:
            paths.append(([top] if top else []) + [glabel, r.label])
    return paths


def _grid_table(spec: TableSpec) -> SkTable:
    """A table with label columns on the left (table 三): a three-row header over the applicant
    columns, and the row labels of the official form (groups merged vertically)."""
    paths = _label_paths(spec)
    nlabel = max(len(p) for p in paths)
    cols = list(spec.columns)
    grouped = [c for c in cols if c.group]
    rows: list[list[SkCell]] = []
    header_labels = list(spec.header_labels)
    note = next((h for h in header_labels if "勾稽" in h), None)
    if grouped and len(grouped) > 1 and len(header_labels) >= 2:
        applicants = next((h for h in header_labels if h != note and h not in ("法人或其他组织",)), header_labels[0])
        orgs = next((h for h in header_labels if h not in (note, applicants)), "法人或其他组织")
        note_text = REQUESTS_NOTE if note else ""
        rows.append([SkCell(note_text, colspan=nlabel, rowspan=3, header=True), SkCell(applicants, colspan=len(cols), header=True)])
        second = [SkCell(grouped[0].label, rowspan=2, header=True), SkCell(orgs, colspan=len(grouped) - 1, header=True)]
        second += [SkCell(c.label, rowspan=2, header=True) for c in cols if not c.group]
        rows.append(second)
        rows.append([SkCell(c.label, header=True) for c in grouped[1:]])
    else:
        rows.append([SkCell(spec.label_column or "", colspan=nlabel, header=True)] + [SkCell(c.label, header=True) for c in cols])
    origin: dict[int, SkCell] = {}  # label column -> the cell currently spanning down
    prev: list[str] = []
    for rspec, path in zip(spec.rows, paths, strict=True):
        cells: list[SkCell] = []
        for j, text in enumerate(path[:-1]):
            if prev[: j + 1] == path[: j + 1] and j in origin:
                origin[j].rowspan += 1
                continue
            cell = SkCell(text)
            origin[j] = cell
            cells.append(cell)
        for j in range(len(path) - 1, nlabel):
            origin.pop(j, None)
        cells.append(SkCell(path[-1], colspan=nlabel - (len(path) - 1)))
        cells += [SkCell(ZERO, value=True, key=(rspec.key, c.key)) for c in cols]
        rows.append(cells)
        prev = path
    return SkTable(spec.key, rows, label_columns=nlabel)


def _flat_table(spec: TableSpec) -> SkTable:
    """Table 四: one row of rows x columns values under a two-level header."""
    cols = list(spec.columns)
    n = len(cols)
    alone = [r for r in spec.rows if r.label in spec.header_labels]
    grouped = [r for r in spec.rows if r.label not in spec.header_labels]
    umbrella = [h for h in spec.header_labels if h not in {r.label for r in spec.rows}]
    top: list[SkCell] = [SkCell(r.label, colspan=n, header=True) for r in alone]
    if grouped:
        top.append(SkCell(umbrella[0] if umbrella else "", colspan=n * len(grouped), header=True))
    second: list[SkCell] = []
    for _r in alone:
        second += [SkCell(c.label, rowspan=2, header=True) for c in cols]
    second += [SkCell(r.label, colspan=n, header=True) for r in grouped]
    third = [SkCell(c.label, header=True) for _r in grouped for c in cols]
    values = [SkCell(ZERO, value=True, key=(r.key, c.key)) for r in spec.rows for c in cols]
    rows = [top, second] + ([third] if third else []) + [values]
    return SkTable(spec.key, rows, label_columns=0)


def table_model(spec: TableSpec) -> SkTable:
    if spec.subtables:
        t = _subtable_table(spec)
    elif spec.layout == "flat":
        t = _flat_table(spec)
    else:
        t = _grid_table(spec)
    return t.place()


def _duties(template: Template, kinds: set[str]) -> dict[str, list[str]]:
    """Placeholders for the content duties the rule files check by keywords, by section key."""
    from xxgk_lint.check.rules import builtin_rules
    from xxgk_lint.parse.textnorm import norm

    out: dict[str, list[str]] = {}
    for rule in builtin_rules():
        if rule.check != "content_keywords" or not rule.applies_to(template.id):
            continue
        rk = rule.params.get("kinds") or []
        if rk and not kinds & set(rk):
            continue
        names: list[str] = []
        for g in rule.params.get("groups", []) or []:
            name = str((g.get("name") or {}).get("zh") or "")
            words = [str(w) for w in g.get("any", []) or []]
            if not words:
                continue
            if not name or not any(norm(w) in norm(name) for w in words):
                name = f"{name}({words[0]})" if name else words[0]
            names.append(name)
        if names:
            scope = str(rule.params.get("scope", "report"))
            out.setdefault(scope, []).append(f"【请写明:{'、'.join(names)}。】")
    return out


def build_skeleton(year: int, kind: str = "department", agency: str | None = None) -> Skeleton:
    from xxgk_lint.parse.meta import classify_kind

    template = template_for_year(year)
    name = (agency or "").strip() or DEFAULT_AGENCY.get(kind, DEFAULT_AGENCY["department"])
    sk = Skeleton(template=template.id, year=year, kind=kind, agency=name)
    kinds = {kind} | ({k} if (k := classify_kind(name, sk.title)) else set())
    duties = _duties(template, kinds)
    sk.items.append(SkPara(sk.title, "title"))
    m = re.search(r"国办公开办函〔\d+〕\d+号", template.name_zh)
    basis = f"《中华人民共和国政府信息公开工作年度报告格式》({m.group(0)})" if m else "《中华人民共和国政府信息公开工作年度报告格式》"
    sk.items.append(
        SkPara(
            f"本报告根据《中华人民共和国政府信息公开条例》(以下简称《条例》)和{basis}要求编制。"
            f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
            "【请写明本报告电子版的查阅网址,以及对本报告有疑问时的联系方式(地址、邮编、电话)。】"
        )
    )
    tables_by_section: dict[str, list[TableSpec]] = {}
    for spec in template.tables.values():
        tables_by_section.setdefault(spec.section, []).append(spec)
    first_key = template.sections[0].key if template.sections else ""
    for sec in template.sections:
        sk.items.append(SkPara(f"{sec.ordinal}、{sec.title}", "heading"))
        specs = tables_by_section.get(sec.ordinal, [])
        text = f"【请填写本部分内容:{sec.title}。】"
        if specs:
            text += "(请在下表填写本年度数据,没有发生的填0,不要填“/”或留空。)"
        sk.items.append(SkPara(text))
        for line in duties.get(sec.key, []) + (duties.get("report", []) if sec.key == first_key else []):
            sk.items.append(SkPara(line))
        for spec in specs:
            sk.items.append(table_model(spec))
    sk.items.append(SkPara(name, "signature"))
    sk.items.append(SkPara(f"{year + 1}年  月  日", "date"))
    return sk


# ---------------------------------------------------------------------------------------------
# output


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(sk: Skeleton) -> str:
    """GitHub-flavoured Markdown: ``#`` title, ``##`` sections, pipe tables (origin cells per row)."""
    out: list[str] = []
    for item in sk.items:
        if isinstance(item, SkTable):
            width = max(item.width, 2)
            for i, row in enumerate(item.rows):
                texts = [_md_cell(c.text) for c in row]
                texts += [""] * (width - len(texts))
                out.append("| " + " | ".join(texts) + " |")
                if i == 0:
                    out.append("|" + "|".join(["---"] * width) + "|")
            out.append("")
        elif item.role == "title":
            out += [f"# {item.text}", ""]
        elif item.role == "heading":
            out += [f"## {item.text}", ""]
        else:
            out += [item.text, ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _set_fonts(element: object, east_asia: str, ascii_font: str | None = None) -> None:
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:eastAsia"), east_asia)
    if ascii_font:
        fonts.set(qn("w:ascii"), ascii_font)
        fonts.set(qn("w:hAnsi"), ascii_font)


def write_docx(sk: Skeleton, path: str | Path) -> None:
    """A Word document with real tables (merged header and label cells like the official form)."""
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    d = docx.Document()
    d.core_properties.title = sk.title
    d.core_properties.author = sk.agency
    normal = d.styles["Normal"]
    normal.font.size = Pt(12)
    _set_fonts(normal.element, "仿宋_GB2312", "Times New Roman")
    heading = d.styles["Heading 1"]
    heading.font.size = Pt(14)
    heading.font.color.rgb = RGBColor(0, 0, 0)
    _set_fonts(heading.element, "黑体", "Times New Roman")
    for item in sk.items:
        if isinstance(item, SkTable):
            _docx_table(d, item, Pt, WD_TABLE_ALIGNMENT, WD_ALIGN_PARAGRAPH)
            continue
        if item.role == "title":
            p = d.add_paragraph()
            run = p.add_run(item.text)
            run.bold = True
            run.font.size = Pt(18)
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif item.role == "heading":
            d.add_paragraph(item.text, style="Heading 1")
        elif item.role in ("signature", "date"):
            p = d.add_paragraph(item.text)
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        else:
            p = d.add_paragraph(item.text)
            p.paragraph_format.first_line_indent = Pt(24)
    d.save(str(path))


def _docx_table(d: object, table: SkTable, Pt: type, TA: object, PA: object) -> None:
    t = d.add_table(rows=len(table.rows), cols=table.width)  # type: ignore[attr-defined]
    t.style = "Table Grid"
    t.alignment = TA.CENTER  # type: ignore[attr-defined]
    for row in table.rows:
        for cell in row:
            c = t.cell(cell.row, cell.col)
            if cell.colspan > 1 or cell.rowspan > 1:
                c = c.merge(t.cell(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1))
            c.text = cell.text
            for p in c.paragraphs:
                if cell.header or cell.value:
                    p.alignment = PA.CENTER  # type: ignore[attr-defined]
                for run in p.runs:
                    run.font.size = Pt(10.5)  # type: ignore[operator]
                    if cell.header:
                        run.bold = True


def write_skeleton(sk: Skeleton, fmt: str, path: str | Path | None) -> str | None:
    """Write ``sk`` as ``md`` or ``docx`` to ``path``; for md without a path, return the text."""
    if fmt == "docx":
        if path is None:
            raise ValueError("a .docx skeleton needs a path")
        write_docx(sk, path)
        return None
    text = render_markdown(sk)
    if path is None:
        return text
    Path(path).write_text(text, encoding="utf-8")
    return None
