"""``lineage export``'s body, without click.

The click command (:mod:`lineage.cli.rdf`) and the quick dispatcher
(:mod:`lineage.cli.quick`, for the streamed formats) both call :func:`export`, so
an export writes the same bytes and messages whichever parsed its arguments.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from .console import echo, load

if TYPE_CHECKING:
    from ..store.index import Index


def export(
    output: str | None, fmt: str | None, base: str | None, graph_dirs: tuple[str, ...]
) -> None:
    """Export the facts to ``output`` (None or ``-``: standard output) as ``fmt``
    (None: from the suffix of ``output``; Turtle on standard output)."""
    from ..outputs.export import STREAMED, export_chunks, format_for, write_streamed

    base_iri = base_of(base)
    index = load(graph_dirs)
    if output == "-":
        output = None
    if fmt == "nanopub":
        _export_nanopub(index, output, base_iri)
        return
    name = format_for(output, fmt)
    if output is None:
        if name in STREAMED:
            for text, _ in export_chunks(index, name, base_iri):
                sys.stdout.write(text)
            return
        from ..outputs.rdf import serialize, to_rdf

        sys.stdout.write(serialize(to_rdf(index, base_iri), name))
        return
    if name in STREAMED:
        count = write_streamed(index, output, name, base_iri)
    else:
        from ..outputs.rdf import write_rdf

        count = write_rdf(index, output, name, base_iri)
    echo(f"wrote {output} ({count} triples, {name})", err=True)


def base_of(base: str | None) -> str:
    """``--base``: checked, or the default base of the record IRIs."""
    from ..outputs.ntriples import DEFAULT_BASE, check_base

    return check_base(base) if base else DEFAULT_BASE


def _export_nanopub(index: Index, output: str | None, base_iri: str) -> None:
    from ..outputs.nanopub import nanopub_chunks
    from ..outputs.ntriples import write_chunks

    chunks = nanopub_chunks(index, base_iri)
    if output is None:
        for text, _ in chunks:
            sys.stdout.write(text)
        return
    count = write_chunks(chunks, output)
    echo(f"wrote {output} ({count} nanopublications, nanopub)", err=True)
