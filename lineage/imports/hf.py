"""Import the Hugging Face Hub's model tree from model-card metadata.

Two inputs, in any mix: a folder of model cards (``<org>/<name>/README.md``, the
YAML front matter between the first two ``---`` lines) and JSONL dumps of hub model
metadata as ``huggingface_hub`` returns it (one ``ModelInfo`` per line: ``id``,
``author``, ``createdAt``/``created_at``, ``cardData``/``card_data``, ``tags``).
``base_model`` gives the parents (a list is a merge) and ``base_model_relation`` the
stage (see graph/stages.yaml for the mapping); a parent that no input describes
becomes a stub model, which ``lineage check`` reports.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem
from .overlay import (
    Crosswalk,
    ImportReport,
    Overlay,
    Progress,
    problem,
)

__all__ = ["RELATIONS", "import_hf"]

#: base_model_relation -> our stage
RELATIONS = {
    "finetune": "fine_tuning",
    "adapter": "adapter_training",
    "quantized": "quantization",
    "merge": "merging",
}
SOURCE_ID = "hf-hub"
#: the source record of an import (year and snapshot added from the input)
SOURCE = {
    "id": SOURCE_ID,
    "title": "Hugging Face Hub model-card metadata",
    "authors": ["the models' authors on the Hugging Face Hub"],
    "url": "https://huggingface.co/",
    "note": "Imported by 'lineage import hf'; base_model and base_model_relation as "
    "defined by hf-hub-model-cards.",
}
_HUB = "https://huggingface.co/"
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_TAG = re.compile(r"^base_model:(?:(adapter|merge|quantized|finetune):)?(.+)$")
#: front matter larger than this is not model-card metadata
MAX_CARD_BYTES = 1_000_000


@dataclass
class _Card:
    """One model's metadata, wherever it came from."""

    hub_id: str
    where: tuple[str, int, int]
    base_at: tuple[str, int, int]
    meta: dict[str, Any]
    author: str | None = None
    created: str | None = None
    tags: tuple[str, ...] = ()


def _front_matter(
    path: Path, shown: str, problems: list[Problem]
) -> tuple[Any, dict[str, int]] | None:
    if not path.is_file() or path.stat().st_size > MAX_CARD_BYTES:
        problems.append(
            problem(shown, 1, 1, "not a regular file of at most 1 MB", "not-a-file")
        )
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        problems.append(problem(shown, 1, 1, f"cannot read: {err}", "unreadable"))
        return None
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, {}
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        problems.append(
            problem(
                shown,
                1,
                1,
                "front matter opened with '---' is never closed",
                "bad-card",
            )
        )
        return None
    block = "\n".join(lines[1:end])
    try:
        node = yaml.compose(block, Loader=yaml.SafeLoader)
        data = yaml.safe_load(block)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 2 if mark else 2
        col = mark.column + 1 if mark else 1
        reason = getattr(err, "problem", None) or str(err)
        problems.append(
            problem(shown, line, col, f"bad YAML in front matter: {reason}", "bad-card")
        )
        return None
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        problems.append(
            problem(shown, 2, 1, "front matter must be a mapping", "bad-card")
        )
        return None
    lines_of = {
        str(k.value): k.start_mark.line + 2
        for k, _ in (node.value if isinstance(node, yaml.MappingNode) else [])
    }
    return data, lines_of


def _cards_in(folder: Path, problems: list[Problem]) -> Iterator[_Card]:
    for path in sorted(folder.rglob("README.md")):
        rel = path.relative_to(folder)
        hub_id = "/".join(rel.parts[:-1])
        shown = str(path)
        if not hub_id:
            problems.append(
                problem(
                    shown, 1, 1, "a card must sit in <org>/<name>/README.md", "bad-card"
                )
            )
            continue
        found = _front_matter(path, shown, problems)
        if found is None:
            continue
        data, lines_of = found
        line = lines_of.get("base_model", 1)
        yield _Card(hub_id, (shown, 1, 1), (shown, line, 1), data)


def _rows_in(path: Path, problems: list[Problem]) -> Iterator[_Card]:
    shown = str(path)
    try:
        handle = path.open(encoding="utf-8")
    except OSError as err:
        problems.append(problem(shown, 1, 1, f"cannot read: {err}", "unreadable"))
        return
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as err:
                problems.append(
                    problem(shown, number, 1, f"not a JSON object: {err}", "bad-row")
                )
                continue
            if not isinstance(row, dict) or not isinstance(
                row.get("id") or row.get("modelId"), str
            ):
                problems.append(
                    problem(shown, number, 1, "a row needs a string 'id'", "bad-row")
                )
                continue
            meta = row.get("cardData") or row.get("card_data") or {}
            if not isinstance(meta, dict):
                problems.append(
                    problem(shown, number, 1, "'cardData' must be an object", "bad-row")
                )
                continue
            created = row.get("createdAt") or row.get("created_at")
            tags = row.get("tags") or ()
            yield _Card(
                row.get("id") or row["modelId"],
                (shown, number, 1),
                (shown, number, 1),
                meta,
                author=row.get("author")
                if isinstance(row.get("author"), str)
                else None,
                created=created if isinstance(created, str) else None,
                tags=tuple(t for t in tags if isinstance(t, str)),
            )


