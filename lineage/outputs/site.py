"""The static web explorer: one offline HTML page to browse the tree and ask ``why``.

:func:`build_site` writes a self-contained directory (``index.html``, the stylesheet
and script from ``lineage/site/``, the tree and emergence pictures, and the data as
``lineage.json``) that works from ``file://`` and from any static host: no CDN, no
server, no build step. Every fact on the page comes from :func:`site_data`, which
calls the same :mod:`lineage.report` functions as ``--json``, so the page and the
command line never disagree. The tree is the Graphviz drawing of
:mod:`lineage.outputs.render`; without ``dot`` the page shows the text tree instead.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import shutil
import string
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import LineageError, plain
from ..outfile import clean_stale, temp_path, umask
from ..store.index import Index

__all__ = [
    "ASSETS",
    "MARKER",
    "SiteResult",
    "build_site",
    "embed_json",
    "name_index",
    "site_data",
    "tree_svg",
]

#: the kinds of record the page has a card for
PAGE_KINDS = ("capability", "model", "family", "stage", "concept")
#: Files copied from ``lineage/site/`` into ``assets/``.
ASSETS = ("site.css", "site.js")
#: Marks a directory written by :func:`build_site`; only such a directory (or an
#: empty one) is replaced, so ``-o ~/Documents`` cannot wipe a folder.
MARKER = ".lineage-site"
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"


@dataclass(frozen=True, slots=True)
class SiteResult:
    """What :func:`build_site` wrote."""

    directory: Path
    index_html: Path
    tree: str  # "svg" or "text"
    tree_note: str | None  # why the tree is text, when it is
    plot: bool  # the emergence plot was drawn
    models: int
    capabilities: int


# --- data -----------------------------------------------------------------------------


def name_index(index: Index) -> dict[str, list[list[str]]]:
    """Normalized name -> ``[kind, id]`` pairs: the table :meth:`Index.resolve` reads.

    The page's search box normalizes what is typed the same way
    (:func:`lineage.facts.validate.normalize`) and looks it up here.

    Examples
    --------
    >>> from lineage.facts.model import Facts
    >>> from lineage.store.index import build_index
    >>> name_index(build_index(Facts()))
    {}
    """
    out: dict[str, list[list[str]]] = {}
    for key, entries in index.words.exact.items():
        refs = sorted({(k, rid) for k, rid, _ in entries if k in PAGE_KINDS})
        if refs:
            out[key] = [[k, rid] for k, rid in refs]
    return dict(sorted(out.items()))


def _target(index: Index, kind: str, rid: str) -> list[str] | None:
    """The card a text search hit opens: its own, or its claim's capability, its
    derivation's child, its figure's subject (None: no card)."""
    facts = index.facts
    if kind in PAGE_KINDS:
        return [kind, rid]
    if kind == "claim":
        return ["capability", facts.claims[rid].capability]
    if kind == "emergence":
        return ["capability", facts.emergence[rid].capability]
    if kind == "derivation":
        return ["model", facts.derivations[rid].child]
    if kind == "figure":
        subject = facts.figures[rid].subject
        for table, name in ((facts.models, "model"), (facts.families, "family")):
            if subject in table:
                return [name, subject]
    return None


def words_json(index: Index) -> dict[str, Any]:
    """What the page's search needs: the resolver's folding rules and tables
    (:mod:`lineage.store.names`, run by ``site.js`` the same way) and the texts
    of :mod:`lineage.store.search`, each with the card it opens."""
    from ..facts.fold import rules_json
    from ..store.search import text_rows

    words = index.words
    folded: dict[str, list[list[str]]] = {}
    for key, entries in words.folded.items():
        refs = sorted({(k, rid) for k, rid, _ in entries if k in PAGE_KINDS})
        if refs:
            folded[" ".join(key)] = [[k, rid] for k, rid in refs]
    texts = []
    for kind, rid, field, text in text_rows(index.facts):
        target = _target(index, kind, rid)
        if target is not None:
            texts.append([kind, rid, field, text, *target])
    return {
        "rules": rules_json(),
        "folded": dict(sorted(folded.items())),
        "abbreviations": {k: list(v) for k, v in sorted(words.abbreviations.items())},
        "vocabulary": sorted(words.by_word),
        "spelt": sorted(words.spelt),
        "texts": texts,
    }


def _highlight_json(index: Index, capability: str) -> dict[str, list[str]]:
    from ..outputs.render import highlight_selection

    hl = highlight_selection(index, capability)
    return {
        "origins": list(hl.origins),
        "carriers": list(hl.carriers),
        "strengthened": list(hl.strengthened),
        "recovered": list(hl.recovered),
        "weakened": list(hl.weakened),
        "lost": list(hl.lost),
        "has": list(hl.has),
        "lacks": list(hl.lacks),
        "edges": list(hl.edges),
        "family_claims": list(hl.family_claims),
    }


def site_data(index: Index) -> dict[str, Any]:
    """Everything the page shows, as JSON-ready data.

    ``capabilities`` holds ``why_json`` of every capability, ``models`` and
    ``families`` hold ``model_json`` / ``family_json`` (``lineage why --json`` and
    ``lineage show --json``), ``concepts`` the ``lineage why CONCEPT --json`` of each
    concept, ``emergence`` the rows of ``lineage emergence
    --json``, ``conflicts`` those of ``lineage conflicts --json`` and ``sources``
    those of ``lineage sources --json``. The rest serves the page: ``names`` (the
    search table of :meth:`Index.resolve`), ``lineage`` (``lineage path``-shaped
    chain from a root to each model), ``derivations`` (tree edges) and
    ``highlights`` (what the tree marks for each capability).

    Examples
    --------
    >>> from lineage.facts.model import Facts
    >>> from lineage.store.index import build_index
    >>> sorted(site_data(build_index(Facts())))[:4]
    ['capabilities', 'concepts', 'conflicts', 'counts']
    """
    facts = index.facts
    models = index.topo(set(facts.models))
    lineage = _lineage_json(index, models)
    return {
        "generator": f"lineage {__version__}",
        "counts": facts.counts(),
        "stages": {
            str(s.id): {
                "name": s.name,
                "definition": s.definition,
                "aliases": list(s.aliases),
            }
            for s in facts.stages.values()
        },
        **_answers_json(index, models),
        "names": name_index(index),
        "words": words_json(index),
        "lineage": lineage,
        "derivations": [
            {
                "id": d.id,
                "parent": d.parent,
                "child": d.child,
                "stage": d.stage.value,
                "confidence": d.confidence.value,
            }
            for mid in models
            for d in index.parents.get(mid, ())
        ],
        "highlights": {cid: _highlight_json(index, cid) for cid in facts.capabilities},
    }


def _lineage_json(index: Index, models: list[str]) -> dict[str, dict[str, Any]]:
    """The ``lineage path``-shaped chain from a root to each model."""
    from ..provenance.query import lineage_of
    from ..report import step_json

    lineage: dict[str, dict[str, Any]] = {}
    for mid in models:
        path, steps = lineage_of(index, mid)
        lineage[mid] = {"path": list(path), "steps": [step_json(s) for s in steps]}
    return lineage


def _answers_json(index: Index, models: list[str]) -> dict[str, Any]:
    """The ``--json`` answers of the commands, for every record they are about."""
    from ..provenance.emergence import emergence_table, row_json
    from ..provenance.query import (
        explain_concept,
        find_conflicts,
        find_origins,
        show_family,
        show_model,
    )
    from ..report import concept_json, family_json, model_json, source_json, why_json

    facts = index.facts
    return {
        "capabilities": {
            cid: why_json(find_origins(index, cid)) for cid in facts.capabilities
        },
        "models": {mid: model_json(show_model(index, mid)) for mid in models},
        "concepts": {
            cid: concept_json(explain_concept(index, cid)) for cid in facts.concepts
        },
        "families": {
            fid: family_json(show_family(index, fid)) for fid in facts.families
        },
        "sources": [source_json(s) for s in index.facts.sources.values()],
        "emergence": [row_json(r) for r in emergence_table(index)],
        "conflicts": _conflicts(index, find_conflicts),
    }


def _conflicts(index: Index, find: Any) -> list[dict[str, Any]]:
    from ..report import conflicts_json

    return conflicts_json(find(index))


def embed_json(data: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">``.

    ``<``, ``>`` and ``&`` are written as ``\\u003c`` ... so that ``</script>`` or
    ``<!--`` in a fact cannot end the element, and U+2028/U+2029 are escaped too.
    ``JSON.parse`` reads it back unchanged.

    Examples
    --------
    >>> embed_json({"note": "</script><b>"})
    '{"note":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, code in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, code)
    return text


# --- the tree -------------------------------------------------------------------------


def tree_svg(index: Index, svg: bytes) -> str:
    """Make a Graphviz drawing of :func:`lineage.outputs.render.to_dot` interactive.

    Each model node (``<g id="model-ID">``) gets ``data-model``, ``tabindex="0"``,
    ``role="button"`` and an ``aria-label``; each derivation edge gets
    ``data-parent`` and ``data-child``. The XML declaration, doctype, comments
    and fixed size go (the page sizes the drawing), so the result can be
    placed inline in HTML.
    """
    import xml.etree.ElementTree as ET

    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.fromstring(svg)
    g_tag = f"{{{SVG_NS}}}g"
    models = index.facts.models
    ders = index.facts.derivations
    for g in root.iter(g_tag):
        gid = g.get("id", "")
        cls = g.get("class", "")
        if cls == "node" and gid.startswith("model-") and gid[6:] in models:
            mid = gid[6:]
            model = models[mid]
            g.set("data-model", mid)
            g.set("tabindex", "0")
            g.set("role", "button")
            g.set("aria-label", plain(f"{model.name}: show where it came from"))
        elif cls == "edge" and gid.startswith("derivation-") and gid[11:] in ders:
            der = ders[gid[11:]]
            g.set("data-parent", der.parent)
            g.set("data-child", der.child)
    width, height = root.get("width", ""), root.get("height", "")
    for attr in ("width", "height"):
        root.attrib.pop(attr, None)
    root.set("id", "tree-svg")
    root.set("role", "group")
    root.set("aria-label", "Evolution tree of the models")
    root.set("data-width", width.removesuffix("pt"))
    root.set("data-height", height.removesuffix("pt"))
    return ET.tostring(root, encoding="unicode")


def _text_tree(index: Index) -> str:
    """The text tree of :func:`lineage.outputs.render.to_text` with model names as buttons."""
    from ..outputs.render import to_text

    start, end = "\x02", "\x03"
    by_name: dict[str, list[str]] = {}
    for m in index.facts.models.values():
        by_name.setdefault(m.name, []).append(m.id)

    def style(text: str, role: str) -> str:
        return f"{start}{text}{end}" if role == "model" else text

    out = []
    for i, part in enumerate(to_text(index, style=style).split(start)):
        name, sep, rest = part.partition(end)
        if i == 0 or not sep:
            out.append(html.escape(part.replace(end, "")))
            continue
        ids = by_name.get(name, [])
        if len(ids) == 1:
            out.append(
                f'<button type="button" class="tnode" data-model="{html.escape(ids[0])}"'
                f">{html.escape(name)}</button>"
            )
        else:
            out.append(html.escape(name))
        out.append(html.escape(rest.replace(end, "")))
    return '<pre class="text-tree">' + "".join(out) + "</pre>"


def _tree(index: Index) -> tuple[str, str, str | None]:
    """``(html, "svg" | "text", note)``; falls back to text without ``dot``."""
    from ..outputs.render import (
        GraphvizMissingError,
        RenderError,
        TooLargeError,
        TreeOptions,
        check_layout_size,
        layout,
        to_dot,
    )

    if not index.facts.models:
        return '<p class="note">No models recorded.</p>', "text", None
    try:
        check_layout_size(len(index.facts.models))
        svg = layout(to_dot(index, TreeOptions(legend=True)), "svg")
    except GraphvizMissingError:
        note = (
            "Graphviz (the dot program) was not installed when this page was built, "
            "so the tree is shown as text. Install Graphviz and run lineage site "
            "again for the drawing."
        )
    except TooLargeError:
        note = (
            f"The graph has {len(index.facts.models):,} models, more than Graphviz "
            "lays out quickly, so the tree is shown as text."
        )
    except RenderError as exc:
        note = f"Graphviz could not draw the tree ({exc}); it is shown as text."
    else:
        return tree_svg(index, svg), "svg", None
    return _text_tree(index), "text", note


# --- emergence ------------------------------------------------------------------------


def _emergence_html(index: Index, rows: list[Any]) -> str:
    from ..provenance.emergence import format_flops, format_parameters

    if not rows:
        return '<p class="note">No emergence observations recorded.</p>'
    esc = html.escape
    head = (
        "<tr><th scope=col>Ability / task</th><th scope=col>Setting</th>"
        "<th scope=col class=num>Training FLOPs</th><th scope=col class=num>"
        "Parameters</th><th scope=col>Model</th><th scope=col>Capability</th>"
        "<th scope=col>Source</th></tr>"
    )
    body = []
    for r in rows:
        cap = (
            f'<a href="#capability/{esc(r.capability)}">{esc(r.capability_name)}</a>'
            if r.capability in index.facts.capabilities
            else esc(r.capability_name)
        )
        body.append(
            f"<tr><th scope=row>{esc(r.task)}</th>"
            f'<td data-label="Setting">{esc(r.setting)}</td>'
            f'<td class=num data-label="Training FLOPs">'
            f"{esc(format_flops(r.training_flops))}</td>"
            f'<td class=num data-label="Parameters">'
            f"{esc(format_parameters(r.parameters))}</td>"
            f'<td data-label="Model">{esc(r.model_name)}</td>'
            f'<td data-label="Capability">{cap}</td>'
            f'<td data-label="Source">{esc(r.source)}, {esc(r.locator)}'
            + (f" ({esc(r.reference)})" if r.reference else "")
            + "</td></tr>"
        )
    return (
        '<div class="table-wrap" tabindex="0" role="region" '
        'aria-label="Emergence table (scrolls sideways)"><table class="emergence">'
        f"<thead>{head}</thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def _plot(index: Index, rows: list[Any], directory: Path) -> str | None:
    """Draw ``emergence.svg`` into ``directory``; return why not, or None."""
    from ..provenance.emergence import plot_emergence

    if not rows:
        return "no emergence rows"
    try:
        plot_emergence(
            rows,
            directory / "emergence.svg",
            families=[r.family or r.model for r in rows],
        )
    except LineageError as exc:
        return str(exc)
    return None


# --- writing --------------------------------------------------------------------------


def _asset(name: str) -> str:
    return (resources.files("lineage.outputs") / "site" / name).read_text(
        encoding="utf-8"
    )


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        msg = f"cannot write the site to '{target}': it is a file, not a directory"
        raise LineageError(msg)
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).exists():
        msg = (
            f"refusing to replace '{target}': it is not empty and was not written by "
            f"lineage site (no {MARKER} file); choose a new or empty directory"
        )
        raise LineageError(msg)
    if not target.parent.is_dir():
        msg = (
            f"cannot write the site to '{target}': directory '{target.parent}' "
            "does not exist"
        )
        raise LineageError(msg)


def build_site(index: Index, out_dir: str | os.PathLike[str]) -> SiteResult:
    """Write the static explorer into ``out_dir``; return what was written.

    The site is built in a temporary directory beside ``out_dir`` and then
    renamed into place, so a failed build leaves a previous site untouched.
    An existing ``out_dir`` is replaced only if it is empty or was written by
    this function (it holds a ``.lineage-site`` marker).

    Parameters
    ----------
    index
        The loaded graph (:func:`lineage.api.load_graph`).
    out_dir
        The directory to write; it is created (its parent must exist).

    Returns
    -------
    SiteResult

    Raises
    ------
    LineageError
        If ``out_dir`` is a file, a foreign non-empty directory, its parent does
        not exist, or writing fails.
    """
    from ..provenance.emergence import emergence_table

    target = Path(out_dir)
    _check_target(target)
    data = site_data(index)
    tree = _tree(index)
    tree_html, tree_kind, tree_note = tree
    rows = emergence_table(index)
    clean_stale(target, (".tmp", ".old"))
    temp = temp_path(target)
    try:
        temp.mkdir()
        (temp / "assets").mkdir()
        plot_problem = _plot(index, rows, temp)
        page = _page(index, data, tree, rows, plot_problem)
        _write_files(temp, data, page, tree_html if tree_kind == "svg" else None)
        os.chmod(temp, 0o777 & ~umask())
        _swap(temp, target)
    except OSError as exc:
        shutil.rmtree(temp, ignore_errors=True)
        msg = f"cannot write the site to '{target}': {exc.strerror or exc}"
        raise LineageError(msg) from None
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return SiteResult(
        directory=target,
        index_html=target / "index.html",
        tree=tree_kind,
        tree_note=tree_note,
        plot=plot_problem is None,
        models=len(index.facts.models),
        capabilities=len(index.facts.capabilities),
    )


#: The emergence plot on the page, where it could be drawn.
PLOT_FIGURE = (
    '<figure class="plot"><a href="emergence.svg"><img src="emergence.svg" '
    'alt="Plot: the training FLOPs at which each ability emerges, one row '
    'per ability; the same data is in the table below." '
    'width="100%" loading="lazy"></a><figcaption>Each ability at the '
    "training FLOPs where it emerges (log scale); labels are parameter "
    "counts. Open the picture for full size.</figcaption></figure>"
)


def _page(
    index: Index,
    data: dict[str, Any],
    tree: tuple[str, str, str | None],
    rows: list[Any],
    plot_problem: str | None,
) -> str:
    """``index.html``: the page template filled in."""
    tree_html, tree_kind, tree_note = tree
    counts = data["counts"]
    return string.Template(_asset("index.html")).substitute(
        title="Where did that capability come from? · lineage",
        generator=html.escape(data["generator"]),
        summary=html.escape(
            f"{counts['models']} models, {counts['capabilities']} capabilities, "
            f"{counts['claims']} cited claims from {counts['sources']} sources"
        ),
        tree=tree_html,
        tree_kind=tree_kind,
        tree_note=(
            f'<p class="note" role="note">{html.escape(tree_note)}</p>'
            if tree_note
            else ""
        ),
        plot=(
            PLOT_FIGURE
            if plot_problem is None
            else f'<p class="note">No plot: {html.escape(plot_problem)}.</p>'
        ),
        emergence_table=_emergence_html(index, rows),
        data=embed_json(data),
    )


def _write_files(
    temp: Path, data: dict[str, Any], page: str, tree_svg: str | None
) -> None:
    """The page, its data, the tree picture (if drawn), the assets and the marker."""
    (temp / "index.html").write_text(page, encoding="utf-8")
    (temp / "lineage.json").write_text(
        json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    if tree_svg is not None:
        (temp / "tree.svg").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n' + tree_svg + "\n",
            encoding="utf-8",
        )
    for name in ASSETS:
        (temp / "assets" / name).write_text(_asset(name), encoding="utf-8")
    (temp / MARKER).write_text(
        "Written by `lineage site`; the whole directory is replaced on the next run.\n",
        encoding="utf-8",
    )


def _swap(temp: Path, target: Path) -> None:
    """Put the finished ``temp`` at ``target``; the old site goes only afterwards.

    Concurrent builds take turns (a lock on the parent directory), so each one
    finds either no site or a complete one to move aside, and the last to
    finish wins.
    """
    old = temp_path(target, ".old")
    with _locked(target.parent):
        if target.exists():
            os.replace(target, old)
            try:
                os.replace(temp, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.replace(old, target)  # put the previous site back
                raise
        else:
            os.replace(temp, target)
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """An exclusive ``flock`` on ``directory`` (where flock exists; else no-op)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        yield
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
