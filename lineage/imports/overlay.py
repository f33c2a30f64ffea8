"""Writing an overlay: imported records as fact YAML, atomically and deterministically.

Every importer turns its input into plain records (dicts whose keys are the fact
schema's keys, in schema order) and hands them to an :class:`Overlay`. The overlay
writes them into one subfolder of the output directory named after the dataset
(``hf/``, ``epoch/``, ``ecosystem-graphs/``), so several imports can share one overlay
directory and a re-import replaces exactly what the previous import of that dataset
wrote. Nothing is visible until :meth:`Overlay.commit`: files are written into a
hidden temporary folder beside the target and swapped in with renames, so bad input
or a crash never leaves a half-written overlay.
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring as _quote  # C speedup
from pathlib import Path
from typing import IO, Any

from ..errors import LineageError, Problem, Severity
from ..facts.files import IMPORT_MARKER

__all__ = [
    "Crosswalk",
    "ImportFailed",
    "ImportReport",
    "Overlay",
    "Progress",
    "problem",
    "slugify",
    "yaml_record",
]

#: the marker file that says a folder was written by ``lineage import``
MARKER = IMPORT_MARKER
#: called with (records read so far, total if known) on long runs
Progress = Callable[[int, int | None], None]

_SLUG_BAD = re.compile(r"[^a-z0-9.-]")
#: characters YAML 1.1 treats as line breaks or refuses raw, escaped in strings
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


class ImportFailed(LineageError):  # noqa: N818 - reads as a sentence at call sites
    """The input has problems; nothing was written. ``problems`` lists all of them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: p.sort_key)
        noun = "problem" if len(self.problems) == 1 else "problems"
        super().__init__(f"{len(self.problems)} {noun} in the input; nothing written")


@dataclass
class ImportReport:
    """What an import read and wrote."""

    dataset: str
    output: str
    read: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    attached: dict[str, str] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def count(self, section: str, n: int = 1) -> None:
        self.counts[section] = self.counts.get(section, 0) + n


def problem(
    path: str, line: int, column: int, message: str, code: str, *, warning: bool = False
) -> Problem:
    """A problem in an input file, in the one error format."""
    severity = Severity.WARNING if warning else Severity.ERROR
    return Problem(path, line, column, severity, message, code)


def slugify(name: str) -> str:
    """A record id for an outside name: lowercase, ``/`` as ``--``, others as ``-``.

    Examples
    --------
    >>> slugify("meta-llama/Llama-2-7b_hf")
    'meta-llama--llama-2-7b-hf'
    >>> slugify("GPT-3 175B (davinci)")
    'gpt-3-175b--davinci-'
    """
    text = unicodedata.normalize("NFKC", name).strip().casefold()
    text = text.replace("/", "--").replace(" (", "--").replace(" ", "-")
    text = _SLUG_BAD.sub("-", text)
    if not text or not text[0].isalnum() or not text[0].isascii():
        text = "x" + text
    return text


def _scalar(value: Any) -> str:
    if type(value) is str:  # the common case first: most values are text
        text = _quote(value)
        if _YAML_UNSAFE.search(text) is None:
            return text
        return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if value == value and abs(value) != float("inf") else '""'
    return _scalar(str(value))


def _lines(key: str, value: Any, indent: str) -> Iterable[str]:
    if isinstance(value, Mapping):
        if not value:
            return
        yield f"{indent}{key}:"
        for k, v in value.items():
            yield f"{indent}  {_scalar(k)}: {_scalar(v)}"
    elif isinstance(value, (list, tuple)):
        if not value:
            return
        if all(not isinstance(v, Mapping) for v in value):
            yield f"{indent}{key}: [{', '.join(_scalar(v) for v in value)}]"
            return
        yield f"{indent}{key}:"
        for item in value:
            first = True
            for k, v in item.items():
                for line in _lines(k, v, indent + "    "):
                    yield (indent + "  - " + line.lstrip()) if first else line
                    first = False
    elif value is not None:
        yield f"{indent}{key}: {_scalar(value)}"


def yaml_record(record: Mapping[str, Any]) -> str:
    """One record as a YAML list item (keys in the order given; None values left out).

    Examples
    --------
    >>> print(yaml_record({"id": "a", "aliases": ["x"], "stub": True}), end="")
      - id: "a"
        aliases: ["x"]
        stub: true
    """
    out: list[str] = []
    for key, value in record.items():
        if type(value) is str:
            out.append(f"    {key}: {_scalar(value)}")
        elif value is not None:
            out.extend(_lines(key, value, "    "))
    if out:
        out[0] = "  - " + out[0].lstrip()
    return "\n".join(out) + "\n"


