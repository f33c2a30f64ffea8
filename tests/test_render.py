"""The tree renderer: DOT golden file, real Graphviz renders, selection, escaping."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lineage.api import load_graph
from lineage.outputs.render import (
    MAX_LAYOUT_MODELS,
    MAX_TIMELINE_MODELS,
    RenderError,
    TooLargeError,
    TreeOptions,
    check_layout_size,
    escape_dot,
    escape_html,
    escape_mermaid,
    focus_models,
    highlight_selection,
    model_changes,
    render,
    time_levels,
    to_dot,
    to_mermaid,
    to_text,
)

SNAPSHOTS = Path(__file__).parent / "__snapshots__"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz dot")
SVG = "{http://www.w3.org/2000/svg}"

#: base -> coder (uncertain) -> tuned -> {chat, rl}; "solo" has no derivation.
TREE = """\
sources:
  - {id: s, title: S, authors: [A], year: 2022, url: "https://example.org"}
stages:
  - {id: pretraining, name: Pretraining, definition: d}
  - {id: code_training, name: Code, definition: d}
  - {id: instruction_tuning, name: Instructions, definition: d}
  - {id: rlhf, name: RLHF, definition: d}
capabilities:
  - {id: gen, name: Generation, kind: ability, description: d}
  - {id: icl, name: In-context learning, kind: ability, description: d}
  - {id: code, name: Code, kind: ability, description: d}
  - {id: cot, name: Chain-of-thought, kind: ability, description: d}
  - {id: no-web, name: Cannot browse, kind: limitation, description: d}
families:
  - {id: big, name: Big family, organization: Org}
  - {id: tuned-fam, name: Tuned family}
models:
  - {id: base, name: Base, family: big, released: "2020"}
  - {id: coder, name: Coder, family: big, released: 2021-07}
  - {id: tuned, name: Tuned, family: tuned-fam, released: 2022-01}
  - {id: chat, name: Chat, family: tuned-fam, released: 2022-11}
  - {id: rl, name: RL, family: tuned-fam}
  - {id: solo, name: Solo, released: 2021-03}
derivations:
  - {parent: base, child: coder, stage: code_training, confidence: speculative,
     evidence: [{source: s, locator: p1, note: n}]}
  - {parent: coder, child: tuned, stage: instruction_tuning, confidence: established,
     evidence: [{source: s, locator: p2, note: n}]}
  - {parent: tuned, child: chat, stage: rlhf, confidence: likely,
     evidence: [{source: s, locator: p3, note: n}]}
  - {parent: tuned, child: rl, stage: rlhf, confidence: hypothesis,
     evidence: [{source: s, locator: p3, note: n}]}
claims:
  - {id: c1, model: base, capability: gen, effect: gained, stage: pretraining,
     confidence: established, evidence: [{source: s, locator: p, note: n}]}
  - {id: c2, model: base, capability: icl, effect: gained, stage: pretraining,
     confidence: established, evidence: [{source: s, locator: p, note: n}]}
  - {id: c3, model: coder, capability: code, effect: gained, stage: code_training,
     confidence: established, evidence: [{source: s, locator: p, note: n}]}
  - {id: c4, model: coder, capability: cot, effect: gained, stage: code_training,
     confidence: hypothesis, evidence: [{source: s, locator: p, note: n}]}
  - {id: c5, model: tuned, capability: icl, effect: weakened,
     stage: instruction_tuning, confidence: likely,
     evidence: [{source: s, locator: p, note: n}]}
  - {id: c6, model: chat, capability: icl, effect: lost, stage: rlhf,
     confidence: likely, evidence: [{source: s, locator: p, note: n}]}
  - {id: c7, model: rl, capability: icl, effect: recovered, stage: rlhf,
     confidence: likely, evidence: [{source: s, locator: p, note: n}]}
  - {id: c8, model: chat, capability: no-web, effect: has,
     confidence: established, evidence: [{source: s, locator: p, note: n}]}
  - {id: c9, model: big, capability: cot, effect: gained, stage: code_training,
     confidence: likely, evidence: [{source: s, locator: p, note: n}]}
