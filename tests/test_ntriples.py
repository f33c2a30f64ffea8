"""Streamed N-Triples (``lineage.outputs.rdf.write_ntriples``): the same graph as ``to_rdf``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.compare import isomorphic

from lineage.api import load_graph
from lineage.cli import cli
from lineage.errors import LineageError
from lineage.outputs.rdf import (
    keep_lexical_forms,
    nt_iri,
    nt_literal,
    to_rdf,
    write_ntriples,
)

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).parent / "data" / "mini"


def _same_graph(index, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    target = tmp_path / "out.nt"
    count = write_ntriples(index, target)
    text = target.read_text(encoding="utf-8")
    with keep_lexical_forms():  # as to_rdf reads them
        back = Graph().parse(data=text, format="nt")
    expected = to_rdf(index)
    assert count == len(expected) == len(back) == text.count("\n")
    assert isomorphic(back, expected)
    assert len(set(text.split("\n")[:-1])) == count  # no line written twice
    return text


def test_mini_graph_is_isomorphic(tmp_path: Path) -> None:
    _same_graph(load_graph([MINI], cache=False), tmp_path)


def test_shipped_graph_is_isomorphic(shipped_index, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _same_graph(shipped_index, tmp_path)


def test_synthetic_hub_is_isomorphic(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synth import write_hub

    write_hub(300, tmp_path / "hub")
    _same_graph(load_graph([tmp_path / "hub"], cache=False), tmp_path)


HOSTILE = r"""
sources:
  - id: src
    title: "Quotes \" and back\\slash and <>{}"
    authors: ["Ann \"A\"", "Ann \"A\"", "李雷"]
    year: 2022
    url: "https://example.org/a<b>{c}\\d"
    note: "line\nbreak\rcarriage\ttab"
stages:
  - {id: pretraining, name: Pre-training, definition: "def \"q\""}
  - {id: rlhf, name: RLHF, definition: "controls \x01\x02\x1b\x1f\x7f"}
capabilities:
  - id: cot
    name: "思维链 reasoning"
    aliases: ["CoT 🧠", "<b>{x}</b>", "a\\b", "思维链"]
    kind: ability
    description: "emoji 🦙 and \0 nul"
  - id: sub
    name: Sub
    kind: ability
    description: "x"
    broader: [cot, cot]
families:
  - {id: fam, name: "Fam \"1\"", aliases: ["F\t1"], organization: "Org & Co"}
models:
  - id: a
    name: "A \"model\" \\ 🦙"
    aliases: ["a\nb", "<a>", "모델"]
    family: fam
    organization: "org & co"
    released: 2020-05
    description: "desc\u0000\u0008\u000c\u001f end"
    training_data: "data {curly} |pipe| ^caret^ `tick`"
    evidence: [{source: src, locator: "§1 \"x\"", note: "n\\n is not a newline"}]
  - {id: b, name: B, family: fam, released: "2021"}
derivations:
  - id: ab1
    parent: a
    child: b
    stage: pretraining
    confidence: established
    note: "first \"one\""
    evidence: [{source: src, locator: "p. 1", note: "tab\there"}]
  - id: ab2
    parent: a
    child: b
    stage: rlhf
    confidence: likely
    evidence: [{source: src, locator: "p. 2", note: "\u2028 line separator"}]
claims:
  - id: c1
    model: b
    capability: cot
    effect: gained
    stage: rlhf
    confidence: established
    contested: true
    note: "note with \"quotes\", \\, \n, \r, \t, \x00 and 🦙"
    evidence: [{source: src, locator: "<T1>", note: "{}"}]
  - id: c2
    model: fam
    capability: cot
    effect: gained
    stage: pretraining
    confidence: likely
    alternative_to: c1
    evidence: [{source: src, locator: "x", note: "y"}]
figures:
  - {id: f1, subject: a, property: parameters, value: 1.5, unit: "\"B\"", source: src, locator: T1, note: "n\n"}
  - {id: f2, subject: fam, property: tokens, value: 300000000000, unit: tokens, source: src, locator: T2}
emergence:
  - id: e1
    capability: cot
    task: "task \"1\""
    setting: augmented
    model: a
    training_flops: 1.3e23
    parameters: 6.8e10
    reference: "Ref \\ 2022"
    source: src
    locator: Table 1
    note: "ok\n"
