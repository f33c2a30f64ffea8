"""The static web explorer: the build (files, embedded JSON, escaping, atomic swap)
and the page itself in a real headless Chromium (Playwright driving /usr/bin/chromium).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lineage.api import load_graph
from lineage.cli import cli
from lineage.errors import FactsInvalid, LineageError
from lineage.facts.validate import normalize
from lineage.outputs.site import MARKER, build_site, embed_json, site_data
from lineage.provenance.query import find_origins, show_model
from lineage.report import model_json, why_json

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz dot")
HOSTILE = "</script><img src=x onerror=\"document.title='pwned'\"><!--"

#: davinci -> code -> text -> chat; CoT gained by code training at "code".
SMALL = """\
sources:
  - {id: s, title: "A source", authors: [A], year: 2022, url: "https://example.org/s"}
stages:
  - {id: pretraining, name: Pretraining, definition: d}
  - {id: code_training, name: Training on code, definition: d}
  - {id: instruction_tuning, name: Instruction tuning, definition: d}
  - {id: rlhf, name: RLHF, definition: d}
capabilities:
  - {id: icl, name: In-context learning, kind: ability, description: d, aliases: [ICL]}
  - {id: cot, name: Chain-of-thought, kind: ability, description: d,
     aliases: [CoT, 思维链]}
models:
  - {id: base, name: Base, released: "2020"}
  - {id: code, name: Code model, released: "2021"}
  - {id: text, name: Text model, released: "2022"}
  - {id: chat, name: Chat model, released: "2022"}
derivations:
  - {parent: base, child: code, stage: code_training, confidence: likely,
     evidence: [{source: s, locator: p1, note: n}]}
  - {parent: code, child: text, stage: instruction_tuning, confidence: established,
     evidence: [{source: s, locator: p2, note: n}]}
  - {parent: text, child: chat, stage: rlhf, confidence: likely,
     evidence: [{source: s, locator: p3, note: n}]}
claims:
  - {id: c1, model: base, capability: icl, effect: gained, stage: pretraining,
     confidence: established, evidence: [{source: s, locator: "Table 1", note: n}]}
  - {id: c2, model: code, capability: cot, effect: gained, stage: code_training,
     confidence: hypothesis, evidence: [{source: s, locator: "Section 3", note: n}]}
  - {id: c3, model: chat, capability: icl, effect: lost, stage: rlhf,
     confidence: likely, evidence: [{source: s, locator: "Section 4", note: n}]}
