"""Required literals of a pattern: a necessary condition, never a wrong skip."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from xxgk_lint.check.kinds_narrative import claims_of
from xxgk_lint.check.rules import builtin_rules
from xxgk_lint.parse.literals import may_match, required_literals
from xxgk_lint.parse.narrative import analyse, compile_pattern

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"


def test_rule_patterns_yield_their_keywords() -> None:
    assert required_literals(compile_pattern("本年度?新收(?:到)?{GAP:16}{NUM}")) == {"本年"}
    assert required_literals(
        compile_pattern("(?:收到|接收|受理|接到|收悉|新收)(?:到|了)?{GAP:12}(?:信息公开|依申请公开){GAP:10}{NUM}")
    ) == {"信息公开", "依申请公开"}
    # a repeat with a minimum of one requires its body; an optional one does not
    assert required_literals(re.compile("x?(?:ab)+")) == {"ab"}
    assert required_literals(re.compile("(?:ab)*c")) == {"c"}


def test_unknown_means_no_shortcut() -> None:
    assert required_literals(re.compile("(?i)abc")) is None  # case-insensitive: "ABC" matches
    assert required_literals(re.compile("x(?i:abc)")) == {"x"}
    assert required_literals(re.compile("ab|")) is None  # the empty branch matches anywhere
    assert required_literals(re.compile(r"\d+[a-z]")) is None
    assert may_match(None, "")
    assert not may_match(frozenset({"予以公开"}), "部分公开3件")


def test_every_claim_of_the_builtin_rules_has_a_shortcut() -> None:
    """Not required for correctness, but a claim without one is searched in every sentence: a
    rule-file change that loses it should be a decision, not an accident."""
    claims = [c for r in builtin_rules() if r.check == "narrative_claims" for c in claims_of(r)]
    assert claims
    assert [c.id for c in claims if c.needs is None] == []


def test_no_claim_pattern_matches_a_seed_sentence_its_literals_rule_out() -> None:
    files = sorted(SEEDS.glob("*.txt")) + sorted(SEEDS.parent.glob("clean-*"))
    lines = [line for p in files for line in p.read_text(encoding="utf-8").splitlines()]
    sentences = [s.masked for line in lines for s in analyse(line)]
    assert len(sentences) > 200
    checked = 0
    for rule in builtin_rules():
        if rule.check != "narrative_claims":
            continue
        for claim in claims_of(rule):
            for pat in claim.patterns + claim.none_patterns:
                req = required_literals(pat)
                for s in sentences:
                    if pat.search(s):
                        checked += 1
                        assert may_match(req, s), (claim.id, pat.pattern, s)
    assert checked > 10  # the seeds do state figures these patterns read


# -- random patterns over a small alphabet: whatever matches holds one of the literals

_ATOMS = st.sampled_from(["a", "b", "c", "公开", "申请", ".", "[ab]", r"\d", "件"])


def _patterns() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.lists(inner, min_size=1, max_size=4).map("".join),
            st.lists(inner, min_size=2, max_size=3).map(lambda xs: "(?:" + "|".join(xs) + ")"),
            st.tuples(inner, st.sampled_from(["?", "*", "+", "{1,2}", "{0,3}?", "{2}"])).map(
                lambda t: "(?:" + t[0] + ")" + t[1]
            ),
            inner.map(lambda x: "(" + x + ")"),
            inner.map(lambda x: "(?=" + x + ")" + x),
        )

    return st.recursive(_ATOMS, extend, max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(_patterns(), st.lists(st.text(alphabet="abc公开申请件1 ", max_size=12), min_size=1, max_size=8))
def test_random_patterns_never_skip_a_match(src: str, texts: list[str]) -> None:
    pat = re.compile(src)
    req = required_literals(pat)
    if req is not None:
        assert req and all(req)
    for t in texts:
        if pat.search(t):
            assert may_match(req, t), (src, t, req)