"""


def test_hostile_strings_round_trip(write_facts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from lineage.api import check_facts

    directory = write_facts(HOSTILE)
    index, problems = check_facts([directory])
    assert [str(p) for p in problems if p.severity.value == "error"] == []
    text = _same_graph(index, tmp_path)
    assert text.isascii() is False  # emoji and CJK are written raw, as UTF-8
    assert "🦙" in text and "思维链" in text
    assert "\\u0000" in text and "\\u001F" in text and "\\u007F" in text
    assert '\\"model\\"' in text and "\\t" in text and "\\r" in text
    for line in text.split("\n")[:-1]:  # one triple per line, none broken
        assert line.endswith(" .") and "\r" not in line and "\x00" not in line


def test_escaping_follows_the_spec() -> None:
    assert nt_literal('a"b\\c') == '"a\\"b\\\\c"'
    assert nt_literal("\n\r\t\b\f") == '"\\n\\r\\t\\b\\f"'
    assert nt_literal("\x00\x1f\x7f", "@en") == '"\\u0000\\u001F\\u007F"@en'
    assert nt_literal("🦙 李") == '"🦙 李"'
    assert nt_iri("https://e.org/a b<c>") == "<https://e.org/a\\u0020b\\u003Cc\\u003E>"
    for text in ("x\x00y", 'q"', "\\", "a\nb", "🦙\x7f"):
        back = Graph().parse(data=f"<s:a> <p:b> {nt_literal(text)} .\n", format="nt")
        assert next(iter(back.objects())) == Literal(text)


def test_output_is_byte_identical_across_hash_seeds(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        target = tmp_path / f"{seed}.nt"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        env["LINEAGE_CACHE_DIR"] = str(tmp_path / f"cache-{seed}")
        subprocess.run(
            [sys.executable, "-m", "lineage", "export", "-o", str(target)]
            + ["--graph", str(MINI)],
            env=env,
            check=True,
            capture_output=True,
        )
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1] and outputs[0]


def test_cli_export_nt_uses_the_streamed_writer(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "x.nt"
    result = runner.invoke(cli, ["export", "-o", str(target), "--graph", str(MINI)])
    assert result.exit_code == 0, result.output
    index = load_graph([MINI], cache=False)
    count = len(to_rdf(index))
    assert result.stderr == f"wrote {target} ({count} triples, nt)\n"
    write_ntriples(index, tmp_path / "direct.nt")
    assert target.read_bytes() == (tmp_path / "direct.nt").read_bytes()
    stdout = runner.invoke(cli, ["export", "--format", "nt", "--graph", str(MINI)])
    assert stdout.exit_code == 0
    assert stdout.stdout == target.read_text(encoding="utf-8")


def test_failed_export_leaves_the_old_file(tmp_path: Path) -> None:
    index = load_graph([MINI], cache=False)
    target = tmp_path / "keep.nt"
    target.write_text("old\n")
    with pytest.raises(LineageError, match="base IRI"):
        write_ntriples(index, target, base="not an iri")
    assert target.read_text() == "old\n"
    if os.geteuid() != 0:  # root may write into a read-only directory
        tmp_path.chmod(0o500)
        try:
            with pytest.raises(LineageError, match="cannot write"):
                write_ntriples(index, target)
            assert target.read_text() == "old\n"
        finally:
            tmp_path.chmod(0o700)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.nt"]


def test_failure_while_writing_removes_the_temporary_file(tmp_path: Path) -> None:
    from lineage.facts.model import Facts

    class Broken(Facts):  # a record that cannot be formatted, half-way through
        pass

    index = load_graph([MINI], cache=False)
    facts = index.facts
    broken = Broken(**{k: getattr(facts, k) for k in facts.__slots__})
    broken.claims = {**facts.claims, "bad": None}  # type: ignore[dict-item]
    target = tmp_path / "keep.nt"
    target.write_text("old\n")
    with pytest.raises(TypeError):  # None is no record: it has no row
        write_ntriples(broken, target)
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.nt"]


def _every_kind(root: Path) -> list[Path]:
    """The shipped graph, the importers' test inputs and a synthetic hub (its
    vocabulary's stages left out, the shipped ones serve): a record of every kind."""
    from lineage.imports.ecosystem_graphs import import_ecosystem_graphs
    from lineage.imports.epoch import import_epoch
    from lineage.imports.hf import import_hf

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synth import write_hub

    data = Path(__file__).parent / "data" / "imports"
    import_ecosystem_graphs(data / "eg", root / "overlay")
    import_hf([data / "hf" / "cards", data / "hf" / "models.jsonl"], root / "overlay")
    import_epoch(data / "epoch" / "models.csv", root / "overlay")
    write_hub(300, root / "hub")
    vocabulary = root / "hub" / "000-vocabulary.yaml"
    kept = [
        line
        for line in vocabulary.read_text("utf-8").splitlines(keepends=True)
        if line != "stages:\n" and "definition: synthetic}" not in line
    ]
    vocabulary.write_text("".join(kept), "utf-8")
    return [ROOT / "graph", root / "overlay", root / "hub"]


@pytest.mark.parametrize("fmt", ["nt", "turtle"])
def test_rows_read_from_the_store_give_the_lines_of_the_records(
    tmp_path: Path, fmt: str
) -> None:
    """The writer reads the large sections from the store as stored rows, never
    building records; records in memory go through ``as_row``. Same bytes."""
    from lineage.outputs.rdf import write_rdf
    from lineage.store.lazy import StoredIndex

    dirs = _every_kind(tmp_path / "graph")
    stored = load_graph(dirs)
    assert isinstance(stored, StoredIndex)
    in_memory = load_graph(dirs, cache=False)
    assert not isinstance(in_memory, StoredIndex)
    facts = in_memory.facts
    assert all(len(getattr(facts, name)) for name in ("assets", "identifiers",
               "concepts", "conflicts", "figures", "emergence"))  # fmt: skip
    counts = [write_rdf(index, tmp_path / f"{n}.{fmt}", fmt, base="https://e.org/#")
              for n, index in (("store", stored), ("memory", in_memory))]  # fmt: skip
    assert counts[0] == counts[1] > 10_000
    text = (tmp_path / f"store.{fmt}").read_bytes()
    assert text == (tmp_path / f"memory.{fmt}").read_bytes()
    if fmt == "nt":
        assert text.count(b"\n") == counts[0]


def test_the_streamed_export_does_not_import_rdflib(tmp_path: Path) -> None:
    """rdflib costs about 80 ms to import; the streamed formats do not need it."""
    code = (
        "import sys\n"
        "from lineage.api import load_graph\n"
        "from lineage.outputs.export import write_streamed\n"
        f"index = load_graph([{str(ROOT / 'graph')!r}])\n"
        "for fmt in ('nt', 'turtle', 'trig', 'jsonld'):\n"
        f"    write_streamed(index, {str(tmp_path)!r} + '/out.' + fmt, fmt)\n"
        "assert 'rdflib' not in sys.modules, 'rdflib was imported'\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    assert (tmp_path / "out.nt").read_bytes().count(b"\n") > 1000
