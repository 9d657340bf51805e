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
