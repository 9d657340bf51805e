"""The audit manifest: a CSV that states, per report file, what the oversight office knows about it.

Columns (header row required; order free; unknown columns are ignored; every column but ``path``
optional, and an empty cell means "not given"):

============== ================== ==========================================================
column         also accepted      meaning
============== ================== ==========================================================
path           file, 路径, 文件     the report file; relative paths are taken from the manifest's folder
agency         机关, 单位           the agency's name (replaces the name read from the report in the summary)
kind           类型, 主体类型       ``department``/``government`` (or 部门/政府); passed to the check as ``--kind``
region         地区, 区域           a region label for grouping (e.g. 省/市/区县)
year           report_year, 年度    the report year (replaces the year read from the report in the summary
                                  and for the deadline figure)
published_on   发布日期, date        YYYY-MM-DD; checked as the publication date (source "manifest")
url            网址, 链接           where the report was published
id             agency_id, 编号      the agency's stable id (e.g. its 统一社会信用代码): an agency's reports
               机关编号, 机关代码    of consecutive years are paired for the continuity rules (X1xx) by
                                  id when given, else by the normalised agency name; ids win
============== ================== ==========================================================

The file may be UTF-8 (with or without BOM) or GB18030 (what Excel writes on a Chinese system).
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ALIASES: dict[str, tuple[str, ...]] = {
    "path": ("path", "file", "路径", "文件"),
    "agency": ("agency", "机关", "单位"),
    "kind": ("kind", "类型", "主体类型"),
    "region": ("region", "地区", "区域"),
    "year": ("year", "report_year", "年度"),
    "published_on": ("published_on", "发布日期", "date"),
    "url": ("url", "网址", "链接"),
    "id": ("id", "agency_id", "机关编号", "机关代码", "编号"),
}
KINDS = {"department": "department", "government": "government", "部门": "department", "政府部门": "department", "政府": "government", "人民政府": "government"}


class ManifestError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class ManifestRow:
    path: str  # resolved (real) path
    line: int
    agency: str | None = None
    kind: str | None = None
    region: str | None = None
    year: int | None = None
    published_on: date | None = None
    url: str | None = None
    id: str | None = None  # the agency's stable id (pairs its years for the continuity rules)

    def overrides(self) -> dict[str, str | int | None]:
        return {
            "agency": self.agency,
            "kind": self.kind,
            "region": self.region,
            "year": self.year,
            "published_on": self.published_on.isoformat() if self.published_on else None,
            "url": self.url,
            "id": self.id,
        }


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ManifestError("the manifest is neither UTF-8 nor GB18030 text")


def real(path: str | Path) -> str:
    return os.path.realpath(os.path.abspath(path))


def load_manifest(path: str | Path) -> dict[str, ManifestRow]:
    """Rows by the real path of their file.  Raises ManifestError with the line on a bad row."""
    base = Path(path).resolve().parent
    text = _decode(Path(path).read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ManifestError(f"{path}: empty manifest") from None
    cols: dict[str, int] = {}
    for i, name in enumerate(header):
        n = name.strip().lower()
        for field, names in ALIASES.items():
            if n in names and field not in cols:
                cols[field] = i
    if "path" not in cols:
        raise ManifestError(f"{path}: the header has no 'path' column (got: {', '.join(header)})")
    rows: dict[str, ManifestRow] = {}
    for lineno, raw in enumerate(reader, start=2):
        if not any(c.strip() for c in raw):
            continue

        def get(field: str, raw: list[str] = raw) -> str | None:
            i = cols.get(field)
            if i is None or i >= len(raw):
                return None
            v = raw[i].strip()
            return v or None

        where = f"{path}:{lineno}"
        p = get("path")
        if p is None:
            raise ManifestError(f"{where}: empty path")
        fp = Path(p)
        if not fp.is_absolute():
            fp = base / fp if (base / fp).exists() or not fp.exists() else fp
        kind = get("kind")
        if kind is not None:
            k = KINDS.get(kind.lower()) or KINDS.get(kind)
            if k is None:
                raise ManifestError(f"{where}: kind '{kind}' is not department or government")
            kind = k
        year_s = get("year")
        year: int | None = None
        if year_s is not None:
            try:
                year = int(year_s.removesuffix("年"))
            except ValueError:
                raise ManifestError(f"{where}: year '{year_s}' is not a year") from None
            if not 1990 <= year <= 2100:
                raise ManifestError(f"{where}: year {year} is out of range")
        pub_s = get("published_on")
        pub: date | None = None
        if pub_s is not None:
            try:
                pub = date.fromisoformat(pub_s.replace("/", "-"))
            except ValueError:
                raise ManifestError(f"{where}: published_on '{pub_s}' is not YYYY-MM-DD") from None
        key = real(fp)
        if key in rows:
            raise ManifestError(f"{where}: '{p}' is listed twice (first on line {rows[key].line})")
        rows[key] = ManifestRow(
            path=key, line=lineno, agency=get("agency"), kind=kind, region=get("region"), year=year, published_on=pub, url=get("url"),
            id=get("id"),
        )
    return rows