def _parents(card: _Card, problems: list[Problem]) -> tuple[list[str], str | None]:
    """The parent hub ids and the relation (None when the card gives none)."""
    base = card.meta.get("base_model")
    relation = card.meta.get("base_model_relation")
    parents: list[str] = []
    if isinstance(base, str):
        parents = [base]
    elif isinstance(base, list):
        parents = [b for b in base if isinstance(b, str)]
    elif base is not None:
        path, line, col = card.base_at
        problems.append(
            problem(
                path,
                line,
                col,
                "'base_model' must be a model id or a list of ids",
                "bad-card",
            )
        )
    if not parents:  # the Hub also states the tree in tags: base_model:<relation>:<id>
        for tag in card.tags:
            match = _TAG.match(tag)
            if match and match.group(1):
                relation = relation or match.group(1)
                parents.append(match.group(2))
    parents = list(dict.fromkeys(p.strip() for p in parents if p.strip()))
    if relation is not None and relation not in RELATIONS:
        path, line, col = card.base_at
        problems.append(
            problem(
                path,
                line,
                col,
                f"unknown base_model_relation '{relation}'; expected one of {', '.join(RELATIONS)}",
                "unknown-relation",
            )
        )
        relation = None
    if relation is None and len(parents) > 1:
        relation = "merge"
    return parents, relation


def _license(card: _Card) -> str | None:
    value = card.meta.get("license")
    if isinstance(value, str) and value.strip():
        return value.strip()
    for tag in card.tags:
        if tag.startswith("license:"):
            return tag.partition(":")[2]
    return None


class _Ids:
    """Hub ids -> record ids, attached to shipped models where the crosswalk knows them."""

    def __init__(self, crosswalk: Crosswalk) -> None:
        self.crosswalk = crosswalk
        self.seen: dict[str, tuple[str, str]] = {}  # slug -> (hub id, where)

    def of(self, hub_id: str) -> str:
        return self.crosswalk.record_id("huggingface", hub_id, "hf")

    def claim(
        self, hub_id: str, where: tuple[str, int, int], problems: list[Problem]
    ) -> str | None:
        rid = self.of(hub_id)
        first = self.seen.get(rid)
        shown = f"{where[0]}:{where[1]}"
        if first is not None:
            same = first[0] == hub_id
            what = (
                f"model '{hub_id}' appears twice"
                if same
                else (f"'{hub_id}' and '{first[0]}' both become id '{rid}'")
            )
            problems.append(
                problem(*where, f"{what} (first at {first[1]})", "duplicate-id")
            )
            return None
        self.seen[rid] = (hub_id, shown)
        return rid


def _model_record(card: _Card, rid: str, report: ImportReport) -> dict[str, Any]:
    created = card.created or card.meta.get("created_at")
    match = _DATE.match(created) if isinstance(created, str) else None
    url = _HUB + card.hub_id
    return {
        "id": rid,
        "name": card.hub_id,
        "organization": card.author
        or (card.hub_id.split("/")[0] if "/" in card.hub_id else None),
        "released": match.group(1) if match else None,
        "license": _license(card),
        "external_ids": {"huggingface": card.hub_id},
        "imported_from": "{}:{}:{}".format(*card.where),
        "evidence": [
            {
                "source": SOURCE_ID,
                "locator": f"model card metadata ({url})",
                "note": "Hub model listed in the input"
                + (f"; created {match.group(1)}" if match else ""),
            }
        ],
    }


def _derivation_records(
    card: _Card, rid: str, parents: list[tuple[str, str]], relation: str | None
) -> Iterator[dict[str, Any]]:
    stage = RELATIONS[relation] if relation else "unspecified"
    said = f"base_model: {', '.join(h for h, _ in parents)}" + (
        f"; base_model_relation: {relation}" if relation else "; no base_model_relation"
    )
    for _, parent in parents:
        yield {
            "parent": parent,
            "child": rid,
            "stage": stage,
            "confidence": "established",
            "note": None
            if relation
            else (
                "The card names a base model but not the relation; the Hub would show "
                "it as a finetune, we record the stage as unspecified."
            ),
            "imported_from": "{}:{}:{}".format(*card.base_at),
            "evidence": [
                {
                    "source": SOURCE_ID,
                    "locator": f"model card metadata: base_model ({_HUB}{card.hub_id})",
                    "note": said,
                }
            ],
        }


