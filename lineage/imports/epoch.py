"""Import Epoch AI's table of notable AI models (CSV, CC BY 4.0).

Each row becomes a model (name, organisation, publication date), its parameter
count and training compute become cited figures (so a disagreement with another
source shows up in ``lineage conflicts``), and its "Base model" becomes a
derivation of unspecified stage: Epoch records that a model was built on another,
not by which training step.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import Problem
from .overlay import (
    Crosswalk,
    ImportReport,
    Overlay,
    Progress,
    problem,
)

__all__ = ["REQUIRED_COLUMNS", "import_epoch"]

SOURCE_ID = "epoch-ai"
#: the source record of an import (year and snapshot added from the input)
SOURCE = {
    "id": SOURCE_ID,
    "title": "Notable AI Models",
    "authors": ["Epoch AI"],
    "url": "https://epoch.ai/data/notable-ai-models",
    "note": "Licensed CC BY 4.0; attribution: 'Data: Epoch AI (epoch.ai)'. Imported by "
    "'lineage import epoch'.",
}
REQUIRED_COLUMNS = ("Model", "Organization", "Publication date")
_NUMBERS = {  # column -> (figure property, unit)
    "Parameters": ("parameters", "parameters"),
    "Training compute (FLOP)": ("training_flops", "FLOPs"),
}
_NOTES = {
    "Parameters": "Parameters notes",
    "Training compute (FLOP)": "Training compute notes",
}
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
#: Python's csv refuses fields larger than this unless told; Epoch's notes stay far below
_FIELD_LIMIT = 1_000_000


def _rows(path: Path, problems: list[Problem]) -> Iterator[tuple[int, dict[str, str]]]:
    csv.field_size_limit(_FIELD_LIMIT)
    shown = str(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as err:
        problems.append(problem(shown, 1, 1, f"cannot read: {err}", "unreadable"))
        return
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except (StopIteration, csv.Error, UnicodeDecodeError):
            problems.append(problem(shown, 1, 1, "no header row", "bad-csv"))
            return
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            problems.append(
                problem(
                    shown, 1, 1, f"missing column(s): {', '.join(missing)}", "bad-csv"
                )
            )
            return
        line = reader.line_num + 1
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as err:
                problems.append(problem(shown, line, 1, f"bad CSV: {err}", "bad-csv"))
                return
            if len(values) != len(header):
                problems.append(
                    problem(
                        shown,
                        line,
                        1,
                        f"row has {len(values)} fields, the header {len(header)}",
                        "bad-csv",
                    )
                )
            else:
                yield line, dict(zip(header, values, strict=True))
            line = reader.line_num + 1


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) and value > 0 else None


def _clean(text: str) -> str:
    return " ".join(text.split())


def import_epoch(
    csv_path: Path,
    output: Path,
    *,
    crosswalk: Crosswalk | None = None,
    snapshot: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import Epoch AI's models CSV into ``output/epoch/``.

    ``snapshot`` (``YYYY-MM-DD``) is when the table was downloaded; it defaults to
    the newest publication date in it.

    Raises
    ------
    ImportFailed
        With every problem of the input; nothing is written.
    """
    crosswalk = crosswalk or Crosswalk()
    problems: list[Problem] = []
    report = ImportReport("epoch", str(output / "epoch"))
    overlay = Overlay(output, "epoch", "Epoch AI, Notable AI Models (CC BY 4.0)")
    rows = list(_rows(csv_path, problems))
    ids = _assign_ids(csv_path, rows, crosswalk, problems)
    try:
        newest = ""
        wanted: dict[str, tuple[str, str]] = {}
        for line, row in rows:
            report.read += 1
            if progress and report.read % 500 == 0:
                progress(report.read, len(rows))
            rid = ids.get(line)
            if rid is None:
                continue
            where = f"{csv_path}:{line}:1"
            name = _clean(row["Model"])
            _check_row(csv_path, line, row, problems)
            date = row["Publication date"].strip()
            newest = max(newest, date if _DATE.match(date) else "")
            _write_row(
                row, (line, where), rid, name, crosswalk, overlay, report, wanted
            )
        known = set(ids.values()) | crosswalk.known
        for parent in sorted(set(wanted) - known):
            base, where = wanted[parent]
            overlay.add("stubs", "models", _stub(parent, base, where))
            report.count("stubs")
        report.files = overlay.finish(problems, SOURCE, snapshot or newest)
    except BaseException:
        overlay.abort()
        raise
    report.warnings = problems
    return report


