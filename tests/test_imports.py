"""lineage import: Hugging Face cards/JSONL, Ecosystem Graphs assets, Epoch AI's CSV."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from lineage.api import check_facts
from lineage.cli import cli
from lineage.errors import Severity
from lineage.imports.ecosystem_graphs import import_ecosystem_graphs
from lineage.imports.epoch import import_epoch
from lineage.imports.hf import import_hf
from lineage.imports.overlay import Crosswalk, ImportFailed, slugify, yaml_record

DATA = Path(__file__).parent / "data" / "imports"
ROOT = Path(__file__).resolve().parent.parent
GRAPH = ROOT / "graph"


def _records(folder: Path, section: str) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for path in sorted(folder.rglob("*.yaml")):
        for record in yaml.safe_load(path.read_text("utf-8")).get(section) or []:
            out[record.get("id") or f"{record['parent']}--{record['child']}"] = record
    return out


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _problems(*dirs: Path) -> list:
    _, problems = check_facts([GRAPH, *dirs])
    return problems


# --- Hugging Face ----------------------------------------------------------------


def test_hf_cards_and_jsonl_map_every_field(tmp_path: Path) -> None:
    out = tmp_path / "overlay"
    report = import_hf([DATA / "hf" / "cards", DATA / "hf" / "models.jsonl"], out)
    models = _records(out / "hf", "models")
    ders = _records(out / "hf", "derivations")
    chat = models["acme--chat-7b"]
    assert chat["name"] == "acme/chat-7b"
    assert chat["external_ids"] == {"huggingface": "acme/chat-7b"}
    assert chat["organization"] == "acme" and chat["license"] == "apache-2.0"
    assert chat["imported_from"].endswith("acme/chat-7b/README.md:1:1")
    assert models["acme--base-7b-lora"]["license"] == "mit"  # from the license: tag
    assert models["acme--base-7b-lora"]["released"] == "2024-03-05"
    stages = {k: d["stage"] for k, d in ders.items()}
    assert stages == {
        "acme--base-7b--acme--chat-7b": "fine_tuning",
        "acme--base-7b--lab--base-7b-gguf": "quantization",
        "acme--chat-7b--lab--merge-7b": "merging",  # a list of base models
        "other--instruct-7b--lab--merge-7b": "merging",
        "acme--base-7b--acme--base-7b-lora": "adapter_training",  # from tags
        "acme--chat-7b--solo--distilled-1b": "unspecified",  # no relation given
    }
    evidence = ders["acme--base-7b--acme--chat-7b"]["evidence"][0]
    assert evidence["source"] == "hf-hub"
    assert evidence["locator"].startswith("model card metadata: base_model")
    assert "base_model_relation: finetune" in evidence["note"]
    # the merge's second parent is in no input: a stub, reported by check
    assert models["other--instruct-7b"]["stub"] is True
    assert report.counts == {"models": 6, "derivations": 6, "stubs": 1}


def test_hf_check_reports_unknown_parents_at_the_card_line(tmp_path: Path) -> None:
    out = tmp_path / "overlay"
    import_hf([DATA / "hf" / "cards"], out, snapshot="2024-06-01")
    problems = _problems(out)
    assert not [p for p in problems if p.severity is Severity.ERROR]
    (stub,) = [p for p in problems if p.code == "referenced-unknown"]
    assert stub.path.endswith("lab/merge-7b/README.md")
    assert stub.line == 3  # the base_model: key of the front matter
    assert "'other/instruct-7b'" in stub.message


def test_hf_is_deterministic_and_idempotent(tmp_path: Path) -> None:
    inputs = [DATA / "hf" / "cards", DATA / "hf" / "models.jsonl"]
    import_hf(inputs, tmp_path / "a")
    import_hf(inputs, tmp_path / "b")
    first = _digest(tmp_path / "a")
    assert first == _digest(tmp_path / "b")
    import_hf(inputs, tmp_path / "a")  # re-import in place
    assert _digest(tmp_path / "a") == first
    assert not [p for p in (tmp_path / "a").iterdir() if p.name.startswith(".")]


def test_hf_bad_input_is_reported_with_lines_and_writes_nothing(tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    shutil.copytree(DATA / "hf" / "cards", cards)
    bad = cards / "x" / "bad" / "README.md"
    bad.parent.mkdir(parents=True)
    bad.write_text("---\nbase_model: acme/base-7b\nbase_model_relation: distil\n---\n")
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"id": "Acme/Chat_7B"}\nnot json\n{"no": "id"}\n', "utf-8")
    out = tmp_path / "overlay"
    import_hf([DATA / "hf" / "cards"], out, snapshot="2024-06-01")  # a good import
    before = _digest(out)
    with pytest.raises(ImportFailed) as caught:
        import_hf([cards, rows], out)
    found = {(Path(p.path).name, p.line, p.code) for p in caught.value.problems}
    assert found == {
        ("README.md", 2, "unknown-relation"),
        ("rows.jsonl", 1, "duplicate-id"),  # Acme/Chat_7B and acme/chat-7b collide
        ("rows.jsonl", 2, "bad-row"),
        ("rows.jsonl", 3, "bad-row"),
    }
    assert _digest(out) == before  # the earlier import is untouched
    assert sorted(p.name for p in out.iterdir()) == ["hf"]


def test_hf_attaches_to_shipped_models_through_the_crosswalk(tmp_path: Path) -> None:
    walk = Crosswalk({("huggingface", "acme/base-7b"): "davinci"})
    walk.known = {"davinci"}
    report = import_hf(
        [DATA / "hf" / "cards"], tmp_path, crosswalk=walk, snapshot="2024-06-01"
    )
    models = _records(tmp_path / "hf", "models")
    ders = _records(tmp_path / "hf", "derivations")
    assert "davinci" not in models and "acme--base-7b" not in models
    assert report.attached == {"acme/base-7b": "davinci"}
    assert ders["davinci--acme--chat-7b"]["stage"] == "fine_tuning"


def test_hf_refuses_to_replace_a_foreign_folder(tmp_path: Path) -> None:
    (tmp_path / "hf").mkdir()
    (tmp_path / "hf" / "mine.txt").write_text("keep")
    from lineage.errors import LineageError

    with pytest.raises(LineageError, match="not written by 'lineage import'"):
        import_hf([DATA / "hf" / "cards"], tmp_path, snapshot="2024-06-01")
    assert (tmp_path / "hf" / "mine.txt").read_text() == "keep"


# --- Epoch AI --------------------------------------------------------------------


def test_epoch_rows_become_models_figures_and_derivations(tmp_path: Path) -> None:
    report = import_epoch(DATA / "epoch" / "models.csv", tmp_path)
    models = _records(tmp_path / "epoch", "models")
    figures = _records(tmp_path / "epoch", "figures")
    ders = _records(tmp_path / "epoch", "derivations")
    lm = models["acme-lm-7b"]
    assert (lm["organization"], lm["released"]) == ("Acme", "2023-02-01")
    assert models["acme-chat-7b"]["name"] == "Acme Chat 7B"  # the newline is dropped
    flops = figures["epoch-acme-lm-7b-training-flops"]
    assert flops["value"] == 8.4e22 and flops["unit"] == "FLOPs"
    assert (
        flops["locator"]
        == "row 'Acme LM 7B' (line 2), column 'Training compute (FLOP)'"
    )
    assert flops["note"].startswith("Epoch's confidence: Confident")
    assert figures["epoch-acme-lm-7b-parameters"]["value"] == 7_000_000_000
    assert ders["acme-lm-7b--acme-chat-7b"]["stage"] == "unspecified"
    assert models["acme-base-1b"]["stub"] is True
    source = _records(tmp_path / "epoch", "sources")["epoch-ai"]
    assert "CC BY 4.0" in source["note"] and "Epoch AI" in source["note"]
    untidy = [w for w in report.warnings if w.code == "untidy-value"]
    assert [(w.line, w.severity) for w in untidy] == [(3, Severity.WARNING)]


def test_epoch_figures_that_disagree_with_shipped_ones_are_conflicts(
    tmp_path: Path,
) -> None:
    table = tmp_path / "t.csv"
    table.write_text(
        "Model,Organization,Publication date,Parameters\n"
        "GPT-3 175B (davinci),OpenAI,2020-05-28,174600000000.0\n",
        "utf-8",
    )
    walk = Crosswalk({("epoch", "GPT-3 175B (davinci)"): "davinci"})
    walk.known = {"davinci"}
    import_epoch(table, tmp_path / "ov", crosswalk=walk)
    from lineage.api import load_graph
    from lineage.provenance.query import find_conflicts

    index = load_graph([GRAPH, tmp_path / "ov"], cache=False)
    texts = [repr(c) for c in find_conflicts(index)]
    assert any("174600000000" in t and "davinci" in t for t in texts)


def test_epoch_bad_rows(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("Model,Organization\nA,B\n", "utf-8")
    with pytest.raises(ImportFailed) as caught:
        import_epoch(table, tmp_path / "ov")
    assert [(p.line, p.code) for p in caught.value.problems] == [(1, "bad-csv")]
    table.write_text(
        "Model,Organization,Publication date\nA,B,2020-01-01\nA,B\na,B,2021-01-01\n",
        "utf-8",
    )
    with pytest.raises(ImportFailed) as caught:
        import_epoch(table, tmp_path / "ov")
    assert [(p.line, p.code) for p in caught.value.problems] == [
        (3, "bad-csv"),
        (4, "duplicate-id"),
    ]
    assert not (tmp_path / "ov" / "epoch").exists()


# --- Ecosystem Graphs ------------------------------------------------------------


def test_ecosystem_graphs_assets_models_and_dependencies(tmp_path: Path) -> None:
    import_ecosystem_graphs(DATA / "eg", tmp_path)
    folder = tmp_path / "ecosystem-graphs"
    models = _records(folder, "models")
    assets = _records(folder, "assets")
    ders = _records(folder, "derivations")
    assert assets["acme-corpus"]["kind"] == "dataset"
    assert assets["acme-app"]["dependencies"] == ["acme-chat"]
    assert models["acme-lm"]["trained_on"] == ["acme-corpus"]
    assert models["acme-lm"]["license"] == "custom"
    der = ders["acme-lm--acme-chat"]
    assert der["stage"] == "unspecified"
    assert der["imported_from"].endswith("acme.yaml:28:18")  # the dependency
    notes = [e["note"] for e in models["acme-lm"]["evidence"]]
    assert any("[[Blog]](https://example.org/blog)" in n for n in notes)


def test_check_reports_the_datasets_own_problems_where_they_are(tmp_path: Path) -> None:
    import_ecosystem_graphs(DATA / "eg", tmp_path)
    problems = _problems(tmp_path)
    assert not [p for p in problems if p.severity is Severity.ERROR]
    found = {
        (p.code, Path(p.path).name, p.line)
        for p in problems
        if p.code in {"release-order", "empty-field", "dangling-dependency"}
    }
    assert found == {
        ("dangling-dependency", "acme.yaml", 8),  # Common Crawl: no such asset
        ("empty-field", "acme.yaml", 12),  # Acme LM's description ''
        ("empty-field", "acme.yaml", 34),  # Acme App's url ''
        ("release-order", "acme.yaml", 28),  # Acme Chat dated before Acme LM
        ("release-order", "acme.yaml", 29),  # Acme App dated before Acme Chat
    }
    strict = CliRunner().invoke(
        cli, ["check", "--graph", str(GRAPH), "--graph", str(tmp_path), "--strict"]
    )
    assert strict.exit_code == 1 and "[dangling-dependency]" in strict.stderr


# --- command line ----------------------------------------------------------------


def test_cli_import_then_check_then_show(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "ov"
    result = runner.invoke(
        cli,
        ["import", "hf", str(DATA / "hf" / "cards"), "-o", str(out), "--json"]
        + ["--snapshot", "2024-06-01"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["written"] == {"models": 4, "derivations": 4, "stubs": 1}
    shown = runner.invoke(
        cli, ["show", "lab/merge-7b", "--graph", str(GRAPH), "--graph", str(out)]
    )
    assert shown.exit_code == 0, shown.output
    assert "acme--chat-7b" in shown.stdout


def test_cli_import_usage_and_input_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    bad_date = runner.invoke(
        cli,
        [
            "import",
            "epoch",
            str(DATA / "epoch" / "models.csv"),
            "-o",
            str(tmp_path),
            "--snapshot",
            "2024",
        ],
    )
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in bad_date.stderr
    rows = tmp_path / "r.jsonl"
    rows.write_text("[]\n", "utf-8")
    failed = runner.invoke(cli, ["import", "hf", str(rows), "-o", str(tmp_path / "ov")])
    assert failed.exit_code == 1
    assert "r.jsonl:1:1: error: a row needs a string 'id' [bad-row]" in failed.stderr
    assert "Traceback" not in failed.output


# --- helpers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        'quote " and \\ back',
        "line\nbreak",
        "nel\x85 ls\u2028",
        "😀 emoji",
        "é",
    ],
)
def test_yaml_record_round_trips_any_text(text: str) -> None:
    loaded = yaml.safe_load("x:\n" + yaml_record({"id": "a", "note": text}))
    assert loaded == {"x": [{"id": "a", "note": text}]}


def test_slugify_gives_valid_ids() -> None:
    import re

    for name in ["Org/Model_v1.5", "  x", "_private/x", "ÄÖ/ü", "GPT-3 175B (davinci)"]:
        assert re.fullmatch(r"[a-z0-9][a-z0-9.-]*", slugify(name)), name


def test_the_readme_example_overlay_is_what_the_import_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # the overlay records relative input paths
    out = tmp_path / "overlay"
    inputs = Path("examples/inputs")
    import_hf(
        [inputs / "cards"],
        out,
        snapshot="2024-06-01",
        crosswalk=Crosswalk.from_graph([GRAPH]),
    )
    import_epoch(inputs / "epoch.csv", out, crosswalk=Crosswalk.from_graph([GRAPH]))
    assert _digest(out) == _digest(ROOT / "examples" / "overlay"), (
        "examples/overlay is stale: regenerate it as examples/README.md says"
    )