"""


def _embedded(page: str) -> Any:
    match = re.search(
        r'<script id="lineage-data" type="application/json">(.*?)</script>', page, re.S
    )
    assert match is not None
    return json.loads(match.group(1))


def _roundtrip(data: Any) -> Any:
    return json.loads(json.dumps(data, ensure_ascii=False))


@pytest.fixture
def small(write_facts):  # type: ignore[no-untyped-def]
    graph = write_facts(SMALL)
    return graph, load_graph([graph], cache=False)


# --- the build ---------------------------------------------------------------------------


def test_build_writes_a_self_contained_site(small, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, index = small
    result = build_site(index, tmp_path / "site")
    out = tmp_path / "site"
    assert result.index_html == out / "index.html"
    for name in (
        "index.html",
        "lineage.json",
        "assets/site.css",
        "assets/site.js",
        MARKER,
    ):
        assert (out / name).is_file(), name
    page = (out / "index.html").read_text(encoding="utf-8")
    # no network: every script, stylesheet and picture is a relative file
    assert not re.search(
        r'(src|href)="(https?:)?//', page.split('id="lineage-data"')[0]
    )
    assert 'src="assets/site.js"' in page and 'href="assets/site.css"' in page
    assert "Content-Security-Policy" in page
    assert result.models == 4 and result.capabilities == 2
    # no temporary directories are left beside the site
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph", "site"]


def test_embedded_json_is_what_the_cli_prints(small, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    graph, index = small
    build_site(index, tmp_path / "site")
    data = _embedded((tmp_path / "site" / "index.html").read_text(encoding="utf-8"))
    assert data == _roundtrip(site_data(index))
    assert json.loads((tmp_path / "site" / "lineage.json").read_text("utf-8")) == data
    assert data["capabilities"]["cot"] == _roundtrip(
        why_json(find_origins(index, "cot"))
    )
    assert data["models"]["chat"] == _roundtrip(model_json(show_model(index, "chat")))
    runner = CliRunner()
    why = runner.invoke(cli, ["why", "CoT", "--json", "--graph", str(graph)])
    assert why.exit_code == 0, why.output
    assert json.loads(why.stdout) == data["capabilities"]["cot"]
    show = runner.invoke(cli, ["show", "chat", "--json", "--graph", str(graph)])
    assert json.loads(show.stdout) == data["models"]["chat"]
    # the search table is Index.resolve's
    assert data["names"]["cot"] == [["capability", "cot"]]
    assert data["names"][normalize("思维链")] == [["capability", "cot"]]
    assert data["lineage"]["chat"]["path"] == ["base", "code", "text", "chat"]


def test_hostile_strings_cannot_break_out(write_facts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    note = json.dumps(HOSTILE + " & \u2028 > end")
    text = SMALL.replace("name: Chain-of-thought", f"name: {json.dumps(HOSTILE)}")
    text = text.replace(
        'confidence: hypothesis, evidence: [{source: s, locator: "Section 3", note: n}]',
        'confidence: hypothesis, evidence: [{source: s, locator: "Section 3", '
        f"note: {note}}}]",
    )
    text = text.replace("name: Code model", f"name: {json.dumps(HOSTILE)}")
    graph = write_facts(text)
    index = load_graph([graph], cache=False)
    build_site(index, tmp_path / "site")
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "<img" not in page and "<!--" not in page
    assert page.count("</script>") == 2  # site.js and the data block, nothing else
    data = _embedded(page)
    assert data["capabilities"]["cot"]["capability"]["name"] == HOSTILE
    assert data["capabilities"]["cot"]["origins"][0]["evidence"][0]["note"].startswith(
        HOSTILE
    )
    assert "\u2028" not in page.split('id="lineage-data"')[1]
    assert (
        embed_json({"a": "</script>&\u2029"})
        == '{"a":"\\u003c/script\\u003e\\u0026\\u2029"}'
    )


@needs_dot
def test_tree_nodes_are_focusable_buttons(small, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, index = small
    result = build_site(index, tmp_path / "site")
    assert result.tree == "svg" and result.tree_note is None
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    for mid in ("base", "code", "text", "chat"):
        tag = re.search(rf'<g [^>]*data-model="{mid}"[^>]*>', page)
        assert tag is not None, mid
        assert 'tabindex="0"' in tag.group(0) and 'role="button"' in tag.group(0)
    assert re.search(
        r'<g [^>]*data-parent="text"[^>]*data-child="chat"', page
    ) or re.search(r'<g [^>]*data-child="chat"[^>]*data-parent="text"', page)
    assert (tmp_path / "site" / "tree.svg").is_file()


def test_same_facts_give_the_same_site(small, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, index = small
    build_site(index, tmp_path / "a")
    build_site(index, tmp_path / "b")
    for name in ("index.html", "lineage.json"):
        assert (tmp_path / "a" / name).read_bytes() == (
            tmp_path / "b" / name
        ).read_bytes()


def test_rebuild_replaces_own_site_but_not_a_foreign_directory(
    small, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _, index = small
    out = tmp_path / "site"
    build_site(index, out)
    (out / "stale.txt").write_text("old", encoding="utf-8")
    build_site(index, out)
    assert not (out / "stale.txt").exists()
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("precious", encoding="utf-8")
    with pytest.raises(LineageError, match="refusing to replace"):
        build_site(index, foreign)
    assert (foreign / "thesis.tex").read_text(encoding="utf-8") == "precious"
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(LineageError, match="is a file"):
        build_site(index, tmp_path / "file")
    with pytest.raises(LineageError, match="does not exist"):
        build_site(index, tmp_path / "missing" / "site")


def test_failed_build_leaves_the_previous_site(
    small, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import lineage.outputs.site

    _, index = small
    out = tmp_path / "site"
    build_site(index, out)
    before = (out / "index.html").read_bytes()

    def broken(data: Any) -> str:  # a fault in the middle of the build
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(lineage.outputs.site, "embed_json", broken)
    with pytest.raises(LineageError, match="No space left on device"):
        build_site(index, out)
    assert (out / "index.html").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph", "site"]


def test_cli_site(small, runner: CliRunner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    graph, _ = small
    out = tmp_path / "out"
    result = runner.invoke(cli, ["site", "-o", str(out), "--graph", str(graph)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out / "index.html")
    missing = runner.invoke(cli, ["site", "--graph", str(graph)])
    assert missing.exit_code == 2 and "Missing option '-o'" in missing.stderr
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x").write_text("x", encoding="utf-8")
    refused = runner.invoke(
        cli, ["site", "-o", str(tmp_path / "busy"), "--graph", str(graph)]
    )
    assert refused.exit_code == 1
    assert refused.stderr.startswith("error: refusing to replace")


def test_without_dot_the_site_has_a_text_tree(small, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    graph, _ = small
    empty = tmp_path / "bin"
    empty.mkdir()  # a PATH without Graphviz
    env = {**os.environ, "PATH": str(empty), "LINEAGE_CACHE_DIR": str(tmp_path / "c")}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "lineage",
            "site",
            "-o",
            str(tmp_path / "s"),
            "--graph",
            str(graph),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "note: Graphviz (the dot program) was not installed" in proc.stderr
    page = (tmp_path / "s" / "index.html").read_text(encoding="utf-8")
    assert (
        'class="text-tree"' in page
        and "was not installed when this page was built" in page
    )
    assert (
        '<button type="button" class="tnode" data-model="chat">Chat model</button>'
        in page
    )
    assert not (tmp_path / "s" / "tree.svg").exists()


# --- the page in a real browser ----------------------------------------------------------


def _playwright() -> Any:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install playwright)")
    return sync_playwright


@pytest.fixture(scope="module")
def shipped_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        index = load_graph([ROOT / "graph"], cache=False)
    except FactsInvalid:
        pytest.skip("the shipped graph does not validate right now")
    out = tmp_path_factory.mktemp("site") / "site"
    build_site(index, out)
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_playwright = _playwright()
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser: Any, shipped_site: Path) -> Iterator[Any]:
    """A fresh tab on the shipped site; fails the test on any console message
    of type error or warning, or an uncaught exception."""
    tab = browser.new_page()
    tab.set_viewport_size({"width": 1440, "height": 960})
    problems: list[str] = []
    tab.on(
        "console",
        lambda m: (
            problems.append(f"{m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    tab.on("pageerror", lambda e: problems.append(f"exception: {e}"))
    tab.goto((shipped_site / "index.html").as_uri())
    tab.wait_for_selector("#q:not([disabled])")
    yield tab
    tab.close()
    assert problems == []


def _wait_until(page: Any, function: str, arg: Any = None, timeout: float = 10) -> None:
    """Poll ``function`` (JavaScript) in the page until it returns true.

    Not ``page.wait_for_function``: its polling evaluates the predicate again in
    the page, which the site's Content-Security-Policy (no ``unsafe-eval``) refuses
    once it has to poll; ``page.evaluate`` is not subject to the page's policy.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(function, arg):
        if time.monotonic() > deadline:
            msg = f"still false after {timeout} s: {function}"
            raise AssertionError(msg)
        time.sleep(0.05)


