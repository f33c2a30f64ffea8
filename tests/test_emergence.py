"""Emergence at scale: Wei et al. (2022) Table 1 in the graph, the table, JSON, plot."""

from __future__ import annotations

import csv
import json
import struct
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from lineage.cli import cli
from lineage.errors import LineageError
from lineage.provenance.emergence import (
    emergence_table,
    format_flops,
    format_parameters,
    plot_emergence,
)

ROOT = Path(__file__).resolve().parent.parent
GRAPH = str(ROOT / "graph")
TABLE1 = ROOT / "tests" / "data" / "wei_table1.csv"
#: The model names of Table 1 and the family ids the graph gives them.
FAMILIES = {
    "GPT-3": "gpt-3",
    "Gopher": "gopher",
    "Chinchilla": "chinchilla",
    "PaLM": "palm",
    "FLAN": "flan",
    "LaMDA": "lamda",
    "T5": "t5",
    "Anthropic": "anthropic-lm",
    "EleutherAI": "eleutherai-lm",
}
JSON_KEYS = {
    "id",
    "capability",
    "capability_name",
    "task",
    "setting",
    "model",
    "model_name",
    "family",
    "training_flops",
    "parameters",
    "reference",
    "source",
    "locator",
    "note",
}

SMALL = """\
sources:
  - {id: src, title: T, authors: [A], year: 2022, url: "https://example.org"}
capabilities:
  - {id: skill, name: A skill, kind: ability, description: d}
families:
  - {id: fam, name: The Family, organization: Org}
models:
  - {id: big-model, name: Big Model, family: fam}
emergence:
  - {id: e-known, capability: skill, task: "Known scale", setting: augmented,
     model: big-model, training_flops: 1.0e+21, parameters: 1.0e+9, source: src,
     locator: "Table 9"}
  - {id: e-unknown, capability: skill, task: "Unknown scale", setting: few-shot,
     model: fam, source: src, locator: "Table 9"}
"""


def table1() -> list[dict[str, str]]:
    with TABLE1.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def parameters(text: str) -> float:
    """``"7.1B"`` -> 7.1e9, exactly as the YAML's integer 7100000000."""
    scale = {"M": 10**6, "B": 10**9}[text[-1]]
    return float(Decimal(text[:-1]) * scale)


def invoke(runner: CliRunner, *args: str, code: int = 0):  # type: ignore[no-untyped-def]
    result = runner.invoke(cli, ["emergence", *args])
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result


# --- the facts match the paper ------------------------------------------------------


def test_transcription_has_the_22_numeric_rows() -> None:
    rows = table1()
    assert len(rows) == 22
    assert [r["setting"] for r in rows].count("few-shot") == 9
    assert not any("Many" in r.values() for r in rows)


@pytest.mark.parametrize("paper", table1(), ids=lambda r: r["task"])
def test_each_table1_row_is_exactly_one_record(
    paper: dict[str, str], shipped_index
) -> None:  # type: ignore[no-untyped-def]
    hits = [
        r
        for r in emergence_table(shipped_index)
        if r.task == paper["task"] and r.setting == paper["setting"]
    ]
    assert len(hits) == 1, paper["task"]
    row = hits[0]
    assert row.training_flops == float(paper["training_flops"])
    assert row.parameters == parameters(paper["parameters"])
    assert row.family == FAMILIES[paper["model"]]
    assert row.reference == paper["reference"]
    assert row.source == "wei-2022" and row.locator.startswith("Table 1")
    assert row.capability in shipped_index.facts.capabilities


def test_table1_records_are_the_paper_rows_in_order(shipped_index) -> None:  # type: ignore[no-untyped-def]
    rows = [
        r for r in emergence_table(shipped_index) if r.locator.startswith("Table 1")
    ]
    assert [(r.setting, r.task) for r in rows] == [
        (p["setting"], p["task"]) for p in table1()
    ]


# --- the library --------------------------------------------------------------------


def test_rows_join_names_through_models_and_families(write_facts) -> None:  # type: ignore[no-untyped-def]
    from lineage.api import load_graph

    rows = emergence_table(load_graph([write_facts(SMALL)], cache=False))
    known, unknown = rows
    assert (known.model_name, known.family, known.family_name) == (
        "Big Model",
        "fam",
        "The Family",
    )
    assert known.capability_name == "A skill"
    assert (unknown.model_name, unknown.family, unknown.training_flops) == (
        "The Family",
        "fam",
        None,
    )


