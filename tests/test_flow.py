"""The one-record-per-line reader (lineage.facts.flow) against libyaml.

Whenever the fast reader takes a file, the libyaml path must read the same file
without a problem and give the same tree: the same keys, values and value types,
and the same position for every mapping, key, value and item. Whenever libyaml
refuses a file or finds a problem in it, the fast reader must leave the file to it.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lineage.facts import loader
from lineage.facts.flow import flow_document
from lineage.facts.nodes import _List, _Map

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from synth import write_hub  # noqa: E402


def shape(x: Any) -> Any:
    """Everything the loader reads from a node tree, positions included."""
    if isinstance(x, _Map):
        return (
            "map",
            x.line,
            x.column,
            sorted(x.key_at.items()),
            list(x.value_at.items()),
            [(k, shape(v)) for k, v in x.items()],
        )
    if isinstance(x, _List):
        return ("list", x.line, x.column, list(x.item_at), [shape(v) for v in x])
    return (type(x).__name__, x)


def by_libyaml(text: str) -> Any:
    """The libyaml path's tree, or None when it refuses or reports a problem."""
    problems: list[Any] = []
    try:
        node = loader._Loader(text).get_single_node()
    except (yaml.YAMLError, RecursionError):
        return None
    if node is None:
        return None
    try:
        document = loader._Reader("f.yaml", problems).convert(node)
    except loader._Stop:
        return None
    return None if problems else document


def agree(text: str) -> bool:
    """Check one file both ways; True when the fast reader took it."""
    fast = flow_document(text)
    if fast is None:
        return False
    slow = by_libyaml(text)
    assert slow is not None, f"the fast reader took what libyaml refuses:\n{text}"
    assert shape(fast) == shape(slow), text
    return True


_WORDS = [
    "m1", "Model 1", "gpt-3.5", "code_training", "2021", "2021-03", "2021-03-04",
    "3.10", "1e3", "-1", "-.5", ".inf", "-.inf", ".nan", "0x1f", "0o7", "1_000",
    "+1", "yes", "No", "on", "OFF", "true", "False", "~", "null", "NULL", "y", "n",
    "a#b", "a: b", "a :b", "a:b", "a:", ":a", "?a", "-a", "- a", "a #b", "#a",
    "http://example.org/x?y=1#z", "it's", 'say "hi"', "a  b", "&anchor", "*alias",
    "!tag", "!!str", "%x", "@x", "`x`", "|x", ">x", "a,b", "a[b", "a]b", "a{b",
    "a}b", "é", "中文", "a\u00a0b", "a\u2028b", "a\x85b", "x\\y", "''", "'", '"',
    "a'b''c", "...", "---", "=", "<<", "\u200b", "\ufeff", "a\tb", "a\rb",
]  # fmt: skip
_NICE = ["m1", "Model 1", "gpt-3.5", "2021", "card m1", "base model m0", "3.10"]
_KEYS = ["id", "name", "released", "aliases", "evidence", "note", "color", "x-y"]
_ODD_KEYS = ["<<", "Id", "evidence ", "1", "'id'", "a b", "id"]


_ODD = [True]  # whether the generators below may draw odd choices


@contextlib.contextmanager
def _clean() -> Iterator[None]:
    """The generators draw no odd choices inside this block."""
    _ODD[0] = False
    try:
        yield
    finally:
        _ODD[0] = True


def _rarely(draw: Any, usual: Any, odd: Any) -> Any:
    """Mostly what a hub file holds, now and then (when allowed) something odd."""
    return draw(odd if _ODD[0] and draw(st.integers(0, 9)) == 0 else usual)


def _scalar(word: str, style: int) -> str:
    if style == 1:
        return "'" + word.replace("'", "''") + "'"
    if style == 2:
        return '"' + word + '"'
    return word


@st.composite
def _value(draw: Any, depth: int = 0) -> str:
    kind = draw(st.integers(0, 5 if depth < 3 else 2))
    if kind <= 2:
        word = _rarely(draw, st.sampled_from(_NICE), st.sampled_from(_WORDS))
        return _scalar(word, kind)
    if kind == 3:
        items = draw(st.lists(_value(depth + 1), max_size=3))
        return "[" + draw(st.sampled_from([", ", ",", " , "])).join(items) + "]"
    return draw(_mapping(depth + 1))


@st.composite
def _mapping(draw: Any, depth: int = 0) -> str:
    keys = draw(st.lists(st.sampled_from(_KEYS), max_size=4, unique=True))
    if _ODD[0] and draw(st.integers(0, 9)) == 0:
        keys.insert(draw(st.integers(0, len(keys))), draw(st.sampled_from(_ODD_KEYS)))
    colons = st.sampled_from([": ", ":  ", ":", " : "])
    parts = [
        f"{k}{_rarely(draw, st.just(': '), colons)}{draw(_value(depth))}" for k in keys
    ]
    sep = _rarely(draw, st.just(", "), st.sampled_from([",", " , ", ",  "]))
    inner = sep.join(parts)
    if _ODD[0] and parts and draw(st.integers(0, 9)) == 0:
        inner += ","
    return (
        draw(st.sampled_from(["{", "{ "])) + inner + draw(st.sampled_from(["}", " }"]))
    )