def _wait_for_card(page: Any, kind: str, rid: str) -> None:
    """Wait until the hash route has run and the card shows ``kind/rid``."""
    _wait_until(
        page,
        "([kind, id]) => { const c = document.getElementById('card');"
        " return c.dataset.kind === kind && c.dataset.id === id; }",
        [kind, rid],
    )


@needs_dot
def test_page_loads_from_file_url(page: Any, shipped_site: Path) -> None:
    data = _embedded((shipped_site / "index.html").read_text(encoding="utf-8"))
    assert page.locator("#tree-svg g.node[data-model]").count() == len(data["models"])
    assert page.locator("table.emergence tbody tr").count() == len(data["emergence"])
    assert page.evaluate("document.querySelector('.plot img').naturalWidth") > 0
    assert page.locator("#sources li").count() == len(data["sources"])


@needs_dot
def test_search_cot_shows_code_training_at_code_davinci_002(page: Any) -> None:
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("CoT")
    first = page.locator("#results li").first
    assert "Chain-of-thought" in first.inner_text()
    page.keyboard.press("Enter")
    _wait_for_card(page, "capability", "chain-of-thought")
    # focus moves to the answer (the hash route runs on the next event)
    _wait_until(page, "() => document.activeElement.id === 'card'", timeout=5)
    origin = page.locator("#card .origin h3").first.inner_text()
    assert "code training" in origin and "code-davinci-002" in origin
    assert "code_training" in page.locator(
        "#card .origin .stage-code_training"
    ).first.get_attribute("class")
    assert page.locator("#card .evidence li").count() > 0
    # the tree marks the origin; the Chinese alias finds the same card
    assert "role-origin" in page.get_attribute(
        '[data-model="code-davinci-002"]', "class"
    )
    page.fill("#q", "思维链")
    page.keyboard.press("Enter")
    assert page.locator("#card h2").inner_text() == "Chain-of-thought reasoning"


