"""Dates keep their precision: months, ranges, paper dates; timelines sort them right."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from lineage.api import load_graph
from lineage.cli import cli
from lineage.facts.model import date_bounds, date_label, date_sort_key
from lineage.outputs.render import TreeOptions, time_levels, to_dot, to_text

DATED = """\
sources:
  - {id: s, title: S, authors: [A], year: 2022, url: "https://example.org"}
models:
  - {id: year-only, name: Year only, released: "2022"}
  - {id: january, name: January, released: 2022-01}
  - {id: february, name: February, released: 2022-02}
  - {id: beta, name: Beta, released: 2022-04/2022-07}
  - {id: tuned, name: Tuned, released: 2022-05/2022-06}
  - {id: paper, name: Paper, paper_date: 2021-07}
  - {id: undated, name: Undated}
derivations:
  - {parent: beta, child: tuned, stage: instruction_tuning, confidence: likely, evidence: [{source: s, locator: L, note: n}]}
"""


def dated_index(tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "dated.yaml").write_text(DATED, encoding="utf-8")
    return load_graph([tmp_path])


def test_year_only_sorts_after_its_january_and_ranges_by_start() -> None:
    dates = ["2022-02", "2022", "2022-05/2022-06", "2022-01", "2022-04/2022-07"]
    assert sorted(dates, key=date_sort_key) == [
        "2022-01",
        "2022",
        "2022-02",
        "2022-04/2022-07",
        "2022-05/2022-06",
    ]
    assert date_bounds("2020-02") == ((2020, 2, 1), (2020, 2, 29))
    assert date_sort_key(None) > date_sort_key("9000")


def test_labels_say_range_and_paper() -> None:
    assert date_label("2022-04/2022-07") == "2022-04 to 2022-07"
    assert date_label(None, "2022-03") == "paper 2022-03"


def test_timeline_text_orders_bands(tmp_path: Path) -> None:
    index = dated_index(tmp_path)
    bands = [
        line
        for line in to_text(index, TreeOptions(timeline=True)).splitlines()
        if not line.startswith(" ")
    ]
    assert bands == [
        "2021-07",
        "2022-01",
        "2022",
        "2022-02",
        "2022-04 to 2022-07",
        "2022-05 to 2022-06",
        "date unknown",
    ]
    text = to_text(index, TreeOptions(timeline=True))
    assert "  Paper  (paper 2021-07)" in text
    assert "  Beta  (2022-04 to 2022-07)" in text


def test_timeline_dot_axis_labels_ranges(tmp_path: Path) -> None:
    index = dated_index(tmp_path)
    levels, axis = time_levels(index, list(index.facts.models))
    assert [d for _, d in axis][:3] == ["2021-07", "2022-01", "2022"]
    dot = to_dot(index, TreeOptions(timeline=True))
    assert "Apr–Jul" in dot and "May–Jun" in dot


def test_show_and_json_carry_paper_date_and_range(tmp_path: Path) -> None:
    (tmp_path / "dated.yaml").write_text(DATED, encoding="utf-8")
    runner = CliRunner()
    shown = runner.invoke(cli, ["show", "beta", "--graph", str(tmp_path)])
    assert "released 2022-04 to 2022-07)" in shown.stdout
    paper = runner.invoke(cli, ["show", "paper", "--graph", str(tmp_path)])
    assert "; paper 2021-07)" in paper.stdout
    data = json.loads(
        runner.invoke(cli, ["show", "paper", "--json", "--graph", str(tmp_path)]).stdout
    )
    assert data["model"]["released"] is None
    assert data["model"]["paper_date"] == "2021-07"


def test_shipped_dates_keep_the_sources_precision() -> None:
    models = load_graph().facts.models
    assert models["code-davinci-002"].released == "2022-04/2022-07"
    assert models["text-davinci-002"].released == "2022-05/2022-06"
    assert models["davinci"].paper_date == "2020-07"
    for mid in ("gpt-3-12b", "code-cushman-001"):  # the Codex paper
        assert models[mid].paper_date == "2021-07"
    for mid in ("davinci-instruct-beta", "text-davinci-001"):  # instruction tuning
        assert models[mid].paper_date == "2022-03"
    assert not [m.id for m in models.values() if m.date and len(m.date) == 4]


def test_shipped_timeline_puts_code_davinci_002_before_text_davinci_002() -> None:
    index = load_graph()
    lines = to_text(index, TreeOptions(timeline=True, capabilities=False)).splitlines()
    at = {line.split("(")[0].strip(): i for i, line in enumerate(lines)}
    assert at["davinci"] < at["code-cushman-001"] < at["davinci-instruct-beta"]
    assert at["code-davinci-002"] < at["text-davinci-002"] < at["text-davinci-003"]


def test_month_days_counts_as_the_calendar_module() -> None:
    import calendar

    from lineage.facts.model import month_days

    for year in (0, 1, 4, 100, 400, 1900, 1999, 2000, 2022, 2024, 2100, 9999, 10000):
        for month in range(1, 13):
            assert month_days(year, month) == calendar.monthrange(year, month)[1]
