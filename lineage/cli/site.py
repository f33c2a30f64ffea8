"""``lineage site``: write the offline web explorer (one HTML page and its assets).

Imported only when the command runs (see ``LAZY_COMMANDS`` in :mod:`lineage.cli`);
the page is built by :mod:`lineage.outputs.site`.
"""

from __future__ import annotations

import click

from .commands import graph_option, handle_errors
from .console import load


@click.command()
@click.option(
    "-o",
    "--output",
    "output",
    metavar="DIR",
    required=True,
    help="Directory to write (created; a site written here before is replaced).",
)
@graph_option
@handle_errors
def site(output: str, graph_dirs: tuple[str, ...]) -> None:
    """Write a static web page to browse the tree and ask where capabilities came from.

    DIR gets index.html with the evolution tree, a search box (names and
    aliases, as in `lineage why`), a card for each capability and model
    (origin, stage, confidence, evidence, lineage path, what was lost
    downstream) and the emergence plot and table. It needs no server and no
    network: open index.html from disk or copy DIR to any static host. The data
    is the JSON of `lineage why --json` and `lineage show --json`.

    \b
    Example:
        lineage site -o site
        xdg-open site/index.html
    """
    from ..outputs.site import build_site

    result = build_site(load(graph_dirs), output)
    if result.tree_note:
        click.echo(f"note: {result.tree_note}", err=True)
    click.echo(str(result.index_html))