def test_why_card_shows_causes_and_keeps_other_lineages_apart(page: Any) -> None:
    base = page.url.split("#")[0]
    page.goto(base + "#capability/in-context-learning")
    _wait_for_card(page, "capability", "in-context-learning")
    assert page.locator("#card .origin").count() == 1
    assert "davinci" in page.locator("#card .origin h3").inner_text()
    also = page.locator("#card .also-observed").inner_text()
    assert "OPT" in also and "BLOOM" in also
    causes = page.locator("#card p.cause").all_inner_texts()
    assert (
        "recovered (partly; still below code-davinci-002) — cause: mixing the "
        "language-modelling objective into the RL tuning (InstructGPT's PPO-ptx), "
        "not RLHF itself"
    ) in causes
    page.goto(base + "#capability/chain-of-thought")
    _wait_for_card(page, "capability", "chain-of-thought")
    supporting = page.locator("#card .supporting").inner_text()
    assert "PaLM" in supporting and "supports cdv2-cot-from-code" in supporting
    assert "PaLM" not in " ".join(page.locator("#card .origin h3").all_inner_texts())


@needs_dot
def test_clicking_a_node_highlights_its_ancestors(page: Any) -> None:
    page.click('#tree [data-model="chatgpt"]')
    _wait_for_card(page, "model", "chatgpt")
    classes = {
        mid: page.get_attribute(f'#tree [data-model="{mid}"]', "class")
        for mid in (
            "chatgpt",
            "davinci",
            "code-davinci-002",
            "text-davinci-002",
            "palm-540b",
        )
    }
    assert "is-selected" in classes["chatgpt"]
    for mid in ("davinci", "code-davinci-002", "text-davinci-002"):
        assert "is-ancestor" in classes[mid], mid
    assert "is-lit" not in classes["palm-540b"]
    assert page.locator("#card h2").inner_text() == "ChatGPT"
    # keyboard: a focused node opens with Enter and lights up its descendants
    page.focus('#tree [data-model="text-davinci-002"]')
    page.keyboard.press("Enter")
    _wait_for_card(page, "model", "text-davinci-002")
    assert "is-descendant" in page.get_attribute(
        '#tree [data-model="chatgpt"]', "class"
    )
    # arrows move through the search results
    page.keyboard.press("/")
    page.keyboard.type("davinci")
    page.keyboard.press("ArrowDown")
    second = page.locator("#results li").nth(1)
    assert second.get_attribute("aria-selected") == "true"
    assert page.get_attribute("#q", "aria-activedescendant") == "result-1"


def test_search_folds_names_like_python(page: Any, shipped_site: Path) -> None:
    data = _embedded((shipped_site / "index.html").read_text(encoding="utf-8"))
    labels = [
        label
        for w in data["capabilities"].values()
        for label in (
            w["capability"]["id"],
            w["capability"]["name"],
            *w["capability"]["aliases"],
        )
    ] + [
        "Straße",
        "ΣΊΣΥΦΟΣ",
        "ǅemal",
        "İstanbul",
        "ＧＰＴ－３．５",
        "ﬁne-tuning",
        "Ⅻ",
        "a_b c-d",
    ]
    folded = page.evaluate("(xs) => xs.map(window.lineageNormalize)", labels)
    assert folded == [normalize(label) for label in labels]