def der_evidence(card: _Card) -> list[dict[str, str]]:
    """What the card says about its base model, as evidence."""
    base = card.meta.get("base_model")
    return [
        {
            "source": SOURCE_ID,
            "locator": f"model card metadata: base_model ({_HUB}{card.hub_id})",
            "note": f"base_model: {base}",
        }
    ]


def _shard(rid: str) -> str:
    """Records are spread over files by their id's first character."""
    first = rid[0]
    return first if first.isalnum() else "_"


def _inputs(paths: Sequence[Path], problems: list[Problem]) -> Iterator[_Card]:
    for path in paths:
        if path.is_dir():
            yield from _cards_in(path, problems)
        elif path.suffix in (".jsonl", ".json", ".ndjson") and path.is_file():
            yield from _rows_in(path, problems)
        else:
            problems.append(
                problem(
                    str(path),
                    1,
                    1,
                    "expected a folder of model cards or a .jsonl file",
                    "bad-input",
                )
            )


def import_hf(
    inputs: Sequence[Path],
    output: Path,
    *,
    crosswalk: Crosswalk | None = None,
    snapshot: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import Hub model metadata from card folders and JSONL dumps into ``output/hf/``.

    Parameters
    ----------
    inputs
        Folders of ``<org>/<name>/README.md`` cards and ``.jsonl`` files.
    output
        The overlay directory (load it with ``--graph graph --graph OUTPUT``).
    crosswalk
        Identifiers of shipped models: a hub id found there attaches to that model.
    snapshot
        ``YYYY-MM-DD`` the input was taken; defaults to its newest date.
    progress
        Called now and then with the number of models read.

    Raises
    ------
    ImportFailed
        With every problem of the input; nothing is written.
    """
    crosswalk = crosswalk or Crosswalk()
    problems: list[Problem] = []
    report = ImportReport("hf", str(output / "hf"))
    overlay = Overlay(output, "hf", "Hugging Face Hub model-card metadata")
    try:
        newest = _write_models(inputs, overlay, crosswalk, problems, report, progress)
        report.files = overlay.finish(problems, SOURCE, snapshot or newest)
    except BaseException:
        overlay.abort()
        raise
    report.warnings = problems
    return report


def _write_models(
    inputs: Sequence[Path],
    overlay: Overlay,
    crosswalk: Crosswalk,
    problems: list[Problem],
    report: ImportReport,
    progress: Progress | None,
) -> str | None:
    ids = _Ids(crosswalk)
    wanted: dict[str, tuple[str, str]] = {}  # parent id -> (hub id, where)
    newest: str | None = None
    for card in _inputs(inputs, problems):
        report.read += 1
        if progress and report.read % 50_000 == 0:
            progress(report.read, None)
        rid = ids.claim(card.hub_id, card.where, problems)
        if rid is None:
            continue
        parents, relation = _parents(card, problems)
        record = _model_record(card, rid, report)
        if record["released"] and (newest is None or record["released"] > newest):
            newest = record["released"]
        if rid in crosswalk.known:
            report.attached[card.hub_id] = rid
        else:
            overlay.add(_shard(rid), "models", record)
            report.count("models")
        linked = [(p, ids.of(p)) for p in parents]
        for hub_parent, parent in linked:
            wanted.setdefault(parent, (hub_parent, "{}:{}:{}".format(*card.base_at)))
        for der in _derivation_records(card, rid, linked, relation):
            if not crosswalk.has_derivation(der["parent"], rid):
                overlay.add(_shard(rid), "derivations", der)
                report.count("derivations")
        side = {
            "source": SOURCE_ID,
            "name": "The model card",
            "evidence": der_evidence(card),
        }
        for conflict in crosswalk.conflicts(rid, [p for _, p in linked], None, side):
            overlay.add("conflicts", "conflicts", conflict)
            report.count("conflicts")
    _write_stubs(overlay, wanted, ids, crosswalk, report)
    return newest


def _write_stubs(
    overlay: Overlay,
    wanted: dict[str, tuple[str, str]],
    ids: _Ids,
    crosswalk: Crosswalk,
    report: ImportReport,
) -> None:
    for parent in sorted(wanted):
        if parent in ids.seen or parent in crosswalk.known:
            continue
        hub_id, where = wanted[parent]
        overlay.add(
            "stubs",
            "models",
            {
                "id": parent,
                "name": hub_id,
                "external_ids": {"huggingface": hub_id},
                "stub": True,
                "imported_from": where,
            },
        )
        report.count("stubs")
