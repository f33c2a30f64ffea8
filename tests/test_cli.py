"""The command line through click's runner: stdout and stderr checked separately."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lineage.cli import cli

MINI = str(Path(__file__).parent / "data" / "mini")


def run(runner: CliRunner, *args: str, code: int = 0):  # type: ignore[no-untyped-def]
    result = runner.invoke(cli, [*args, "--graph", MINI])
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result


def test_check_ok_prints_a_summary_and_the_graph_it_read(runner: CliRunner) -> None:
    result = run(runner, "check")
    assert result.stdout.startswith("ok: 1 files, 1 sources, 4 stages, 6 capabilities")
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[1].startswith("graph: ")
    assert lines[1].endswith(" (given with --graph)")
    assert result.stderr == ""


def test_check_json(runner: CliRunner) -> None:
    data = json.loads(run(runner, "check", "--json").stdout)
    assert data["ok"] is True and data["problems"] == []
    assert data["counts"]["claims"] == 9


def test_check_strict_fails_on_warnings(runner: CliRunner, write_facts) -> None:
    graph = write_facts("models:\n  - {id: x, name: org/x, stub: true}\n")
    lax = runner.invoke(cli, ["check", "--graph", str(graph)])
    strict = runner.invoke(cli, ["check", "--graph", str(graph), "--strict"])
    assert lax.exit_code == 0 and "warning:" in lax.stderr
    assert strict.exit_code == 1 and "[referenced-unknown]" in strict.stderr


def test_check_fail_fast_reports_one(runner: CliRunner, write_facts) -> None:
    graph = write_facts("models:\n  - {id: A, name: x}\n  - {id: b}\n")
    full = runner.invoke(cli, ["check", "--graph", str(graph)])
    fast = runner.invoke(cli, ["check", "--graph", str(graph), "--fail-fast"])
    assert full.stderr.count("error:") == 2
    assert fast.stderr.count("error:") == 1 and fast.exit_code == 1


@pytest.mark.parametrize("name", ["cot", "CoT", "chain of thought", "思维链"])
def test_why_resolves_aliases(runner: CliRunner, name: str) -> None:
    data = json.loads(run(runner, "why", name, "--json").stdout)
    assert data["capability"]["id"] == "cot"


def test_why_json_contract(runner: CliRunner) -> None:
    data = json.loads(run(runner, "why", "icl", "--json").stdout)
    assert set(data) >= {"capability", "origins", "lineage", "history"}
    assert set(data["capability"]) >= {"id", "name"}
    origin = data["origins"][0]
    assert {k: origin[k] for k in ("stage", "model", "confidence", "effect")} == {
        "stage": "pretraining",
        "model": "root",
        "confidence": "established",
        "effect": "gained",
    }
    assert origin["evidence"] == [
        {"source": "src-a", "locator": "§1", "note": "in-context"}
    ]
    assert data["lineage"] == ["root"]
    assert [(h["model"], h["effect"], h["stage"]) for h in data["history"]] == [
        ("root", "gained", "pretraining"),
        ("tuned", "weakened", "instruction_tuning"),
        ("chatty", "lost", "rlhf"),
        ("rl", "recovered", "rlhf"),
    ]


def test_why_text_shows_origin_evidence_and_fate(runner: CliRunner) -> None:
    out = run(runner, "why", "icl").stdout
    assert "Origin: gained by pretraining at root [established]" in out
    assert "What happened next:" in out
    assert "chatty  lost" in out
    assert "\x1b[" not in out  # plain when not a terminal


def test_misspelt_capability_is_taken_and_said(runner: CliRunner) -> None:
    result = run(runner, "why", "chain of thougt")
    assert result.stderr == 'taking "chain of thougt" as cot\n'


def test_unknown_capability_is_exit_1_with_suggestion(runner: CliRunner) -> None:
    result = run(runner, "why", "chain of knots", code=1)
    assert result.stdout == ""
    assert result.stderr == (
        "error: unknown capability 'chain of knots' (did you mean 'cot'?)\n"
        "to search names, descriptions and evidence: lineage search "
        "'chain of knots'\n"
    )


def test_show_json_contract(runner: CliRunner) -> None:
    data = json.loads(run(runner, "show", "chatty", "--json").stdout)
    assert data["model"]["id"] == "chatty"
    assert data["parents"] == [
        {"model": "tuned", "stage": "rlhf", "confidence": "established", "note": None}
    ]
    assert data["gained"] == ["chat"]
    assert data["lost"] == ["icl"]
    assert data["inherited"] == ["cot", "generation"]


def test_show_family(runner: CliRunner) -> None:
    data = json.loads(run(runner, "show", "f1", "--json").stdout)
    assert data["family"]["id"] == "fam" and data["members"] == ["root", "coder"]


def test_path_json_and_text(runner: CliRunner) -> None:
    data = json.loads(run(runner, "path", "root", "rl", "--json").stdout)
    assert data["path"] == ["root", "coder", "tuned", "rl"]
    assert data["steps"][0] == {
        "from": "root",
        "to": "coder",
        "stage": "code_training",
        "confidence": "hypothesis",
        "note": "The base may be another model.",
    }
    assert "tuned  →  rl" in run(runner, "path", "root", "rl").stdout


def test_path_none_is_a_clear_error(runner: CliRunner) -> None:
    result = run(runner, "path", "other", "rl", code=1)
    assert result.stderr.startswith("error: no derivation path from 'other' to 'rl'")


def test_path_from_a_family_starts_at_its_root_and_says_so(runner: CliRunner) -> None:
    result = run(runner, "path", "F1", "rl")
    assert result.stderr == (
        'taking "F1" as family fam\ntaking the family fam as its root model root\n'
    )
    assert result.stdout.startswith("root   →  coder")


def test_diff_json(runner: CliRunner) -> None:
    data = json.loads(run(runner, "diff", "tuned", "chatty", "--json").stdout)
    assert data["only_in_a"] == ["icl"] and data["only_in_b"] == ["chat"]
    assert data["limitations_only_in_b"] == ["no-browsing"]
    assert data["limitations_only_in_a"] == []
    assert {
        "capability": "icl",
        "model": "chatty",
        "stage": "rlhf",
        "effect": "lost",
        "says": "lost",
        "claim": "icl-lost",
        "cause": None,
        "partial": False,
        "still_below": None,
    } in data["steps"]
    assert {
        "capability": "no-browsing",
        "model": "chatty",
        "stage": None,
        "effect": "has",
        "says": "has the limitation",
        "claim": "browsing",
        "cause": None,
        "partial": False,
        "still_below": None,
    } in data["steps"]


def test_ablate_json(runner: CliRunner) -> None:
    data = json.loads(run(runner, "ablate", "code_training", "--json").stdout)
    assert data == {
        "stage": "code_training",
        "models": {
            "coder": ["cot"],
            "tuned": ["cot"],
            "chatty": ["cot"],
            "rl": ["cot"],
        },
        "removed": {
            m: {
                "cot": [
                    {"claim": "cot-code", "model": "coder", "confidence": "hypothesis"}
                ]
            }
            for m in ("coder", "tuned", "chatty", "rl")
        },
        "omitted": {},
    }


def test_ablate_prints_the_confidence_of_each_claim_it_removes(
    runner: CliRunner,
) -> None:
    out = run(runner, "ablate", "code_training").stdout
    assert "Without code_training:" in out
    rows = [line.split() for line in out.splitlines()[1:]]
    assert ["coder", "cot", "[hypothesis]"] in rows
    # the claim removed is at another model: it says where
    assert ["chatty", "cot", "[hypothesis", "at", "coder]"] in rows


def test_ablate_unknown_stage_is_exit_1_with_suggestion(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["ablate", "rlxx", "--graph", MINI])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: unknown stage 'rlxx'\nstages: pretraining, code_training, "
    )


def test_long_answers_are_cut_with_counts(runner: CliRunner) -> None:
    text = run(runner, "ablate", "code_training", "--limit", "1").stdout
    assert text.rstrip().endswith("… and 3 more models; --all or --limit N")
    assert "tuned" not in text
    data = json.loads(
        run(runner, "ablate", "code_training", "--limit", "2", "--json").stdout
    )
    assert list(data["models"]) == ["coder", "tuned"] and data["omitted"] == {
        "models": 2
    }
    everything = json.loads(
        run(runner, "ablate", "code_training", "--limit", "1", "--all", "--json").stdout
    )
    assert len(everything["models"]) == 4 and everything["omitted"] == {}
    shown = json.loads(run(runner, "show", "root", "--limit", "1", "--json").stdout)
    assert len(shown["children"]) <= 1
    why = json.loads(run(runner, "why", "cot", "--limit", "1", "--json").stdout)
    assert len(why["origins"]) == 1 and len(why["history"]) <= 1
    assert why["lineage"] == why["origins"][0]["lineage"]


def test_limit_must_be_positive(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["why", "cot", "--limit", "0", "--graph", MINI])
    assert result.exit_code == 2 and "--limit" in result.stderr


def test_conflicts_json(runner: CliRunner) -> None:
    data = json.loads(run(runner, "conflicts", "--json").stdout)
    topics = {t["topic"]: t["conflicts"] for t in data}
    (fig,) = topics["fam data_share (code)"]
    assert fig["kind"] == "within-source" and fig["defined_at"] is None
    assert [
        (s["says"], s["evidence"][0]["source"], s["evidence"][0]["locator"])
        for s in fig["sides"]
    ] == [("5 percent", "src-a", "T2"), ("39 percent", "src-a", "T3")]


@pytest.mark.parametrize("command", ["models", "capabilities", "sources"])
def test_listings(runner: CliRunner, command: str) -> None:
    data = json.loads(run(runner, command, "--json").stdout)
    assert data and all("id" in row for row in data)
    assert run(runner, command).stdout.strip()


def test_models_are_listed_parents_first(runner: CliRunner) -> None:
    ids = [m["id"] for m in json.loads(run(runner, "models", "--json").stdout)]
    assert ids.index("root") < ids.index("coder") < ids.index("tuned")


def test_unknown_option_is_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["why", "cot", "--jsn"])
    assert result.exit_code == 2 and "No such option" in result.stderr


def test_overlay_adds_facts(runner: CliRunner, write_facts) -> None:
    extra = write_facts("""\
        models:
          - {id: my-model, name: Mine, released: 2023-01}
        derivations:
          - parent: rl
            child: my-model
            stage: instruction_tuning
            confidence: established
            evidence: [{source: src-a, locator: "p. 1", note: mine}]
        """)
    result = runner.invoke(
        cli,
        ["path", "root", "my-model", "--json", "--graph", MINI, "--graph", str(extra)],
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["path"][-2:] == ["rl", "my-model"]


def test_python_m_lineage(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "lineage", "why", "cot", "--json", "--graph", MINI],
        capture_output=True,
        text=True,
        check=False,
        env={"LINEAGE_CACHE_DIR": str(tmp_path), "PATH": ""},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["origins"][0]["model"] == "coder"


def _long_chain(write_facts) -> str:  # type: ignore[no-untyped-def]
    """A chain c0 -> ... -> c39 (the capability gained at its end) and 30 more
    children of c0."""
    ev = "evidence: [{source: s, locator: p1, note: n}]"
    models = [f"  - {{id: c{i}, name: C{i}, released: '2020'}}" for i in range(40)]
    models += [f"  - {{id: k{i}, name: K{i}, released: '2021'}}" for i in range(30)]
    edges = [(f"c{i}", f"c{i + 1}") for i in range(39)]
    edges += [("c0", f"k{i}") for i in range(30)]
    text = (
        "sources:\n  - {id: s, title: S, authors: [A], year: 2020, "
        "url: 'https://example.org/s'}\n"
        "capabilities:\n  - {id: cap, name: Cap, kind: ability, description: d}\n"
        "models:\n"
        + "\n".join(models)
        + "\nderivations:\n"
        + "\n".join(
            f"  - {{parent: {p}, child: {c}, stage: rlhf, confidence: likely, {ev}}}"
            for p, c in edges
        )
        + "\nclaims:\n  - {id: g, model: c39, capability: cap, effect: gained, "
        f"stage: rlhf, confidence: likely, {ev}}}\n"
    )
    return str(write_facts(text))


def test_long_lineages_and_many_children_are_cut_with_counts(
    runner: CliRunner, write_facts
) -> None:
    """A lineage keeps its first --limit steps from the root (``omitted.steps`` in
    the origin), show its first --limit children; --all keeps everything."""
    graph = _long_chain(write_facts)

    def ask(*args: str) -> str:
        result = runner.invoke(cli, [*args, "--graph", graph])
        assert result.exit_code == 0, result.stderr
        return result.stdout

    why = json.loads(ask("why", "cap", "--json"))
    origin = why["origins"][0]
    assert origin["lineage"] == [f"c{i}" for i in range(26)]
    assert [s["to"] for s in origin["steps"]] == [f"c{i}" for i in range(1, 26)]
    assert origin["omitted"] == {"steps": 14} and why["lineage"] == origin["lineage"]
    text = ask("why", "cap")
    assert "c25 … and 14 more steps to c39; --all or --limit N" in text
    assert "c26" not in text
    every = json.loads(ask("why", "cap", "--all", "--json"))["origins"][0]
    assert len(every["steps"]) == 39 and every["omitted"] == {}
    shown = json.loads(ask("show", "c0", "--limit", "5", "--json"))
    assert [c["model"] for c in shown["children"]] == ["c1", "k0", "k1", "k2", "k3"]
    assert shown["omitted"] == {"children": 26}
    assert (
        ask("show", "c0").rstrip().endswith("… and 6 more children; --all or --limit N")
    )
    assert len(json.loads(ask("show", "c0", "--all", "--json"))["children"]) == 31
