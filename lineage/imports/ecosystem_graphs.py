"""Import Stanford CRFM's Ecosystem Graphs (``assets/*.yaml``).

Every asset is a mapping with a ``type`` (model, dataset, application) and a
free-text ``name`` that other assets' ``dependencies`` refer to. Models become
models; datasets and applications become assets. A model's dependency on another
model becomes a derivation of stage ``unspecified`` (Ecosystem Graphs does not say
how one model was built from another; nothing is inferred); a dependency on a
dataset becomes ``trained_on``. ``{value, explanation}`` fields keep their
explanation (with its inline citations) as the evidence note. Every record keeps
``imported_from``, its position in the original asset file, so ``lineage check``
reports dangling references, dependencies dated after their dependants and empty
fields there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import LineageError, Problem
from .overlay import (
    Crosswalk,
    ImportReport,
    Overlay,
    Progress,
    problem,
)

__all__ = ["import_ecosystem_graphs"]

SOURCE_ID = "ecosystem-graphs"
#: the source record of an import (year and snapshot added from the input)
SOURCE = {
    "id": SOURCE_ID,
    "title": "Ecosystem Graphs",
    "authors": ["Stanford Center for Research on Foundation Models"],
    "url": "https://crfm.stanford.edu/ecosystem-graphs/",
    "note": "Asset YAML of the stanford-crfm/ecosystem-graphs repository (the repository "
    "states no licence); imported by 'lineage import ecosystem-graphs'.",
}
KINDS = ("model", "dataset", "application")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
#: fields whose emptiness ``check`` reports (the ones a lineage reader needs)
REPORTED_FIELDS = (
    "organization",
    "description",
    "created_date",
    "url",
    "license",
    "dependencies",
)
MAX_FILE_BYTES = 20_000_000


@dataclass
class _Asset:
    """One asset with the positions of its fields in the asset file."""

    path: str
    line: int
    column: int
    values: dict[str, Any]
    at: dict[str, tuple[int, int]]
    deps_at: list[tuple[int, int]] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"

    def pos(self, key: str) -> str:
        line, column = self.at.get(key, (self.line, self.column))
        return f"{self.path}:{line}:{column}"

    def text(self, key: str) -> tuple[str | None, str | None]:
        """``(value, explanation)`` of a plain or ``{value, explanation}`` field."""
        raw = self.values.get(key)
        if isinstance(raw, dict):
            value, expl = raw.get("value"), raw.get("explanation")
            return _str(value), _str(expl)
        return _str(raw), None


def _str(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _read(path: Path, problems: list[Problem]) -> Iterator[_Asset]:
    shown = str(path)
    if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
        problems.append(
            problem(shown, 1, 1, "not a regular file of at most 20 MB", "not-a-file")
        )
        return
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError) as err:
        problems.append(problem(shown, 1, 1, f"cannot read: {err}", "unreadable"))
        return
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = getattr(err, "problem", None) or str(err)
        problems.append(problem(shown, line, col, f"bad YAML: {reason}", "bad-yaml"))
        return
    if root is None:
        return
    if not isinstance(root, yaml.SequenceNode):
        problems.append(
            problem(shown, 1, 1, "an asset file must be a list of assets", "bad-asset")
        )
        return
    for node in root.value:
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        if not isinstance(node, yaml.MappingNode):
            problems.append(
                problem(shown, line, col, "an asset must be a mapping", "bad-asset")
            )
            continue
        yield _asset(shown, node)


def _asset(shown: str, node: yaml.MappingNode) -> _Asset:
    values: dict[str, Any] = {}
    at: dict[str, tuple[int, int]] = {}
    deps_at: list[tuple[int, int]] = []
    constructor = yaml.SafeLoader("")
    for key_node, value_node in node.value:
        key = str(key_node.value)
        at[key] = (value_node.start_mark.line + 1, value_node.start_mark.column + 1)
        values[key] = constructor.construct_object(value_node, deep=True)
        if key == "dependencies" and isinstance(value_node, yaml.SequenceNode):
            deps_at = [
                (n.start_mark.line + 1, n.start_mark.column + 1)
                for n in value_node.value
            ]
    constructor.dispose()
    return _Asset(
        shown, node.start_mark.line + 1, node.start_mark.column + 1, values, at, deps_at
    )


def _files(folder: Path) -> list[Path]:
    if folder.is_file():
        return [folder]
    assets = folder / "assets" if (folder / "assets").is_dir() else folder
    return sorted([*assets.glob("*.yaml"), *assets.glob("*.yml")])


def import_ecosystem_graphs(
    folder: Path,
    output: Path,
    *,
    crosswalk: Crosswalk | None = None,
    snapshot: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import an Ecosystem Graphs checkout (or its ``assets/`` folder) into
    ``output/ecosystem-graphs/``.

    Raises
    ------
    ImportFailed
        With every problem of the input; nothing is written.
    """
    crosswalk = crosswalk or Crosswalk()
    problems: list[Problem] = []
    report = ImportReport("ecosystem-graphs", str(output / "ecosystem-graphs"))
    files = _files(folder)
    if not files:
        msg = f"{folder}: no asset files (*.yaml) found here or in its assets/ folder"
        raise LineageError(msg)
    assets = [a for path in files for a in _read(path, problems)]
    ids = _assign(assets, crosswalk, problems)
    overlay = Overlay(
        output, "ecosystem-graphs", "Stanford CRFM Ecosystem Graphs assets"
    )
    try:
        newest = ""
        for number, asset in enumerate(assets, 1):
            report.read += 1
            if progress and number % 200 == 0:
                progress(number, len(assets))
            rid = ids.get(id(asset))
            if rid is None:
                continue
            created, _ = asset.text("created_date")
            if created and _DATE.match(created):
                newest = max(newest, created)
            _write_asset(asset, rid, ids, crosswalk, overlay, report)
        report.files = overlay.finish(problems, SOURCE, snapshot or newest)
    except BaseException:
        overlay.abort()
        raise
    report.warnings = problems
    return report