def _write_row(
    row: dict[str, str],
    at: tuple[int, str],
    rid: str,
    name: str,
    crosswalk: Crosswalk,
    overlay: Overlay,
    report: ImportReport,
    wanted: dict[str, tuple[str, str]],
) -> None:
    """One row's model, figures and derivation, and its conflicts with shipped facts."""
    line, where = at
    model = _model(row, rid, name, where, line)
    if rid in crosswalk.known:
        report.attached[name] = rid
    else:
        overlay.add("models", "models", model)
        report.count("models")
    for record in _figures(row, rid, name, line):
        overlay.add("figures", "figures", record)
        report.count("figures")
    base = _clean(row.get("Base model", ""))
    parents = []
    if base:
        parent = crosswalk.record_id("epoch", base, "epoch")
        parents.append(parent)
        wanted.setdefault(parent, (base, where))
        if not crosswalk.has_derivation(parent, rid):
            overlay.add(
                "derivations",
                "derivations",
                _derivation(parent, rid, name, base, where, line),
            )
            report.count("derivations")
    side = {"source": SOURCE_ID, "name": "Epoch AI", "evidence": model["evidence"]}
    for conflict in crosswalk.conflicts(rid, parents, model["released"], side):
        overlay.add("conflicts", "conflicts", conflict)
        report.count("conflicts")


def _assign_ids(
    path: Path,
    rows: list[tuple[int, dict[str, str]]],
    crosswalk: Crosswalk,
    problems: list[Problem],
) -> dict[int, str]:
    ids: dict[int, str] = {}
    seen: dict[str, tuple[str, int]] = {}
    for line, row in rows:
        name = _clean(row["Model"])
        if not name:
            problems.append(
                problem(str(path), line, 1, "empty 'Model' name", "bad-row")
            )
            continue
        rid = crosswalk.record_id("epoch", name, "epoch")
        if rid in seen:
            first, first_line = seen[rid]
            problems.append(
                problem(
                    str(path),
                    line,
                    1,
                    f"'{name}' and '{first}' (line {first_line}) both become id '{rid}'",
                    "duplicate-id",
                )
            )
            continue
        seen[rid] = (name, line)
        ids[line] = rid
    return ids


def _stub(parent: str, base: str, where: str) -> dict[str, Any]:
    return {
        "id": parent,
        "name": base,
        "external_ids": {"epoch": base},
        "stub": True,
        "imported_from": where,
    }


def _check_row(
    path: Path, line: int, row: dict[str, str], problems: list[Problem]
) -> None:
    raw = row["Model"]
    if raw != raw.strip():
        problems.append(
            problem(
                str(path),
                line,
                1,
                f"model name {raw!r} has surrounding whitespace (imported as {_clean(raw)!r})",
                "untidy-value",
                warning=True,
            )
        )
    date = row["Publication date"].strip()
    if date and not _DATE.match(date):
        problems.append(
            problem(
                str(path),
                line,
                1,
                f"publication date {date!r} is not YYYY-MM-DD",
                "bad-date",
                warning=True,
            )
        )


def _model(
    row: dict[str, str], rid: str, name: str, where: str, line: int
) -> dict[str, Any]:
    date = row["Publication date"].strip()
    link = row.get("Link", "").strip()
    return {
        "id": rid,
        "name": name,
        "organization": _clean(row["Organization"]) or None,
        "released": date if _DATE.match(date) else None,
        "description": _clean(row.get("Reference", "")) or None,
        "external_ids": {"epoch": name},
        "imported_from": where,
        "evidence": [
            {
                "source": SOURCE_ID,
                "locator": f"row '{name}' (line {line}), columns Model, Organization, Publication date",
                "note": f"{name}, {_clean(row['Organization']) or 'organisation not given'}, "
                f"published {date or 'date not given'}" + (f"; {link}" if link else ""),
            }
        ],
    }


def _figures(
    row: dict[str, str], rid: str, name: str, line: int
) -> Iterator[dict[str, Any]]:
    for column, (prop, unit) in _NUMBERS.items():
        value = _number(row.get(column, ""))
        if value is None:
            continue
        note = _clean(row.get(_NOTES[column], ""))
        confidence = _clean(row.get("Confidence", ""))
        if prop == "training_flops" and confidence:
            note = f"Epoch's confidence: {confidence}" + (f". {note}" if note else "")
        yield {
            "id": f"epoch-{rid}-{prop.replace('_', '-')}",
            "subject": rid,
            "property": prop,
            "value": int(value) if value.is_integer() and value < 2**63 else value,
            "unit": unit,
            "source": SOURCE_ID,
            "locator": f"row '{name}' (line {line}), column '{column}'",
            "note": note or None,
        }


def _derivation(
    parent: str, rid: str, name: str, base: str, where: str, line: int
) -> dict[str, Any]:
    return {
        "parent": parent,
        "child": rid,
        "stage": "unspecified",
        "confidence": "established",
        "imported_from": where,
        "evidence": [
            {
                "source": SOURCE_ID,
                "locator": f"row '{name}' (line {line}), column 'Base model'",
                "note": f"Base model: {base}",
            }
        ],
    }
