"""Loader: positions, types, limits, and the shipped JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lineage.errors import FactError
from lineage.facts.loader import fact_files, json_schema, load_facts
from lineage.facts.model import Confidence, Stage

ROOT = Path(__file__).resolve().parent.parent


def test_records_keep_file_line_column(write_facts) -> None:
    graph = write_facts("""\
        sources:
          - {id: s, title: T, authors: [A], year: 2022, url: https://e.org}
        models:
          - id: m
            name: M
            released: 2022-03
        """)
    facts, problems = load_facts([graph])
    assert problems == []
    loc = facts.models["m"].loc
    assert (Path(loc.path).name, loc.line, loc.column) == ("x.yaml", 4, 5)
    assert facts.models["m"].loc.of("released").line == 6
    assert facts.models["m"].released == "2022-03"


def test_full_dates_stay_strings(write_facts) -> None:
    facts, problems = load_facts(
        [write_facts("models:\n  - {id: m, name: M, released: 2022-11-30}\n")]
    )
    assert problems == [] and facts.models["m"].released == "2022-11-30"


def test_derivation_id_defaults_to_endpoints(write_facts) -> None:
    graph = write_facts("""\
        sources: [{id: s, title: T, authors: [A], year: 2022, url: "https://e.org"}]
        models: [{id: a, name: A}, {id: b, name: B}]
        derivations:
          - {parent: a, child: b, stage: rlhf, confidence: likely,
             evidence: [{source: s, locator: L, note: n}]}
        """)
    facts, problems = load_facts([graph])
    assert problems == []
    der = facts.derivations["a--b"]
    assert der.stage is Stage.RLHF and der.confidence is Confidence.LIKELY


def test_files_are_globbed_recursively_and_sorted(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("b.yaml", "a.yaml", "sub/c.yaml", "notes.md"):
        (tmp_path / name).write_text("models: []\n")
    assert [p.relative_to(tmp_path).as_posix() for p in fact_files([tmp_path])] == [
        "a.yaml",
        "b.yaml",
        "sub/c.yaml",
    ]


def test_missing_directory_raises_fact_error(tmp_path: Path) -> None:
    with pytest.raises(FactError, match="does not exist"):
        fact_files([tmp_path / "nope"])


def test_problems_are_collected_not_raised(write_facts) -> None:
    graph = write_facts("models:\n  - {id: a}\n  - {id: b}\n")
    _, problems = load_facts([graph])
    assert [p.line for p in problems] == [2, 3]
    assert {p.code for p in problems} == {"missing-field"}


def test_alias_bomb_is_refused_quickly(write_facts) -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    lines += [
        f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)
    ]
    graph = write_facts("\n".join(lines) + "\n")
    _, problems = load_facts([graph])
    assert [p.code for p in problems] == ["too-large"]


def test_file_size_limit(write_facts, monkeypatch: pytest.MonkeyPatch) -> None:
    import lineage.facts.loader as loader

    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 100)
    graph = write_facts("models:\n" + "  - {id: m, name: M}\n" * 20)
    _, problems = load_facts([graph])
    assert [p.code for p in problems] == ["too-large"]
    assert "split it into several files" in problems[0].message


def test_shipped_json_schema_is_current() -> None:
    shipped = json.loads((ROOT / "lineage" / "facts" / "schema.json").read_text())
    assert shipped == json_schema(), (
        "run: python -c 'import json; from "
        "lineage.facts.loader import json_schema; print(json.dumps(json_schema(), indent=2))'"
    )


def test_graph_files_validate_against_json_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema = json_schema()
    for path in sorted((ROOT / "graph").glob("*.yaml")):
        # BaseLoader keeps every scalar a string, as editors see them; so check the
        # structure (sections, required keys, no unknown keys) only.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
        validator = jsonschema.Draft202012Validator(_structure_only(schema))
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], path.name


def _structure_only(node):  # type: ignore[no-untyped-def]
    if isinstance(node, dict):
        return {
            k: _structure_only(v)
            for k, v in node.items()
            if k not in ("type", "pattern", "enum", "minLength")
            or isinstance(v, dict)
            and k != "enum"
        }
    if isinstance(node, list):
        return [_structure_only(v) for v in node]
    return node


def test_every_field_has_a_packed_position_index() -> None:
    from lineage.facts.loader import _EVIDENCE, _SPECS
    from lineage.facts.model import FIELD_NAMES

    keys = {k for _, spec in _SPECS.values() for k in spec} | set(_EVIDENCE)
    assert keys <= set(FIELD_NAMES)


def test_text_fields_keep_numbers_as_written(write_facts) -> None:
    digits = "9" * 5000
    graph = write_facts(f"""\
        models:
          - {{id: m, name: 1e3, description: 3.10, aliases: [2.50, 0x1F, .inf]}}
          - {{id: n, name: {digits}, released: 2022}}
          - {{id: o, name: 2٠٢٢}}
        """)
    facts, problems = load_facts([graph])
    assert problems == []
    m = facts.models["m"]
    assert (m.name, m.description, m.aliases) == (
        "1e3",
        "3.10",
        ("2.50", "0x1F", ".inf"),
    )
    assert facts.models["n"].name == digits and facts.models["n"].released == "2022"
    assert facts.models["o"].name == "2٠٢٢"


def test_numbers_are_numbers_in_number_fields(write_facts) -> None:
    graph = write_facts("""\
        sources: [{id: s, title: T, authors: [A], year: 2022, url: https://e.org}]
        models: [{id: m, name: M}]
        capabilities: [{id: c, name: C, kind: ability, description: D}]
        figures:
          - {id: f, subject: m, property: p, value: 175_000, unit: u, source: s, locator: L}
        emergence:
          - {id: e, capability: c, task: T, setting: few-shot, model: m, source: s,
             locator: L, training_flops: 1.3e23, parameters: !!int 68000000000}
        """)
    facts, problems = load_facts([graph])
    assert problems == []
    assert facts.figures["f"].value == 175000 and facts.sources["s"].year == 2022
    row = facts.emergence["e"]
    assert (row.training_flops, row.parameters) == (1.3e23, 68000000000)


def test_aliases_of_one_long_string_are_refused_quickly(write_facts) -> None:
    # the reproduction of issue 13 item 7: a 99,999-character anchor, 100,000 aliases
    graph = write_facts(
        "models:\n  - id: m\n    name: M\n    description: &d "
        + "x" * 99_999
        + "\n    aliases: ["
        + ", ".join(["*d"] * 100_000)
        + "]\n"
    )
    _, problems = load_facts([graph])
    assert [p.code for p in problems] == ["too-large"]
    assert "aliases repeat strings" in problems[0].message


def test_schema_docs_json_and_loader_agree() -> None:
    """docs/schema.md, lineage/facts/schema.json and the loader's specs say the same."""
    import re

    import yaml

    from lineage.facts.loader import _NESTED, _SPECS, SLUG

    docs = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    shipped = json.loads((ROOT / "lineage" / "facts" / "schema.json").read_text())
    assert shipped == json_schema()
    assert f"`{SLUG.pattern}`" in docs
    blocks = re.findall(r"```yaml\n(.*?)```", docs, re.S)
    # every field of every section is in the docs' examples, and nothing else
    documented: dict[str, set[str]] = {}
    for block in blocks:
        data = yaml.safe_load(block)
        if isinstance(data, dict):
            for section, records in data.items():
                documented[section] = set().union(*(r.keys() for r in records))
        elif isinstance(data, list) and "locator" in data[0]:
            documented["evidence"] = set(data[0])
    expected = {section: set(spec) for section, (_, spec) in _SPECS.items()}
    expected["evidence"] = set(_NESTED["evidence"])
    assert documented == expected
    # a field marked "# required" or "# optional" in the docs is so in the loader
    for block in blocks:
        section = None
        for line in block.splitlines():
            top = re.match(r"^(\w+):", line)
            section = top.group(1) if top else section
            field = re.match(r"^ {2}(?:- |  )(\w+):.*#\s*(required|optional)\b", line)
            if not field or section not in _SPECS or "required unless" in line:
                continue
            key, flag = field.groups()
            if key in _SPECS[section][1]:
                assert _SPECS[section][1][key][1] == (flag == "required"), (
                    section,
                    key,
                )
    # the closed vocabularies are the loader's
    listed = [
        set(re.findall(r"`([^`]+)`", item))
        for item in re.findall(r"^- \*\*\w+\*\*[^:]*:(.*(?:\n  .*)*)", docs, re.M)
    ]
    enums = {
        frozenset(check.values)
        for _, spec in [*_SPECS.values(), *((None, s) for s in _NESTED.values())]
        for check, _ in spec.values()
        if hasattr(check, "values")
    }
    for values in enums:
        assert any(values <= v for v in listed), sorted(values)


def test_records_with_errors_are_checked_but_never_answer(tmp_path: Path) -> None:
    import shutil

    from lineage.facts.validate import validate

    case = ROOT / "tests" / "data" / "bad" / "structural-error-hides-others.yaml"
    shutil.copy(case, tmp_path / "x.yaml")
    facts, problems = load_facts([tmp_path])
    codes = sorted(p.code for p in [*problems, *validate(facts)])
    assert codes.count("unknown-reference") == 2  # 'nowhere', 'nope'; not 'broken'
    assert "duplicate-id" in codes and "unknown-source" in codes
    assert set(facts.models) == {"m"} and set(facts.claims) == {"k"}
    assert [(section, r.id) for section, r in facts.incomplete] == [
        ("models", "broken"),
        ("claims", "k"),
        ("claims", "k2"),
    ]
