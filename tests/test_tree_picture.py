"""The drawn tree as people see it: text stays inside its box, edges stay off their
labels, and the timeline never puts a model of unknown date on a dated row.

Graphviz ``dot`` lays out the SVG; headless Chromium (Playwright, /usr/bin/chromium)
measures every row of text with the fonts it really draws (``getExtentOfChar``) and
compares it with the node's outline and the edge's path. (Measured here, the
glyphs of cairo's PNG and of Chromium's SVG are within 3% of each other at 9-13
pt, so this is what the PNG shows too.) A row must keep :data:`CLEAR` points free
of the outline on each side: the subtitle "T5 · date unknown" kept 3 pt and
read as running past its box. ``tests/data/clipped-tree.dot`` is that node and its
edge as the tree drew them before the fix; the check must flag both.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lineage.api import load_graph
from lineage.outputs.render import UNDATED_AXIS, TreeOptions, layout, to_dot

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
#: points a row of text keeps clear of its node's outline on either side
CLEAR = 4.0
pytestmark = pytest.mark.skipif(
    shutil.which("dot") is None, reason="needs Graphviz dot"
)

#: For every node, the rows of text (runs on one baseline, padding spaces left out)
#: that come closer than `clear` to its outline; for every edge, a label that its
#: path or arrowhead runs through.
MEASURE = r"""
(clear) => {
  const problems = [];
  for (const g of document.querySelectorAll('g.node')) {
    const shape = g.querySelector('path, polygon, ellipse');
    const name = g.querySelector('title').textContent;
    if (!shape || name.startsWith('axis:')) continue;
    const box = shape.getBBox();
    const rows = {};
    for (const t of g.querySelectorAll('text')) {
      const text = t.textContent;  // the glyphs, not the padding spaces
      const first = text.search(/\S/);
      if (first < 0) continue;
      const last = text.trimEnd().length - 1;
      const a = t.getExtentOfChar(first), b = t.getExtentOfChar(last);
      const row = rows[t.getAttribute('y')] || {x0: Infinity, x1: -Infinity, text: ''};
      row.x0 = Math.min(row.x0, a.x);
      row.x1 = Math.max(row.x1, b.x + b.width);
      row.text += text;
      rows[t.getAttribute('y')] = row;
    }
    for (const row of Object.values(rows)) {
      if (row.x0 - box.x < clear || box.x + box.width - row.x1 < clear)
        problems.push(`node ${name}: "${row.text.trim()}" reaches its box`);
    }
  }
  for (const g of document.querySelectorAll('g.edge')) {
    const path = g.querySelector('path');
    const name = g.querySelector('title').textContent;
    if (!path || name.startsWith('axis:')) continue;
    const heads = [...g.querySelectorAll('polygon')].map((p) => p.getBBox());
    for (const t of g.querySelectorAll('text')) {
      const r = t.getBBox();
      if (r.width === 0) continue;
      const hit = (x, y) => x > r.x - 1 && x < r.x + r.width + 1 && y > r.y && y < r.y + r.height;
      const length = path.getTotalLength();
      for (let s = 0; s <= length; s += 0.5) {
        const p = path.getPointAtLength(s);
        if (hit(p.x, p.y)) { problems.push(`edge ${name}: the line crosses "${t.textContent}"`); break; }
      }
      for (const h of heads) {
        if (h.x < r.x + r.width && h.x + h.width > r.x && h.y < r.y + r.height && h.y + h.height > r.y)
          problems.push(`edge ${name}: the arrowhead covers "${t.textContent}"`);
      }
    }
  }
  return problems;
}
"""

#: The centre height of every model node and axis label, by node title.
ROWS = """
() => Object.fromEntries([...document.querySelectorAll('g.node')].map((g) => {
  const b = g.getBBox();
  return [g.querySelector('title').textContent, b.height ? b.y + b.height / 2 : null];
}).filter(([, y]) => y !== null))
"""


@pytest.fixture(scope="module")
def index():  # type: ignore[no-untyped-def]
    return load_graph([ROOT / "graph"], cache=False)


@pytest.fixture(scope="module")
def page() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed")
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=["--headless=new", "--no-sandbox", "--disable-gpu"],
        )
        try:
            yield context.new_page()
        finally:
            context.close()


def _problems(page: Any, svg: bytes) -> list[str]:
    page.set_content(svg.decode("utf-8"))
    return list(page.evaluate(MEASURE, CLEAR))


@pytest.mark.parametrize(
    "options",
    [
        TreeOptions(),
        TreeOptions(timeline=True),
        TreeOptions(highlight="chain-of-thought"),
        TreeOptions(capabilities=False, highlight="in-context-learning"),
    ],
    ids=["tree", "timeline", "highlight", "no-capabilities"],
)
def test_no_label_is_clipped_or_crossed(page: Any, index, options: TreeOptions) -> None:  # type: ignore[no-untyped-def]
    assert _problems(page, layout(to_dot(index, options), "svg")) == []


def test_the_check_catches_the_old_clipping(page: Any) -> None:
    dot = (ROOT / "tests" / "data" / "clipped-tree.dot").read_text(encoding="utf-8")
    problems = _problems(page, layout(dot, "svg"))
    assert 'node t5-11b: "T5 · date unknown" reaches its box' in problems, problems
    assert any('the line crosses "instruction tuning"' in p for p in problems), problems


def test_timeline_puts_unknown_dates_on_their_own_row(page: Any, index) -> None:  # type: ignore[no-untyped-def]
    page.set_content(layout(to_dot(index, TreeOptions(timeline=True)), "svg").decode())
    rows = page.evaluate(ROWS)
    dated_rows = [
        y
        for name, y in rows.items()
        if name.startswith("axis:") and name != UNDATED_AXIS
    ]
    undated = [m for m, rec in index.facts.models.items() if not rec.date]
    dated = [m for m, rec in index.facts.models.items() if rec.date]
    assert undated and dated
    for mid in undated:
        assert abs(rows[mid] - rows[UNDATED_AXIS]) < 40, mid
        assert all(abs(rows[mid] - y) > 20 for y in dated_rows), mid
    for mid in dated:
        assert abs(rows[mid] - rows[UNDATED_AXIS]) > 20, mid
    assert rows[UNDATED_AXIS] > max(dated_rows)  # below the dated axis