class Crosswalk:
    """The identifiers shipped records carry elsewhere, to attach imports to them.

    ``scheme`` names the outside dataset (``huggingface``, ``epoch``,
    ``ecosystem_graphs``); values match after folding case and surrounding space.
    """

    def __init__(self, ids: Mapping[tuple[str, str], str] | None = None) -> None:
        self._ids = {
            (s, v.strip().casefold()): rid for (s, v), rid in (ids or {}).items()
        }
        self.known: set[str] = set()
        #: the shipped facts (parents and dates of models), when read from a graph
        self.facts: Any = None

    @classmethod
    def from_graph(cls, directories: Sequence[str | os.PathLike[str]]) -> Crosswalk:
        """The crosswalk of the models in these fact directories (their external ids)."""
        from ..facts.loader import load_facts

        facts, _ = load_facts(directories)
        ids = {
            (scheme, value): model.id
            for model in facts.models.values()
            for scheme, value in model.external_ids
        }
        ids.update(
            {(i.scheme.value, i.value): i.model for i in facts.identifiers.values()}
        )
        walk = cls(ids)
        walk.known = set(facts.models) | set(facts.families)
        walk.facts = facts
        return walk

    def has_derivation(self, parent: str, child: str) -> bool:
        """Whether the shipped facts already derive ``child`` from ``parent``."""
        return self.facts is not None and any(
            d.parent == parent and d.child == child
            for d in self.facts.derivations.values()
        )

    def conflicts(
        self,
        child: str,
        parents: Sequence[str],
        date: str | None,
        side: Mapping[str, Any],
    ) -> list[dict[str, Any]]:
        """Conflict records where an import disagrees with the shipped facts.

        ``side`` is what the dataset says: ``{"source": ..., "name": ..., "evidence":
        [...]}``. A parent the shipped facts do not give a shipped child, or a date
        outside the shipped one's bounds, is a disagreement between sources: both
        sides are recorded, cited, and nothing is resolved.
        """
        facts = self.facts
        if facts is None or child not in facts.models:
            return []
        out = []
        shipped = [d for d in facts.derivations.values() if d.child == child]
        new = [p for p in parents if p not in {d.parent for d in shipped}]
        if shipped and new:
            out.append(
                _conflict(
                    f"{side['source']}-{child}-parent",
                    f"{child}'s parent",
                    child,
                    (
                        f"{side['name']} names {', '.join(new)} as what {child} was "
                        "built on",
                        [f"{p}--{child}" for p in new],
                        side["evidence"],
                    ),
                    (
                        f"the shipped facts derive {child} from "
                        f"{', '.join(sorted({d.parent for d in shipped}))}",
                        [d.id for d in shipped],
                        [_ev(e) for d in shipped for e in d.evidence],
                    ),
                )
            )
        model = facts.models[child]
        # only a release date answers the same question (a paper date does not)
        if date and model.released and not _overlap(date, model.released):
            out.append(
                _conflict(
                    f"{side['source']}-{child}-date",
                    f"{child}'s date",
                    child,
                    (f"{side['name']} dates {child} {date}", [], side["evidence"]),
                    (
                        f"the shipped facts date {child}'s release {model.released}",
                        [child],
                        [_ev(e) for e in model.evidence] or side["evidence"],
                    ),
                )
            )
        return out

    def find(self, scheme: str, value: str) -> str | None:
        """The shipped model id that ``value`` names in ``scheme``, if any."""
        return self._ids.get((scheme, value.strip().casefold()))

    def record_id(self, scheme: str, value: str, prefix: str) -> str:
        """The id an imported record gets: the shipped model's when the crosswalk
        names one, else a slug of ``value`` (prefixed when that slug is already a
        shipped id of something else, so an import never takes over a record).

        Examples
        --------
        >>> walk = Crosswalk({("epoch", "PaLM (540B)"): "palm-540b"})
        >>> walk.known = {"palm-540b", "palm"}
        >>> walk.record_id("epoch", "PaLM (540B)", "epoch")
        'palm-540b'
        >>> walk.record_id("epoch", "PaLM", "epoch")
        'epoch-palm'
        """
        found = self.find(scheme, value)
        if found is not None:
            return found
        slug = slugify(value)
        return f"{prefix}-{slug}" if slug in self.known else slug


