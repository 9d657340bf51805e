"""Required literals of a regular expression: a cheap test that a pattern cannot match a text.

``required_literals(p)`` is a set of strings such that every match of ``p`` contains at least one
of them, or None when no such set is known.  A caller scanning many sentences with many patterns
(the N1xx claim rules) skips a pattern when none of its literals is in the sentence: ``in`` on a
str runs in C and costs far less than starting a regex search that fails.

The set is read off the parsed pattern (``re._parser``, the parser ``re.compile`` itself uses):
a run of literal characters at the top level is required; so is whatever a group, a repeat with
a minimum of at least one, or every branch of an alternation requires.  Anything the analysis does
not understand (case-insensitive matching, a parser of another Python version) gives None, which
only means "no shortcut": the pattern is then always searched.
"""

from __future__ import annotations

import re
from typing import Any

try:  # CPython 3.11+: the parser behind re.compile (private, hence the fallback to None)
    from re import _constants as _c
    from re import _parser as _p
except ImportError:  # pragma: no cover - other implementations
    _p = None
    _c = None

_Req = frozenset[str]


def required_literals(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Strings of which every match of ``pattern`` contains at least one; None when unknown."""
    if _p is None or _c is None or not isinstance(pattern.pattern, str):
        return None
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        parsed = _p.parse(pattern.pattern, pattern.flags)
        return _sequence(list(parsed))
    except Exception:  # noqa: BLE001 - an analysis we cannot do is only a missed shortcut
        return None


def _better(a: _Req | None, b: _Req | None) -> _Req | None:
    """The more selective of two requirements: longer shortest literal, then fewer alternatives."""
    if a is None:
        return b
    if b is None:
        return a
    ka = (min(map(len, a)), -len(a))
    kb = (min(map(len, b)), -len(b))
    return a if ka >= kb else b


def _sequence(items: list[tuple[Any, Any]]) -> _Req | None:
    best: _Req | None = None
    run: list[str] = []

    def close() -> None:
        nonlocal best
        if run:
            best = _better(best, frozenset({"".join(run)}))
            run.clear()

    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        close()
        if op is _c.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            if add_flags & re.IGNORECASE:
                continue
            best = _better(best, _sequence(list(sub)))
        elif op is _c.BRANCH:
            alts = [_sequence(list(alt)) for alt in av[1]]
            if alts and all(a is not None for a in alts):
                best = _better(best, frozenset().union(*alts))  # type: ignore[arg-type]
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            lo, _hi, sub = av
            if lo >= 1:
                best = _better(best, _sequence(list(sub)))
        elif op is getattr(_c, "ATOMIC_GROUP", None):
            best = _better(best, _sequence(list(av)))
        # anything else (classes, anchors, look-arounds, back references) requires nothing known
    close()
    return best


def may_match(required: frozenset[str] | None, text: str) -> bool:
    """False only when ``text`` holds none of ``required`` (so the pattern surely fails on it)."""
    if required is None:
        return True
    for lit in required:  # noqa: SIM110 - a plain loop: no generator per call
        if lit in text:
            return True
    return False
