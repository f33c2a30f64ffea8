"""Property: after any sequence of edits, the store's answer (problems, and every
why/show when the facts are valid) equals the answer of a build from scratch."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lineage.api import check_facts
from lineage.errors import NoPathError
from lineage.provenance.query import (
    find_origins,
    path_between,
    show_model,
    to_jsonable,
)
from lineage.store.index import Index

HEAD = """sources:
  - {id: src, title: S, authors: [A], year: 2022, url: 'https://example.org/s'}
capabilities:
  - {id: cap-a, name: Cap A, aliases: [alpha], kind: ability, description: a}
  - {id: cap-b, name: Cap B, kind: ability, description: b, broader: [cap-a]}
"""
MODELS = [f"m{i}" for i in range(6)]
EV = "evidence: [{source: src, locator: p1, note: n}]"

# one file's content is a few records drawn from these pieces
model = st.builds(
    lambda i, year, alias, family: (
        f"  - {{id: m{i}, name: M{i}, released: '{year}'"
        + (f", aliases: [{alias}]" if alias else "")
        + (f", family: {family}" if family else "")
        + "}"
    ),
    st.integers(0, 5),
    st.sampled_from(["2019", "2020", "2021", "2022"]),
    st.sampled_from([None, "alpha", "same", "M1", "F0"]),
    st.sampled_from([None, "f0", "f1"]),
)
# records of other kinds that refer to models (a family's root), to claims, or to
# anything (a figure's subject), so that an edit elsewhere creates or clears them
family = st.builds(
    lambda i, root, alias: (
        f"  - {{id: f{i}, name: F{i}"
        + (f", root: m{root}" if root is not None else "")
        + (f", aliases: [{alias}]" if alias else "")
        + "}"
    ),
    st.integers(0, 1),
    st.one_of(st.none(), st.integers(0, 6)),
    st.sampled_from([None, "M2", "fam"]),
)
figure = st.builds(
    lambda n, subject: (
        f"  - {{id: fig{n}, subject: {subject}, property: parameters, value: 7, "
        "unit: parameters, source: src, locator: p1}"
    ),
    st.integers(0, 1),
    st.sampled_from(["m0", "m3", "f0", "src", "cap-a", "nothing"]),
)
derivation = st.builds(
    lambda p, c, stage, sure: (
        f"  - {{parent: m{p}, child: m{c}, stage: {stage}, confidence: {sure}, {EV}}}"
    ),
    st.integers(0, 6),
    st.integers(0, 6),
    st.sampled_from(["pretraining", "instruction_tuning", "rlhf"]),
    st.sampled_from(["likely", "established", "speculative"]),
)
claim = st.builds(
    lambda n, m, cap, effect, alt, extra: (
        f"  - {{id: c{n}, model: m{m}, capability: {cap}, "
        f"effect: {effect}, stage: instruction_tuning, confidence: likely, {EV}"
        + (f", alternative_to: c{alt}" if alt is not None else "")
        + (f", {extra}" if extra else "")
        + "}"
    ),
    st.integers(0, 4),
    st.integers(0, 5),
    st.sampled_from(["cap-a", "cap-b", "cap-x"]),
    st.sampled_from(["gained", "lost", "strengthened"]),
    st.one_of(st.none(), st.integers(0, 4)),
    st.sampled_from([None, "supports: c0", "supports: c2", "still_below: m4"]),
)


def _text(
    models: list[str],
    ders: list[str],
    claims: list[str],
    families: list[str] = (),  # type: ignore[assignment]
    figures: list[str] = (),  # type: ignore[assignment]
) -> str:
    out = ""
    for section, rows in (
        ("families", families),
        ("models", models),
        ("derivations", ders),
        ("claims", claims),
        ("figures", figures),
    ):
        if rows:
            out += f"{section}:\n" + "\n".join(rows) + "\n"
    return out or "models: []\n"


content = st.builds(
    _text,
    st.lists(model, max_size=3),
    st.lists(derivation, max_size=3),
    st.lists(claim, max_size=2),
    st.lists(family, max_size=1),
    st.lists(figure, max_size=1),
)
edit = st.tuples(st.integers(0, 2), st.one_of(content, st.just(None)))


def _answer(index: Index, problems: list) -> object:
    shown = [str(p) for p in problems]
    if any(p.severity.value == "error" for p in problems):
        return shown
    return (
        shown,
        [to_jsonable(find_origins(index, c)) for c in index.facts.capabilities],
        [to_jsonable(show_model(index, m)) for m in index.facts.models],
        [_path(index, a, b) for a in index.facts.models for b in index.facts.models],
        # cut answers: a stored index reads only what they keep
        [to_jsonable(find_origins(index, c, 1)) for c in index.facts.capabilities],
        [to_jsonable(show_model(index, m, 1)) for m in index.facts.models],
    )


def _path(index: Index, a: str, b: str) -> object:
    try:
        return to_jsonable(path_between(index, a, b))
    except NoPathError as exc:
        return str(exc)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(edit, min_size=1, max_size=5))
def test_store_after_edits_equals_a_fresh_build(
    tmp_path_factory, edits: list[tuple[int, str | None]]
) -> None:
    graph = tmp_path_factory.mktemp("g")
    (graph / "0-head.yaml").write_text(HEAD)
    files = [graph / f"{n}-part.yaml" for n in (1, 2, 3)]
    for path in files:
        path.write_text("models: []\n")
    check_facts([graph])
    for which, text in edits:
        if text is None:
            files[which].unlink(missing_ok=True)
        else:
            files[which].write_text(text)
        stored = check_facts([graph])
        fresh = check_facts([graph], cache=False)
        assert _answer(*stored) == _answer(*fresh)


def test_an_edit_creates_and_clears_problems_in_other_files(tmp_path) -> None:
    """File A refers to a model that file B defines: B's edit removing it makes
    problems at A's lines, putting it back clears them; each step equals a fresh
    build (the store re-checks A without re-reading it)."""
    graph = tmp_path / "g"
    graph.mkdir()
    (graph / "0-head.yaml").write_text(HEAD)
    a, b = graph / "1-a.yaml", graph / "2-b.yaml"
    a.write_text(
        _text(
            [],
            [f"  - {{parent: m0, child: m1, stage: rlhf, confidence: likely, {EV}}}"],
            [
                f"  - {{id: c1, model: m1, capability: cap-a, effect: gained, "
                f"stage: rlhf, confidence: likely, {EV}}}"
            ],
            ["  - {id: f0, name: F0, root: m1}"],
        )
    )
    defined = "  - {id: m0, name: M0, released: '2020'}\n"
    b.write_text("models:\n" + defined + "  - {id: m1, name: M1, family: f0}\n")
    steps = [
        "models:\n" + defined,  # m1 gone: A's derivation, claim, family root break
        "models:\n" + defined + "  - {id: m1, name: M0, family: f0}\n",  # a clash
        "models:\n" + defined + "  - {id: m1, name: M1, family: f0}\n",  # fixed
    ]
    first = check_facts([graph])[1]
    assert first == []
    seen = []
    for text in steps:
        b.write_text(text)
        stored = check_facts([graph])
        fresh = check_facts([graph], cache=False)
        assert _answer(*stored) == _answer(*fresh)
        seen.append(sorted({(p.path.rsplit("/", 1)[-1], p.code) for p in stored[1]}))
    assert ("1-a.yaml", "unknown-reference") in seen[0]
    assert ("2-b.yaml", "ambiguous-alias") in seen[1]
    assert seen[2] == []


# line-level edits of one file of many records: the store re-parses only the
# records whose lines changed (lineage/store/chunks.py); the answer must not change
line_edit = st.tuples(
    st.sampled_from(["replace", "insert", "delete", "comment", "blank", "section"]),
    st.integers(0, 30),
    st.one_of(model, derivation, claim),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(line_edit, min_size=1, max_size=6))
def test_line_edits_of_a_big_file_equal_a_fresh_build(
    tmp_path_factory, edits: list[tuple[str, int, str]]
) -> None:
    graph = tmp_path_factory.mktemp("g")
    (graph / "0-head.yaml").write_text(HEAD)
    other = graph / "1-other.yaml"
    other.write_text("models:\n  - {id: m9, name: M9, released: '2020'}\n")
    big = graph / "2-big.yaml"
    lines = ["models:"]
    lines += [f"  - {{id: m{i}, name: M{i}, released: '2021'}}" for i in range(6)]
    lines += ["derivations:"]
    lines += [
        f"  - {{parent: m{i}, child: m{i + 1}, stage: rlhf, confidence: likely, {EV}}}"
        for i in range(5)
    ]
    lines += ["claims:"]
    lines += [
        f"  - {{id: c{i}, model: m{i}, capability: cap-a, effect: gained, "
        f"stage: rlhf, confidence: likely, {EV}}}"
        for i in range(4)
    ]
    big.write_text("\n".join(lines) + "\n")
    check_facts([graph])
    for kind, at, item in edits:
        n = at % len(lines)
        items = [i for i, line in enumerate(lines) if line.startswith("  - ")]
        if kind == "replace" and items:
            lines[items[at % len(items)]] = item
        elif kind == "insert" and items:
            lines.insert(items[at % len(items)], item)
        elif kind == "delete" and items:
            del lines[items[at % len(items)]]
        elif kind == "comment":
            lines.insert(n, "  # a note")
        elif kind == "blank":
            lines.insert(n, "")
        elif kind == "section":  # a record under another section's header
            lines.insert(n + 1, item)
        big.write_text("\n".join(lines) + "\n")
        stored = check_facts([graph])
        fresh = check_facts([graph], cache=False)
        assert _answer(*stored) == _answer(*fresh)


def test_a_family_removed_elsewhere_breaks_the_claims_stated_for_it(tmp_path) -> None:
    """A claim stated for a family another file defines: removing the family makes
    an unknown reference at the claim, as a fresh build finds (the claim and its
    model are not re-read; ``stated_for`` is one of the references the store
    follows)."""
    graph = tmp_path / "g"
    graph.mkdir()
    (graph / "0-head.yaml").write_text(HEAD)
    (graph / "1-a.yaml").write_text(
        "models:\n  - {id: m1, name: M1}\nclaims:\n"
        f"  - {{id: c1, model: m1, capability: cap-a, effect: gained, stage: rlhf, "
        f"confidence: likely, stated_for: f0, {EV}}}\n"
    )
    families = graph / "2-b.yaml"
    families.write_text("families:\n  - {id: f0, name: F0}\n")
    check_facts([graph])
    families.write_text("families:\n  - {id: f1, name: F1}\n")
    stored = [str(p) for p in check_facts([graph])[1]]
    assert stored == [str(p) for p in check_facts([graph], cache=False)[1]]
    assert any("unknown family 'f0'" in p for p in stored)


# release dates changed in place: the derivation order moves only the models whose
# date changed and their descendants (store/update.py _reorder); it must equal the
# order of a build from scratch
YEARS = ["2019", "2020", "2021", "2021-06", "2022", "2023"]


def _dated(models: list[tuple[int, str]]) -> str:
    return "models:\n" + "".join(
        f"  - {{id: m{i}, name: M{i}, released: '{year}'}}\n" for i, year in models
    )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=16),
    st.lists(st.sampled_from(YEARS), min_size=12, max_size=12),
    st.lists(
        st.one_of(
            st.tuples(st.integers(0, 11), st.sampled_from(YEARS)),
            st.tuples(st.just(-1), st.tuples(st.integers(0, 11), st.integers(0, 11))),
            st.tuples(st.just(-2), st.sampled_from(["likely", "established"])),
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_date_edits_move_models_as_a_fresh_build_orders_them(
    tmp_path_factory, pairs, years, edits
) -> None:
    graph = tmp_path_factory.mktemp("g")
    (graph / "0-head.yaml").write_text(HEAD)
    ders = sorted({(min(a, b), max(a, b)) for a, b in pairs if a != b})
    years = list(years)
    sure = ["likely"]  # the derivations' confidence: no edge moves when it changes

    def write() -> None:
        for n in range(3):  # models in three files, derivations in a fourth
            mine = [(i, years[i]) for i in range(12) if i % 3 == n]
            (graph / f"{n + 1}-models.yaml").write_text(_dated(mine))
        (graph / "4-ders.yaml").write_text(
            _text(
                [],
                [
                    f"  - {{parent: m{p}, child: m{c}, stage: rlhf, "
                    f"confidence: {sure[0]}, {EV}}}"
                    for p, c in ders
                ],
                [
                    f"  - {{id: c{c}, model: m{c}, capability: cap-a, effect: "
                    f"gained, stage: rlhf, confidence: likely, {EV}}}"
                    for c in range(0, 12, 4)
                ],
            )
        )

    write()
    check_facts([graph])
    for which, what in edits:
        if which == -2:
            sure[0] = what
        elif which < 0:  # a derivation added or removed: the whole order again
            pair = (min(what), max(what))
            if pair[0] != pair[1]:
                ders = sorted(set(ders) ^ {pair})
        else:
            years[which] = what
        write()
        stored, problems = check_facts([graph])
        fresh = check_facts([graph], cache=False)
        assert dict(stored.order.items()) == fresh[0].order
        assert _answer(stored, problems) == _answer(*fresh)