"""


@pytest.fixture
def index(write_facts):  # type: ignore[no-untyped-def]
    return load_graph([write_facts(TREE)], cache=False)


def _svg_titles(data: bytes) -> set[str]:
    root = ET.fromstring(data)
    return {
        (g.findtext(f"{SVG}title") or "")
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "node"
    }


def test_dot_matches_golden_file(index, update_snapshots: bool) -> None:  # type: ignore[no-untyped-def]
    golden = SNAPSHOTS / "tree.dot"
    text = to_dot(index)
    if update_snapshots or not golden.exists():
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), (
        "DOT output changed; if intended, run pytest --update-snapshots"
    )


def test_dot_draws_stages_confidence_clusters_and_changes(index) -> None:  # type: ignore[no-untyped-def]
    text = to_dot(index)
    assert 'subgraph "cluster_big"' in text and 'subgraph "cluster_tuned-fam"' in text
    edge = next(line for line in text.splitlines() if '"base" -> "coder"' in line)
    assert "style=dotted" in edge and "#16a34a" in edge and "code training" in edge
    established = next(
        line for line in text.splitlines() if '"coder" -> "tuned"' in line
    )
    assert "style=solid" in established
    assert "style=dashed" in next(
        line for line in text.splitlines() if '"tuned" -> "rl"' in line
    )
    chat = next(line for line in text.splitlines() if line.strip().startswith('"chat"'))
    assert "✗" in chat and "In-context learning" in chat
    assert "⚠" in chat and "has the limitation: cannot browse" in chat
    for word in (
        "pretraining",
        "code training",
        "instruction tuning",
        "RLHF",
        "speculative",
        "hypothesis",
        "weakened",
        "lost",
    ):
        assert word in text.split("label=", 1)[1].split("\n", 1)[0]  # the legend


def test_no_capabilities_and_no_legend(index) -> None:  # type: ignore[no-untyped-def]
    text = to_dot(index, TreeOptions(capabilities=False, legend=False))
    assert "Chain-of-thought" not in text and "Edge colour" not in text
    assert '"base"' in text


def test_model_changes_gains_first_then_losses_then_limitations(index) -> None:  # type: ignore[no-untyped-def]
    assert [c.text() for c in model_changes(index, "coder")] == [
        "+ Chain-of-thought?",
        "+ Code",
    ]
    changes = model_changes(index, "chat")
    assert [(c.capability, c.effect.value, c.limitation) for c in changes] == [
        ("icl", "lost", False),
        ("no-web", "has", True),
    ]
    # a limitation is had, never '+ gained': the row says so in words
    assert [c.text() for c in changes][-1] == "⚠ has the limitation: cannot browse"


def test_highlight_selects_origin_path_and_losses(index) -> None:  # type: ignore[no-untyped-def]
    hl = highlight_selection(index, "icl")
    assert hl.origins == ("base",)
    assert set(hl.carriers) == {"base", "coder", "tuned", "rl"}
    assert hl.weakened == ("tuned",) and hl.lost == ("chat",)
    assert hl.recovered == ("rl",)
    assert set(hl.edges) == {"base--coder", "coder--tuned", "tuned--chat", "tuned--rl"}
    assert hl.role("solo") is None and hl.role("chat") == "lost"
    cot = highlight_selection(index, "cot")
    assert cot.origins == ("coder",) and "base" not in cot.models
    assert cot.family_claims == ("big",)
    text = to_dot(index, TreeOptions(highlight="cot"))
    base = next(line for line in text.splitlines() if line.strip().startswith('"base"'))
    coder = next(
        line for line in text.splitlines() if line.strip().startswith('"coder"')
    )
    assert 'fillcolor="#f9fafb"' in base and "★ origin" in coder


def test_focus_keeps_ancestors_and_descendants_only(index) -> None:  # type: ignore[no-untyped-def]
    assert focus_models(index, "tuned") == {"base", "coder", "tuned", "chat", "rl"}
    assert focus_models(index, "chat") == {"base", "coder", "tuned", "chat"}
    assert focus_models(index, "tuned-fam") == {"base", "coder", "tuned", "chat", "rl"}
    text = to_dot(index, TreeOptions(focus="chat"))
    assert '"rl"' not in text and '"solo"' not in text and '"tuned" -> "chat"' in text
    assert "RL" not in to_text(index, TreeOptions(focus="chat")).split()


def test_time_levels_follow_release_dates_and_derivations(index) -> None:  # type: ignore[no-untyped-def]
    order = index.topo(set(index.facts.models))
    levels, axis = time_levels(index, order)
    assert [date for _, date in axis] == [
        "2020",
        "2021-03",
        "2021-07",
        "2022-01",
        "2022-11",
    ]
    assert levels["base"] < levels["solo"] < levels["coder"] < levels["tuned"]
    assert "rl" not in levels  # undated: placed by its derivations
    text = to_dot(index, TreeOptions(timeline=True))
    assert '{rank=same; "axis:0"; "base";}' in text


def test_text_tree_is_indented_and_marks_highlight(index) -> None:  # type: ignore[no-untyped-def]
    text = to_text(index)
    assert text.splitlines()[0] == "Base  (Big family, 2020)"
    assert "└── (code training, speculative) → Coder  (Big family, 2021-07)" in text
    assert "✗ In-context learning" in text
    marked = to_text(index, TreeOptions(highlight="icl", capabilities=False))
    assert "Chat  (Tuned family, 2022-11)  ◀ ✗ lost here" in marked
    timeline = to_text(index, TreeOptions(timeline=True)).splitlines()
    assert timeline[0] == "2020" and "date unknown" in timeline


def test_mermaid_flowchart(index) -> None:  # type: ignore[no-untyped-def]
    text = to_mermaid(index)
    assert text.startswith("flowchart TB\n")
    assert 'subgraph g0["Big family"]' in text
    assert 'm_base -.->|"code training (speculative)"| m_coder' in text
    assert 'm_coder ==>|"instruction tuning"| m_tuned' in text
    assert "linkStyle 0 stroke:#16a34a" in text
    hl = to_mermaid(index, TreeOptions(highlight="icl"))
    assert "class m_solo dim" in hl and "class m_base origin" in hl


def test_dot_and_mermaid_are_deterministic(index) -> None:  # type: ignore[no-untyped-def]
    for options in (TreeOptions(), TreeOptions(highlight="icl", timeline=True)):
        assert to_dot(index, options) == to_dot(index, options)
        assert to_mermaid(index, options) == to_mermaid(index, options)


def test_shipped_tree_is_identical_across_hash_seeds(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    outputs = []
    for seed in ("1", "2"):
        env = {
            **os.environ,
            "PYTHONHASHSEED": seed,
            "LINEAGE_CACHE_DIR": str(tmp_path / seed),
        }
        env.pop("LINEAGE_GRAPH", None)
        outputs.append(
            [
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "lineage",
                        "tree",
                        "--format",
                        fmt,
                        "--highlight",
                        "in-context learning",
                    ],
                    cwd=root,
                    env=env,
                    capture_output=True,
                    check=True,
                ).stdout
                for fmt in ("dot", "mermaid")
            ]
        )
    assert outputs[0] == outputs[1] and all(outputs[0])


NASTY = 'R&D <b>"x"</b> \\N \\l {a|b} [c]; #1 `t` end %% 思维链 ▼'


def _nasty_graph(write_facts):  # type: ignore[no-untyped-def]
    import json

    text = TREE.replace("name: Base,", f"name: {json.dumps(NASTY)},")
    text = text.replace("name: Generation,", f"name: {json.dumps(GEN)},")
    text = text.replace("name: Big family,", f"name: {json.dumps(FAM)},")
    return load_graph([write_facts(text)], cache=False)


GEN = 'a < b & c > "d"'
FAM = 'Fam <i>&amp; \\ "q"'


def test_escape_functions() -> None:
    assert escape_html('<&>"]') == "&lt;&amp;&gt;&quot;&#93;"
    assert escape_html("a\nb\x00c") == "a b c"
    assert escape_dot('a"b\\c\nd') == '"a\\"b\\\\\u2060c\\nd"'
    assert escape_mermaid('"#&<>`|\\') == "#quot;#35;#amp;#lt;#gt;#96;#124;#92;"


@needs_dot
def test_labels_survive_dot_whatever_the_characters(write_facts) -> None:  # type: ignore[no-untyped-def]
    index = _nasty_graph(write_facts)
    assert index.facts.models["base"].name == NASTY
    from lineage.outputs.render import layout

    svg = layout(to_dot(index, TreeOptions(highlight="gen")), "svg")
    texts = "".join(t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text"))
    squeezed = texts.replace(" ", "").replace("\xa0", "").replace("\u2060", "")
    assert NASTY.replace(" ", "") in squeezed
    assert GEN.replace(" ", "") in squeezed and FAM.replace(" ", "") in squeezed
    mermaid = to_mermaid(index)
    node = next(line for line in mermaid.splitlines() if "m_base[" in line)
    inner = node.split('["', 1)[1].rsplit('"]', 1)[0]
    assert '"' not in inner and "|" not in inner and "`" not in inner
    assert "#lt;b#gt;#quot;x#quot;#lt;/b#gt;" in inner and '<b>"x' not in inner


@needs_dot
@pytest.mark.parametrize(
    ("fmt", "magic"), [("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF")]
)
def test_real_dot_renders(index, tmp_path: Path, fmt: str, magic: bytes) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"tree.{fmt}"
    render(to_dot(index), out, fmt)
    data = out.read_bytes()
    assert data.startswith(magic) and len(data) > 1000
    if fmt == "svg":
        assert _svg_titles(data) == set(index.facts.models)


@needs_dot
def test_failed_render_leaves_old_file(tmp_path: Path) -> None:
    out = tmp_path / "tree.svg"
    out.write_text("old")
    with pytest.raises(RenderError, match="dot failed"):
        render("digraph { a -> }", out, "svg")
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["tree.svg"]


def test_layout_size_limits() -> None:
    check_layout_size(MAX_LAYOUT_MODELS)
    with pytest.raises(TooLargeError, match="--focus MODEL"):
        check_layout_size(MAX_LAYOUT_MODELS + 1)
    with pytest.raises(TooLargeError, match="timeline"):
        check_layout_size(MAX_TIMELINE_MODELS + 1, timeline=True)


def test_timeline_gives_unknown_dates_a_row_of_their_own(shipped_index) -> None:  # type: ignore[no-untyped-def]
    from lineage.outputs.render import UNDATED_AXIS

    dot = to_dot(shipped_index, TreeOptions(timeline=True))
    models = shipped_index.facts.models
    undated = {m for m, rec in models.items() if not rec.date}
    ranks = [line for line in dot.splitlines() if line.strip().startswith("{rank=")]
    (own,) = [r for r in ranks if UNDATED_AXIS in r]
    for mid in undated:
        assert f'"{mid}"' in own
        assert not any(f'"{mid}"' in r for r in ranks if r is not own), mid
    assert not any(f'"{m}"' in own for m in set(models) - undated)


@needs_dot
def test_long_texts_are_clipped_for_drawing_only(write_facts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # issue 13 item 15: a description over Graphviz's 16,384-byte string limit made
    # tree and site fail; names, notes and many capability rows too
    import json

    from click.testing import CliRunner

    from lineage.cli import cli

    description = "é" * 20_000
    name = "N" * 5_000
    text = TREE.replace(
        "name: Base,", f"name: {json.dumps(name)}, description: {description},"
    )
    rows = "".join(
        f"  - {{id: x{i}, name: {'C' * 90} {i}, kind: ability, description: d}}\n"
        for i in range(200)
    ) + "".join(
        f"  - {{id: k{i}, model: base, capability: x{i}, effect: gained, "
        "stage: pretraining, confidence: likely, "
        "evidence: [{source: s, locator: p, note: n}]}\n"
        for i in range(200)
    )
    text = text.replace(
        "capabilities:\n", "capabilities:\n" + rows.split("  - {id: k0")[0]
    )
    text += "  - {id: k" + rows.split("  - {id: k", 1)[1]
    graph = write_facts(text)
    index = load_graph([graph], cache=False)
    assert index.facts.models["base"].description == description  # data keeps it all
    svg = tmp_path / "tree.svg"
    result = CliRunner().invoke(cli, ["tree", "--graph", str(graph), "-o", str(svg)])
    assert result.exit_code == 0, result.stderr
    assert _svg_titles(svg.read_bytes()) == set(index.facts.models)
    drawn = svg.read_text(encoding="utf-8")
    assert "é" * 500 in drawn and "é" * 5000 not in drawn  # the tooltip, clipped
    assert "more capabilities" in drawn  # rows past the label limit are counted
    site = tmp_path / "site"
    result = CliRunner().invoke(cli, ["site", "--graph", str(graph), "-o", str(site)])
    assert result.exit_code == 0, result.stderr
    assert "could not draw" not in result.stderr