def _assign(
    assets: list[_Asset], crosswalk: Crosswalk, problems: list[Problem]
) -> dict[int, str]:
    """Record ids by asset, and ``name -> id`` under the key ``"names"``."""
    ids: dict[Any, Any] = {}
    names: dict[str, str] = {}
    kinds: dict[str, str] = {}
    display: dict[str, str] = {}
    seen: dict[str, _Asset] = {}
    for asset in assets:
        name, _ = asset.text("name")
        kind, _ = asset.text("type")
        if not name:
            problems.append(
                problem(
                    asset.path,
                    asset.line,
                    asset.column,
                    "asset without a 'name'",
                    "bad-asset",
                )
            )
            continue
        if kind not in KINDS:
            line, col = asset.at.get("type", (asset.line, asset.column))
            problems.append(
                problem(
                    asset.path,
                    line,
                    col,
                    f"unknown asset type {kind!r}; expected one of {', '.join(KINDS)}",
                    "bad-asset",
                )
            )
            continue
        rid = crosswalk.record_id("ecosystem_graphs", name, "eg")
        if rid in seen:
            problems.append(_collision(asset, name, rid, seen[rid]))
            continue
        seen[rid] = asset
        ids[id(asset)] = rid
        names[name.casefold()] = rid
        kinds[rid] = kind
        display[rid] = name
    ids["names"] = names
    ids["kinds"] = kinds
    ids["display"] = display
    return ids


def _collision(asset: _Asset, name: str, rid: str, first: _Asset) -> Problem:
    first_name = first.text("name")[0]
    if first_name == name:  # the dataset repeats a name: keep the first
        return problem(
            asset.path,
            asset.line,
            asset.column,
            f"asset name '{name}' is used again (first at {first.where}); dependencies "
            "on it are ambiguous; this one is skipped",
            "duplicate-name",
            warning=True,
        )
    return problem(
        asset.path,
        asset.line,
        asset.column,
        f"asset '{name}' becomes id '{rid}', as does '{first_name}' ({first.where})",
        "duplicate-id",
    )


def _evidence(asset: _Asset, name: str) -> list[dict[str, str]]:
    out = []
    for key in ("description", "created_date", "license", "size", "dependencies"):
        value, expl = asset.text(key)
        if key == "dependencies":
            deps = asset.values.get("dependencies")
            value = (
                ", ".join(str(d) for d in deps)
                if isinstance(deps, list) and deps
                else None
            )
        if not value:
            continue
        note = f"{key}: {value}" + (f" ({expl})" if expl else "")
        out.append(
            {
                "source": SOURCE_ID,
                "locator": f"{Path(asset.path).name}, asset '{name}', field {key} "
                f"(line {asset.at.get(key, (asset.line, 0))[0]})",
                "note": note,
            }
        )
    if not out:
        out.append(
            {
                "source": SOURCE_ID,
                "locator": f"{Path(asset.path).name}, asset '{name}'",
                "note": f"asset '{name}' listed with no description, date, licence or dependencies",
            }
        )
    return out


