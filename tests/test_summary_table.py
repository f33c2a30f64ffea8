"""Fu et al.'s summary table: each row's papers and open-source approximations."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from lineage.api import load_graph
from lineage.cli import cli

ROWS = {  # row model: (papers, approximations), as the CIRES copy of the table has them
    "davinci": (("brown-2020",), ("opt", "bloom", "taylor-2022")),
    "davinci-instruct-beta": (("ouyang-2022",), ("sanh-2021", "wei-2021-flan")),
    "code-cushman-001": (("chen-2021",), ("nijkamp-2022",)),
    "code-davinci-002": (("chen-2021",), ()),
    "text-davinci-002": (("ouyang-2022",), ("sanh-2021", "wei-2021-flan")),
    "text-davinci-003": (
        ("ouyang-2022", "stiennon-2020"),
        ("glaese-2022", "ramamurthy-2022"),
    ),
    "chatgpt": ((), ("glaese-2022", "ramamurthy-2022")),
}


def test_every_row_names_its_papers_and_approximations_with_the_row_cited() -> None:
    models = load_graph().facts.models
    for mid, (papers, approximations) in ROWS.items():
        model = models[mid]
        assert (model.papers, model.approximations) == (papers, approximations), mid
        assert any(
            e.source == "fu-2022-cires" and "summary table (row" in e.locator
            for e in model.evidence
        ), mid


def test_show_names_them() -> None:
    result = CliRunner().invoke(cli, ["show", "code-cushman-001"])
    assert "  Papers: Chen et al. 2021 (chen-2021)\n" in result.stdout
    assert "  Open-source approximations: Nijkamp et al. 2022 (nijkamp-2022)\n" in (
        result.stdout
    )
    data = json.loads(CliRunner().invoke(cli, ["show", "chatgpt", "--json"]).stdout)
    assert data["model"]["papers"] == []
    assert data["model"]["approximations"] == ["glaese-2022", "ramamurthy-2022"]


def test_rdf_links_rows_to_papers_and_approximations() -> None:
    from rdflib import URIRef

    from lineage.outputs.rdf import LIN, to_rdf

    graph = to_rdf(load_graph())
    papers = {
        (str(s).rsplit("/", 1)[-1], str(o).rsplit("/", 1)[-1])
        for s, o in graph.subject_objects(LIN.paper)
    }
    assert ("text-davinci-003", "stiennon-2020") in papers
    approx = {str(s).rsplit("/", 1)[-1] for s in graph.subjects(LIN.approximates)}
    assert {"nijkamp-2022", "glaese-2022", "opt"} <= approx
    assert isinstance(next(iter(graph.subjects(LIN.approximates))), URIRef)


def test_unknown_paper_or_approximation_is_reported(tmp_path: Path) -> None:
    (tmp_path / "g.yaml").write_text(
        "models:\n  - {id: m, name: M, papers: [nope], approximations: [m2]}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["check", "--graph", str(tmp_path)])
    assert result.exit_code == 1
    assert "unknown source 'nope'" in result.stderr
    assert "unknown model, family or source 'm2'" in result.stderr