@needs_dot
def test_phone_width_and_screenshot(page: Any) -> None:
    page.goto(page.url.split("#")[0] + "#capability/chain-of-thought")
    page.reload()  # a fresh load, as from a shared link
    page.wait_for_selector("#card .origin")
    assert page.evaluate("window.scrollY") == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "site.png"))
    docs = ROOT / "docs" / "site.png"
    if os.environ.get("LINEAGE_UPDATE_DOCS") == "1" or not docs.exists():
        shutil.copyfile(ARTIFACTS / "site.png", docs)
    page.set_viewport_size({"width": 375, "height": 800})
    page.wait_for_timeout(50)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.click('#tree [data-model="chatgpt"]')  # the tree scrolls inside its box
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(ARTIFACTS / "site-phone.png"))


def test_hostile_facts_stay_text_in_the_browser(
    browser: Any, write_facts, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    text = SMALL.replace("name: Chain-of-thought", f"name: {json.dumps(HOSTILE)}")
    index = load_graph([write_facts(text)], cache=False)
    build_site(index, tmp_path / "site")
    tab = browser.new_page()
    try:
        tab.goto((tmp_path / "site" / "index.html").as_uri() + "#capability/cot")
        tab.wait_for_selector("#card h2")
        assert tab.locator("#card h2").inner_text() == HOSTILE
        assert tab.locator("img[src=x]").count() == 0
        assert tab.title() != "pwned"
        assert html.escape("<img") not in tab.locator("#card h2").inner_text()
    finally:
        tab.close()


def test_page_resolves_names_as_the_command_line(page: Any) -> None:
    """The page's copy of the resolver folds and resolves the phrasing table as
    lineage.store.names does (capabilities, models, families and stages)."""
    from lineage.facts.fold import words

    index = load_graph([ROOT / "graph"], cache=False)
    rows = [
        line.split("\t")
        for line in (ROOT / "tests" / "data" / "phrasings.tsv")
        .read_text("utf-8")
        .splitlines()
        if line.strip() and not line.startswith("#")
    ]
    texts = [text for text, expected in rows if not expected.startswith("source:")]
    folded = page.evaluate("(xs) => xs.map((x) => window.lineageFold(x))", texts)
    assert folded == [list(index.words.fold(t)) for t in texts]
    fixed = page.evaluate(
        "(xs) => xs.map((x) => window.lineageResolve(x).map((r) => r.join(':')))", texts
    )
    kinds = ("capability", "model", "family", "stage")
    expected = [
        sorted(f"{m.kind}:{m.id}" for m in index.words.lookup(t, kinds)) for t in texts
    ]
    assert [sorted(r) for r in fixed] == expected
    assert words("x") == ["x"]


def test_search_box_takes_stages_and_full_text(page: Any) -> None:
    page.fill("#q", "reinforcement learning from human feedback")
    _wait_for_card(page, "stage", "rlhf")
    assert "Reinforcement learning from human feedback" in page.inner_text("#card h2")
    assert "text-davinci-002" in page.inner_text("#card")
    page.fill("#q", "modeling dialogue history")
    _wait_for_card(page, "capability", "dialogue-history-modelling")
    page.fill("#q", "alignment tax")
    first = page.locator("#results li").first
    assert "alignment tax" in first.inner_text().lower()
    assert page.locator("#results li").count() >= 3  # and the records that name it
    page.keyboard.press("Enter")
    _wait_for_card(page, "concept", "alignment-tax")  # the concept's own card
    card = page.inner_text("#card")
    assert "unlikely to be intentional" in card
    linked = page.locator("#card .examples > li").all_inner_texts()
    assert len(linked) == 3 and "ChatGPT" in linked[-1]
    assert "is-selected" in (
        page.get_attribute('[data-model="chatgpt"]', "class") or ""
    )


@needs_dot
def test_phone_is_a_first_class_view(page: Any) -> None:
    """At 390 px: nothing overflows the page, every emergence row is a card with
    every field labelled and on screen, the tree opens readable and pannable."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_selector("#q:not([disabled])")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    rows = page.evaluate(
        """() => [...document.querySelectorAll('table.emergence tbody tr')].map((tr) => {
          const r = tr.getBoundingClientRect();
          const cells = [...tr.children].map((c) => c.getBoundingClientRect());
          return {left: r.left, right: r.right, height: r.height,
                  cells: cells.map((c) => [c.left, c.right, c.width, c.height]),
                  label: getComputedStyle(tr.children[1], '::before').content};
        })"""
    )
    assert rows
    for row in rows:
        assert row["left"] >= 0 and row["right"] <= 390, row
        for left, right, width, height in row["cells"]:  # stacked, full width
            assert left >= 0 and right <= 390 and height > 0, row
            assert width >= 0.8 * (row["right"] - row["left"]), row
    assert rows[0]["label"] == '"Setting: "'
    # the tree: a model's name is drawn at a readable size, and the box pans
    name = page.locator('#tree [data-model="chatgpt"] text').first
    assert name.bounding_box()["height"] >= 11
    assert page.evaluate(
        "(() => { const t = document.getElementById('tree');"
        " return t.scrollWidth > t.clientWidth; })()"
    )
    assert page.locator(".tree-hint").is_visible()
    page.screenshot(path=str(ARTIFACTS / "site-phone-390.png"), full_page=False)


@needs_dot
def test_bad_link_says_not_found_and_clears_the_highlight(page: Any) -> None:
    page.goto(page.url.split("#")[0] + "#model/text-davinci-002")
    _wait_for_card(page, "model", "text-davinci-002")
    assert page.locator("#tree g.node.is-lit").count() > 0
    page.evaluate("location.hash = '#capability/nonexistent'")
    _wait_for_card(page, "not-found", "nonexistent")
    assert page.locator("#card h2").inner_text() == "Not found"
    assert "nonexistent" in page.locator("#card").inner_text()
    assert page.locator("#tree .is-lit").count() == 0
    assert page.locator("#tree-legend").is_hidden()


@needs_dot
def test_one_match_and_distinct_selected_and_origin_colours(page: Any) -> None:
    page.fill("#q", "text-davinci-003")
    _wait_until(
        page, "() => document.getElementById('search-status').textContent !== ''"
    )
    status = page.locator("#search-status").text_content()
    assert re.fullmatch(r"1 match|([02-9]|\d\d+) matches|No match", status), status
    fill = (
        "(mid) => getComputedStyle(document.querySelector("
        "`#tree [data-model='${mid}'] > g > a > :is(path, polygon)`)).fill"
    )
    key = "(k) => getComputedStyle(document.querySelector(`.key-${k}`), '::before')"
    page.click('#tree [data-model="chatgpt"]')
    _wait_for_card(page, "model", "chatgpt")
    selected = page.evaluate(fill, "chatgpt")
    assert page.evaluate(key + ".backgroundColor", "selected") == selected
    assert page.locator(".key-selected").is_visible()
    page.evaluate("location.hash = '#capability/chain-of-thought'")
    _wait_for_card(page, "capability", "chain-of-thought")
    origin = page.evaluate(fill, "code-davinci-002")
    assert page.evaluate(key + ".backgroundColor", "origin") == origin
    assert page.locator(".key-origin.key-ability").is_visible()
    assert selected != origin


GPT35 = ["code-davinci-002", "text-davinci-002", "text-davinci-003", "chatgpt"]


@needs_dot
def test_site_limitation_card_says_has_the_limitation(page: Any) -> None:
    page.evaluate("location.hash = '#capability/formal-reasoning'")
    _wait_for_card(page, "capability", "formal-reasoning")
    card = page.locator("#card").inner_text()
    assert "Origin" not in card and "seen by" not in card
    assert "Has the limitation: every member of GPT-3.5" in card
    for model in GPT35:
        assert page.locator(f'[data-model="{model}"].role-origin').count() > 0
    assert page.locator("#tree-legend .key-has").first.is_visible()
    assert not page.locator("#tree-legend .key-ability").first.is_visible()
    page.evaluate("location.hash = '#model/chatgpt'")
    _wait_for_card(page, "model", "chatgpt")
    card = page.locator("#card").inner_text()
    assert "Has the limitations" in card
    claim = page.locator("#card ul.history li", has_text="Cannot do formal reasoning")
    text = claim.first.inner_text()
    assert "has the limitation" in text and "stated for all of" in text
    assert "gained" not in text