@st.composite
def _document(draw: Any) -> str:
    lines: list[str] = []
    names = st.sampled_from(["models", "claims", "x"])
    for name in draw(st.lists(names, max_size=3, unique=not _ODD[0])):
        odd = st.sampled_from([": []", ":  # c", ": [] # c", ":#c", ": "])
        header = _rarely(draw, st.just(":"), odd)
        lines.append(name + header)
        indent = _rarely(draw, st.just("  "), st.sampled_from(["", "    ", " "]))
        for _ in range(draw(st.integers(0 if _ODD[0] else 1, 3))):
            if draw(st.integers(0, 6)) == 0:
                lines.append(draw(st.sampled_from(["", "  # note", "#", "   "])))
            dash = _rarely(draw, st.just("- "), st.sampled_from(["-  ", "-"]))
            tail = _rarely(
                draw, st.just(""), st.sampled_from([" # c", "#c", "  ", ","])
            )
            other = " " if _ODD[0] and draw(st.integers(0, 8)) == 0 else ""
            lines.append(indent + other + dash + draw(_mapping()) + tail)
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))


@settings(
    max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(_document())
def test_generated_files_read_the_same(text: str) -> None:
    """Files with odd spacing, keys, scalars and layouts here and there."""
    agree(text)


def test_clean_generated_files_read_the_same() -> None:
    """Files in the hub's own layout, with every kind of scalar and nesting: the
    fast reader takes most of them (so their positions are compared)."""
    taken: list[bool] = []

    @settings(max_examples=600, deadline=None)
    @given(_document())
    def check(text: str) -> None:
        taken.append(agree(text))

    with _clean():
        check()
    assert sum(taken) > len(taken) * 0.9, f"taken {sum(taken)} of {len(taken)}"


_NICE_WORD = re.compile("|".join(re.escape(w) for w in sorted(_NICE, key=len)[::-1]))


def test_records_of_one_shape_read_the_same() -> None:
    """Many records of one shape (keys, spacing, quoting, nesting) with their
    scalars drawn anew, odd ones included: records after the first are read through
    the shape's pattern, and must read as libyaml reads them."""
    taken: list[bool] = []

    @settings(max_examples=400, deadline=None)
    @given(_mapping(), st.data())
    def check(template: str, data: Any) -> None:
        words = st.sampled_from(_NICE * 6 + _WORDS)
        lines = [_NICE_WORD.sub(lambda _: data.draw(words), template) for _ in range(6)]
        taken.append(agree("models:\n" + "".join(f"  - {x}\n" for x in lines)))

    with _clean():
        check()
    assert sum(taken) > len(taken) * 0.2, f"taken {sum(taken)} of {len(taken)}"


@pytest.mark.parametrize("word", ["a #b", "a: b", "a:", "x\\y", "it's", "a b"])
def test_an_odd_scalar_after_records_of_its_shape(word: str) -> None:
    """The shape's pattern checks each scalar as the step-by-step reader does."""
    for style in range(3):
        lines = [f"  - {{id: m{n}, note: {_scalar('ok', style)}}}" for n in range(4)]
        lines.append(f"  - {{id: m9, note: {_scalar(word, style)}}}")
        agree("models:\n" + "\n".join(lines) + "\n")


@pytest.mark.parametrize("word", _WORDS)
def test_every_odd_scalar_reads_the_same(word: str) -> None:
    """Each odd scalar in every style and place, in an otherwise plain file."""
    for style in range(3):
        value = _scalar(word, style)
        for record in (
            f"{{note: {value}}}",
            f"{{note: {value}, id: m1}}",
            f"{{aliases: [{value}, b]}}",
            f"{{evidence: [{{note: {value}}}], id: m1}}",
            f"{{{value}: x}}",
        ):
            agree(f"models:\n  - {record}\n  - {{id: m2}}\n")


@settings(max_examples=800, deadline=None)
@given(
    st.integers(0, 200),
    st.text(
        alphabet=" ,:'\"#{}[]-!&*?|>%@`\\\t\r\nab1é\u00a0\x85\u2028\ufeff.", max_size=3
    ),
    st.integers(0, 3),
)
def test_mutated_lines_read_the_same(at: int, insert: str, delete: int) -> None:
    """Valid hub lines with characters inserted and removed anywhere."""
    base = (
        "models:\n  - {id: m1, name: Model 1, released: '2021', aliases: [m-one]}\n"
        "claims:\n  - {id: k1-2, model: m1, capability: cap-2, effect: gain,"
        " evidence: [{source: hub, locator: 'card m1', note: \"base m0\"}]}  # c\n"
    )
    at %= len(base)
    agree(base[:at] + insert + base[at + delete :])


def test_hub_files_take_the_fast_path(tmp_path: Path) -> None:
    """The synthetic hub (the shape importers write) is read without libyaml."""
    write_hub(300, tmp_path)
    files = sorted(tmp_path.glob("*.yaml"))
    assert files
    for path in files:
        assert agree(path.read_text(encoding="utf-8")), path


def test_block_style_files_are_left_to_libyaml() -> None:
    """The shipped graph is written in block style: every file falls back, and
    loading it gives what it always gave (the rest of the suite checks answers)."""
    for path in sorted((ROOT / "graph").glob("*.yaml")):
        assert flow_document(path.read_text(encoding="utf-8")) is None, path


def test_problems_are_reported_by_libyaml(tmp_path: Path) -> None:
    """A duplicate key on a flow line is refused by the fast reader, so the loader
    reports it with its position, as before."""
    problems: list[Any] = []
    text = "models:\n  - {id: m1, name: A, id: m2}\n"
    assert flow_document(text) is None
    loader.parse_document(text.encode(), "f.yaml", problems)
    assert [(p.line, p.column, p.code) for p in problems] == [(2, 23, "duplicate-key")]


def test_wide_and_long_records_read_the_same() -> None:
    """Records with more parts than a shape takes, and very long scalars."""
    wide = "".join(
        f"  - {{id: m{n}, aliases: [{', '.join(f'a{n}-{j}' for j in range(60))}]}}\n"
        for n in range(5)
    )
    assert agree("models:\n" + wide)
    long = "".join(f"  - {{id: m{n}, name: {'x y ' * 5000}z}}\n" for n in range(3))
    assert agree("models:\n" + long)