def _is_empty(raw: Any) -> bool:
    value = raw.get("value") if isinstance(raw, dict) else raw
    if isinstance(value, str):
        return not value.strip()
    return value is None  # an empty list says "none", which is information


def _gaps(asset: _Asset) -> list[str]:
    """The reported fields that are empty or missing, as ``field@line:col``."""
    out = []
    for key in REPORTED_FIELDS:
        if _is_empty(asset.values.get(key)):
            line, column = asset.at.get(key, (asset.line, asset.column))
            out.append(f"{key}@{line}:{column}")
    return out


def _dependencies(
    asset: _Asset, ids: dict[Any, Any]
) -> tuple[list[tuple[str, str]], list[str]]:
    """``([(dependency id, position)], [unresolved name@line:col])``."""
    deps = asset.values.get("dependencies")
    found: list[tuple[str, str]] = []
    missing: list[str] = []
    if not isinstance(deps, list):
        return found, missing
    for index, dep in enumerate(deps):
        line, col = (
            asset.deps_at[index]
            if index < len(asset.deps_at)
            else (asset.line, asset.column)
        )
        rid = ids["names"].get(str(dep).strip().casefold())
        if rid is None:
            missing.append(f"{dep}@{line}:{col}")
        else:
            found.append((rid, f"{asset.path}:{line}:{col}"))
    return found, missing


def _write_asset(
    asset: _Asset,
    rid: str,
    ids: dict[Any, Any],
    crosswalk: Crosswalk,
    overlay: Overlay,
    report: ImportReport,
) -> None:
    """Add the asset's record to the overlay: a model (unless the crosswalk
    attaches it to a shipped one) with its derivations and conflicts, or another
    kind of asset."""
    name = asset.text("name")[0] or rid
    created, _ = asset.text("created_date")
    date = created if created and _DATE.match(created) else None
    deps, missing = _dependencies(asset, ids)
    file = Path(asset.path).stem
    common = _common_fields(asset, name, missing)
    if ids["kinds"][rid] != "model":
        record = {
            "id": rid,
            "name": name,
            "kind": ids["kinds"][rid],
            "created": date,
            "url": asset.text("url")[0],
            **common,
            "dependencies": [d for d, _ in deps],
        }
        overlay.add(file, "assets", record)
        report.count("assets")
        return
    model_deps = [(d, w) for d, w in deps if ids["kinds"].get(d) == "model"]
    data_deps = [d for d, _ in deps if ids["kinds"].get(d) != "model"]
    if rid in crosswalk.known:
        report.attached[name] = rid
    else:
        model = {"id": rid, "name": name, "released": date, **common}
        overlay.add(file, "models", {**model, "trained_on": data_deps})
        report.count("models")
    written = []
    for parent, where in model_deps:
        derivation = _derivation(parent, rid, name, file, where, ids)
        written.append(derivation)
        if not crosswalk.has_derivation(parent, rid):
            overlay.add(file, "derivations", derivation)
            report.count("derivations")
    side = {
        "source": SOURCE_ID,
        "name": "Ecosystem Graphs",
        "evidence": [e for d in written for e in d["evidence"]]
        or [e for e in common["evidence"] if "created_date" in e["locator"]]
        or common["evidence"],
    }
    for conflict in crosswalk.conflicts(rid, [d for d, _ in model_deps], date, side):
        overlay.add("conflicts", "conflicts", conflict)
        report.count("conflicts")


def _common_fields(asset: _Asset, name: str, missing: list[str]) -> dict[str, Any]:
    """The fields every imported record has, model or not."""
    return {
        "organization": asset.text("organization")[0],
        "description": asset.text("description")[0],
        "license": asset.text("license")[0],
        "external_ids": {"ecosystem_graphs": name},
        "imported_from": asset.where,
        "empty_fields": _gaps(asset),
        "unresolved_dependencies": missing,
        "evidence": _evidence(asset, name),
    }


def _derivation(
    parent: str, rid: str, name: str, file: str, where: str, ids: dict[Any, Any]
) -> dict[str, Any]:
    line = where.split(":")[-2]
    return {
        "parent": parent,
        "child": rid,
        "stage": "unspecified",
        "confidence": "established",
        "note": "Ecosystem Graphs lists the parent as a dependency without saying "
        "how the model was built from it.",
        "imported_from": where,
        "evidence": [
            {
                "source": SOURCE_ID,
                "locator": f"{file}.yaml, asset '{name}', field dependencies (line {line})",
                "note": f"dependencies of '{name}' include "
                f"'{ids['display'].get(parent, parent)}'",
            }
        ],
    }