class Overlay:
    """The records of one dataset's import, written under ``output/dataset/``."""

    def __init__(self, output: Path, dataset: str, header: str) -> None:
        self.output = output
        self.dataset = dataset
        self.header = header
        self.target = output / dataset
        if self.target.exists() and not (self.target / MARKER).is_file():
            msg = (
                f"{self.target}: exists and was not written by 'lineage import'; "
                "choose another output directory"
            )
            raise LineageError(msg)
        if self.target.is_symlink():
            msg = f"{self.target}: is a symbolic link; refusing to replace it"
            raise LineageError(msg)
        output.mkdir(parents=True, exist_ok=True)
        _remove_stale(output, dataset)
        self.temp = output / f".{dataset}.import-{os.getpid()}.tmp"
        shutil.rmtree(self.temp, ignore_errors=True)
        self.temp.mkdir()
        self._files: dict[str, IO[str]] = {}
        self.written: list[str] = []

    def add(self, stem: str, section: str, record: Mapping[str, Any]) -> None:
        """Append a record to the file ``<stem>.<section>.yaml`` of the dataset folder.

        One section per file keeps every file a valid fact file while records stream.
        """
        file = f"{stem}.{section}.yaml"
        handle = self._files.get(file)
        if handle is None:
            path = self.temp / file
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = path.open("w", encoding="utf-8", newline="\n")
            handle.write(
                f"# {self.header}\n# Written by 'lineage import'; edits are lost on the "
                f"next import of this dataset.\n{section}:\n"
            )
            self._files[file] = handle
            self.written.append(file)
        handle.write(yaml_record(record))

    def _close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files.clear()

    def finish(
        self,
        problems: Sequence[Problem],
        source: Mapping[str, Any],
        snapshot: str | None,
    ) -> list[str]:
        """Refuse if the input had errors, else add the dataset's source and commit.

        ``source`` is the dataset's source record without its year and snapshot,
        which come from ``snapshot`` (the date the input was taken).
        """
        if any(p.severity is Severity.ERROR for p in problems):
            raise ImportFailed(problems)
        if not snapshot:
            msg = "the input carries no dates: give the date it was taken with --snapshot YYYY-MM-DD"
            raise LineageError(msg)
        record = {**source, "year": int(snapshot[:4]), "kind": "documentation"}
        record["note"] = f"{source['note']} Snapshot {snapshot}."
        self.add("sources", "sources", record)
        return self.commit()

    def abort(self) -> None:
        """Forget everything written so far."""
        self._close()
        shutil.rmtree(self.temp, ignore_errors=True)

    def commit(self) -> list[str]:
        """Swap the new folder in for the old one; return the files written."""
        self._close()
        (self.temp / MARKER).write_text(f"{self.dataset}\n", encoding="utf-8")
        old = self.output / f".{self.dataset}.import-{os.getpid()}.old"
        if self.target.exists():
            os.replace(self.target, old)
        os.replace(self.temp, self.target)
        shutil.rmtree(old, ignore_errors=True)
        return sorted(str(self.target / f) for f in self.written)


def _ev(ev: Any) -> dict[str, str]:
    return {"source": ev.source, "locator": ev.locator, "note": ev.note}


def _overlap(a: str, b: str) -> bool:
    from ..facts.model import date_bounds

    (a0, a1), (b0, b1) = date_bounds(a), date_bounds(b)
    return a0 <= b1 and b0 <= a1


def _conflict(
    cid: str,
    topic: str,
    about: str,
    imported: tuple[str, list[str], list[dict[str, str]]],
    shipped: tuple[str, list[str], list[dict[str, str]]],
) -> dict[str, Any]:
    return {
        "id": slugify(cid),
        "topic": topic,
        "kind": "between-sources",
        "about": [about],
        "note": "Found by 'lineage import': the imported dataset and the shipped facts "
        "disagree; both are kept.",
        "sides": [
            {"says": says, "records": records, "evidence": evidence}
            for says, records, evidence in (imported, shipped)
        ],
    }


def _remove_stale(output: Path, dataset: str) -> None:
    """Remove temporary folders an interrupted import of this dataset left behind."""
    pattern = re.compile(rf"^\.{re.escape(dataset)}\.import-(\d+)\.(tmp|old)$")
    for entry in output.iterdir():
        match = pattern.match(entry.name)
        if match and not _alive(int(match.group(1))):
            shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