def test_sort_and_filter(shipped_index) -> None:  # type: ignore[no-untyped-def]
    by_flops = emergence_table(shipped_index, sort="flops")
    flops = [r.training_flops for r in by_flops]
    assert flops == sorted(flops)
    assert by_flops[0].task == "Scratchpad: 8-digit addition (finetuning)"
    assert by_flops[-1].task == "Word in Context (WiC) benchmark"
    # ties keep Table 1's order: the three 1.3e23 rows
    assert [r.task for r in by_flops if r.training_flops == 1.3e23] == [
        "Instruction following (finetuning)",
        "Chain-of-thought: Math word problems",
        "Self-consistency decoding",
    ]
    by_params = emergence_table(shipped_index, sort="params")
    sizes = [r.parameters for r in by_params]
    assert sizes == sorted(sizes) and by_params[1].task == "Ask me anything prompting"
    # 5.0e23 FLOPs at 70B (Chinchilla) comes before 5.0e23 at 280B (Gopher)
    assert [r.model for r in by_flops if r.training_flops == 5e23][0] == "chinchilla"
    augmented = emergence_table(shipped_index, setting="augmented")
    assert len(augmented) == 13 and {r.setting for r in augmented} == {"augmented"}


def test_unknown_values_sort_last(write_facts) -> None:  # type: ignore[no-untyped-def]
    from lineage.api import load_graph

    index = load_graph([write_facts(SMALL)], cache=False)
    for key in ("flops", "params"):
        assert [r.id for r in emergence_table(index, sort=key)] == [
            "e-known",
            "e-unknown",
        ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"sort": "flop"},
            "unknown sort key 'flop'; expected one of flops, params "
            "(did you mean 'flops'?)",
        ),
        (
            {"setting": "fewshot"},
            "unknown setting 'fewshot'; expected one of few-shot, "
            "augmented (did you mean 'few-shot'?)",
        ),
    ],
)
def test_library_rejects_unknown_options(kwargs, message, shipped_index) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(LineageError) as info:
        emergence_table(shipped_index, **kwargs)
    assert str(info.value) == message


def test_number_formats() -> None:
    assert [format_flops(v) for v in (1.3e23, 2.5e24, 8.9e19, 5e23)] == [
        "1.3e23",
        "2.5e24",
        "8.9e19",
        "5.0e23",
    ]
    assert [format_parameters(v) for v in (68e9, 7.1e9, 4e7, 540e9, 1.2e12, None)] == [
        "68B",
        "7.1B",
        "40M",
        "540B",
        "1.2T",
        "unknown",
    ]


# --- the command --------------------------------------------------------------------


def test_table_for_people(runner: CliRunner) -> None:
    result = invoke(runner, "--graph", GRAPH)
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["ABILITY", "/", "TASK", "SETTING"]
    cot = next(line for line in lines if line.startswith("Chain-of-thought: Math"))
    assert cot.split()[4:] == [
        "augmented",
        "1.3e23",
        "68B",
        "LaMDA",
        "Wei",
        "et",
        "al.",
        "(2022b)",
        "chain-of-thought",
    ]
    # columns line up: every row starts its FLOPs at the same position
    column = lines[0].index("TRAIN. FLOPS")
    assert all(
        line[column : column + 2] in {"2.", "3.", "1.", "5.", "8."}
        for line in lines[1:23]
    )
    assert "22 abilities (9 few-shot, 13 augmented); source: wei-2022." in lines
    assert "Many BIG-Bench tasks (see Appendix E)" in result.stdout
    assert "no numeric scale" in result.stdout
    assert result.stderr == ""


def test_footer_omits_big_bench_note_for_augmented_only(runner: CliRunner) -> None:
    result = invoke(
        runner, "--graph", GRAPH, "--setting", "augmented", "--sort", "flops"
    )
    lines = result.stdout.splitlines()
    assert lines[1].startswith("Scratchpad: 8-digit addition")
    assert "13 abilities (13 augmented); source: wei-2022." in lines
    assert "BIG-Bench" not in result.stdout


def test_json_rows(runner: CliRunner) -> None:
    data = json.loads(invoke(runner, "--graph", GRAPH, "--json").stdout)
    assert len(data) == 22 and all(set(row) == JSON_KEYS for row in data)
    cot = next(r for r in data if r["id"] == "wei-t1-cot-math-word-problems")
    assert cot == {
        "id": "wei-t1-cot-math-word-problems",
        "capability": "chain-of-thought",
        "capability_name": cot["capability_name"],
        "task": "Chain-of-thought: Math word problems",
        "setting": "augmented",
        "model": "lamda",
        "model_name": "LaMDA",
        "family": "lamda",
        "training_flops": 1.3e23,
        "parameters": 68000000000,
        "reference": "Wei et al. (2022b)",
        "source": "wei-2022",
        "locator": "Table 1, augmented prompting abilities: Chain-of-thought: "
        "Math word problems",
        "note": None,
    }
    assert isinstance(cot["parameters"], int)


