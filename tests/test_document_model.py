"""The reader stage's model: the fast Cell constructor builds exactly what the dataclass does."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xxgk_lint.read.document import Cell, plain_cell


def test_plain_cell_knows_every_field() -> None:
    """plain_cell sets each slot by name: a field added to Cell must be added there too."""
    fields = [(f.name, f.default) for f in dataclasses.fields(Cell)]
    assert fields == [
        ("text", dataclasses.MISSING),
        ("line", dataclasses.MISSING),
        ("column", None),
        ("colspan", 1),
        ("rowspan", 1),
        ("spanned", False),
        ("origin_column", None),
    ]


@given(st.text(max_size=20), st.integers(min_value=1, max_value=10**6), st.none() | st.integers(min_value=1, max_value=10**4))
def test_plain_cell_equals_the_dataclass(text: str, line: int, column: int | None) -> None:
    c = plain_cell(text, line, column)
    d = Cell(text=text, line=line, column=column)
    assert c == d and hash(c) == hash(d) and repr(c) == repr(d)


def test_plain_cell_is_frozen() -> None:
    c = plain_cell("12", 3, 5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.text = "13"  # type: ignore[misc]


def test_cell_value_knows_every_field() -> None:
    from xxgk_lint.parse.model import _CELL_VALUE_FIELDS, CellValue

    assert tuple(f.name for f in dataclasses.fields(CellValue)) == _CELL_VALUE_FIELDS


@given(st.sampled_from(["number", "with_unit", "blank", "slash", "text"]), st.text(max_size=8), st.none() | st.decimals(allow_nan=False, allow_infinity=False), st.integers(0, 4), st.none() | st.sampled_from(["件", "万元"]), st.none() | st.integers(1, 999), st.none() | st.integers(1, 99), st.none() | st.integers(1, 9))
def test_cell_value_equals_the_dataclass(status, raw, value, decimals, unit, line, column, page) -> None:  # type: ignore[no-untyped-def]
    from xxgk_lint.parse.model import CellValue, cell_value

    got = cell_value(status, raw, value, decimals, unit, line, column, page)
    want = CellValue(status=status, raw=raw, value=value, decimals=decimals, unit=unit, line=line, column=column, page=page)
    assert got == want and repr(got) == repr(want)
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.raw = "x"  # type: ignore[misc]


def test_read_capped_reads_a_file_that_grew_since_its_size_was_taken(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The read asks for the size fstat reports; a file longer by then is still read to the cap."""
    import os

    from xxgk_lint.read import limits
    from xxgk_lint.read.document import ReadError

    p = tmp_path / "grown.txt"
    p.write_bytes(b"x" * 50)
    real = os.fstat

    class Small:
        def __init__(self, st: os.stat_result) -> None:
            self.st_size = 10
            self.st_mode = st.st_mode

    monkeypatch.setattr(limits.os, "fstat", lambda fd: Small(real(fd)))
    assert limits.read_capped(p, 100) == b"x" * 50
    with pytest.raises(ReadError) as err:
        limits.read_capped(p, 20)
    assert err.value.code == "E004"