def test_json_sorted_and_filtered(runner: CliRunner) -> None:
    data = json.loads(
        invoke(
            runner,
            "--graph",
            GRAPH,
            "--json",
            "--sort",
            "params",
            "--setting",
            "few-shot",
        ).stdout
    )
    assert len(data) == 9 and {r["setting"] for r in data} == {"few-shot"}
    assert [r["parameters"] for r in data] == sorted(r["parameters"] for r in data)
    assert data[0]["task"] == "Toxicity classification (CivilComments)"


def test_graph_without_observations(runner: CliRunner, write_facts) -> None:  # type: ignore[no-untyped-def]
    graph = str(write_facts(SMALL.partition("emergence:")[0]))
    assert json.loads(invoke(runner, "--graph", graph, "--json").stdout) == []
    assert (
        invoke(runner, "--graph", graph).stdout
        == "No emergence observations recorded.\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sort", "size"], "'size' is not one of 'flops', 'params'"),
        (
            ["--setting", "zero-shot"],
            "'zero-shot' is not one of 'few-shot', 'augmented'",
        ),
        (["--plot", "out.jpg"], "'out.jpg' has '.jpg'; expected a .png, .svg or .pdf"),
        (["--plot", "out"], "'out' has no suffix; expected a .png, .svg or .pdf"),
    ],
)
def test_usage_errors(
    args: list[str],
    message: str,
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(runner, "--graph", GRAPH, *args, code=2)
    assert message in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == "" and list(tmp_path.iterdir()) == []


def test_plot_into_missing_directory_fails(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "e.png"
    result = invoke(runner, "--graph", GRAPH, "--plot", str(target), code=1)
    assert result.stderr == (
        f"error: cannot write '{target}': directory '{target.parent}' does not exist\n"
    )


# --- the plot -----------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_plot_png(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "emergence.png"
    result = invoke(runner, "--graph", GRAPH, "--plot", str(target))
    assert result.stdout == f"wrote {target} (22 abilities)\n"
    width, height = png_size(target.read_bytes())
    assert 1000 < width < 2500 and 900 < height < 2500
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind


def test_plot_svg_names_every_ability(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "emergence.svg"
    invoke(runner, "--graph", GRAPH, "--plot", str(target))
    root = ET.parse(target).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = {
        "".join(t.itertext()).strip()
        for t in root.iter("{http://www.w3.org/2000/svg}text")
    }
    assert {p["task"] for p in table1()} <= texts
    assert {"Few-shot prompting: 9", "Model family", "LaMDA", "68B"} <= texts
    assert any("Wei et al. (2022)" in t and "Table 1" in t for t in texts)
    assert any("Many BIG-Bench tasks" in t for t in texts)


def test_plot_pdf_with_json(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "emergence.pdf"
    result = invoke(
        runner,
        "--graph",
        GRAPH,
        "--plot",
        str(target),
        "--json",
        "--setting",
        "few-shot",
    )
    assert len(json.loads(result.stdout)) == 9
    data = target.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")


def test_plot_unplaced_rows_and_explicit_format(write_facts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from lineage.api import load_graph

    rows = emergence_table(load_graph([write_facts(SMALL)], cache=False))
    target = plot_emergence(rows, tmp_path / "plot.img", fmt="svg")
    texts = {
        "".join(t.itertext())
        for t in ET.parse(target).getroot().iter("{http://www.w3.org/2000/svg}text")
    }
    assert {"Known scale", "Unknown scale", "no training FLOPs given"} <= texts
    assert any("sources: src" in t for t in texts)
    assert not any("BIG-Bench" in t for t in texts)


def test_failed_plot_leaves_the_old_file(tmp_path: Path, shipped_index) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "old.png"
    target.write_bytes(b"old")
    with pytest.raises(LineageError, match="no emergence rows to plot"):
        plot_emergence([], target)
    with pytest.raises(LineageError, match=r"cannot plot to format 'gif'"):
        plot_emergence(emergence_table(shipped_index), target, fmt="gif")
    assert target.read_bytes() == b"old" and list(tmp_path.iterdir()) == [target]


def test_plot_is_written_on_every_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from lineage import _entry

    target = tmp_path / "e.svg"
    argv = ["lineage", "emergence", "--graph", GRAPH, "--plot", str(target)]
    monkeypatch.setattr("sys.argv", argv)
    for _ in range(2):
        target.unlink(missing_ok=True)
        try:
            _entry.main()
        except SystemExit as exc:
            assert exc.code in (0, None)
        assert target.exists()
    capsys.readouterr()
