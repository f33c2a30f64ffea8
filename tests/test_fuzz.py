"""Property-based tests: no input, however odd, ends in a traceback.

Random fact files and random command lines must end with exit 0, 1 or 2 and, when
not 0, an error message on stderr. Random valid DAGs must give consistent answers.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lineage.cli import cli

MINI = str(Path(__file__).parent / "data" / "mini")
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**12),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(
        ["davinci", "rlhf", "gained", "cot", "likely", "2022-03", "s", "m"]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "name",
                    "kind",
                    "model",
                    "capability",
                    "effect",
                    "stage",
                    "confidence",
                    "evidence",
                    "source",
                    "parent",
                    "child",
                    "x",
                ]
            ),
            inner,
            max_size=6,
        ),
    ),
    max_leaves=20,
)
sections = st.sampled_from(
    [
        "sources",
        "stages",
        "capabilities",
        "families",
        "models",
        "derivations",
        "claims",
        "figures",
        "emergence",
        "bogus",
    ]
)
documents = st.one_of(
    values, st.dictionaries(sections, st.lists(values, max_size=4), max_size=5)
)


def _assert_clean(result) -> None:  # type: ignore[no-untyped-def]
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code in (0, 1, 2)
    if result.exit_code:
        assert result.stderr.strip(), "a failure without a message"


@SETTINGS
@given(document=documents)
def test_random_structured_facts_never_crash(tmp_path_factory, document) -> None:
    graph = tmp_path_factory.mktemp("g")
    (graph / "f.yaml").write_text(
        yaml.safe_dump(document, allow_unicode=True), encoding="utf-8"
    )
    _assert_clean(CliRunner().invoke(cli, ["check", "--graph", str(graph)]))
    _assert_clean(CliRunner().invoke(cli, ["why", "cot", "--graph", str(graph)]))


@SETTINGS
@given(
    raw=st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    )
)
def test_random_bytes_never_crash(tmp_path_factory, raw: bytes) -> None:
    graph = tmp_path_factory.mktemp("g")
    (graph / "f.yaml").write_bytes(raw)
    result = CliRunner().invoke(cli, ["check", "--graph", str(graph)])
    _assert_clean(result)


words = st.one_of(
    st.sampled_from(
        [
            "cot",
            "CoT",
            "思维链",
            "root",
            "chatty",
            "F1",
            "rl",
            "rlhf",
            "code_training",
            "--json",
            "--model",
            "-m",
            "--graph",
            "--strict",
            "--",
            "-",
            "",
            "'",
            '"; DROP',
            "{x}",
            "<a>",
            "\n",
            "--help",
        ]
    ),
    st.text(max_size=12),
)
commands = st.sampled_from(
    [
        "why",
        "show",
        "path",
        "diff",
        "ablate",
        "conflicts",
        "check",
        "models",
        "capabilities",
        "sources",
        "tree",
        "emergence",
        "export",
        "sparql",
        "nonsense",
    ]
)


@SETTINGS
@given(command=commands, args=st.lists(words, max_size=4))
def test_random_command_lines_never_crash(command: str, args: list[str]) -> None:
    result = CliRunner().invoke(cli, [command, *args, "--graph", MINI])
    _assert_clean(result)


@st.composite
def dags(draw):  # type: ignore[no-untyped-def]
    n = draw(st.integers(1, 12))
    parents = {
        i: sorted(set(draw(st.lists(st.integers(0, i - 1), max_size=2)))) if i else []
        for i in range(n)
    }
    caps = ["c0", "c1", "c2"]
    claims = draw(
        st.lists(
            st.tuples(
                st.integers(0, n - 1),
                st.sampled_from(caps),
                st.sampled_from(
                    ["gained", "lost", "recovered", "weakened", "strengthened"]
                ),
            ),
            max_size=8,
            unique_by=lambda t: (t[0], t[1]),
        )
    )
    return n, parents, claims


def _facts_text(n: int, parents: dict[int, list[int]], claims: list) -> str:  # type: ignore[type-arg]
    doc = {
        "sources": [
            {
                "id": "s",
                "title": "T",
                "authors": ["A"],
                "year": 2022,
                "url": "https://e.org",
            }
        ],
        "capabilities": [
            {"id": c, "name": c.upper(), "kind": "ability", "description": "d"}
            for c in ("c0", "c1", "c2")
        ],
        "models": [{"id": f"m{i}", "name": f"M{i}"} for i in range(n)],
        "derivations": [
            {
                "parent": f"m{p}",
                "child": f"m{i}",
                "stage": "rlhf",
                "confidence": "likely",
                "evidence": [{"source": "s", "locator": "L", "note": "n"}],
            }
            for i, ps in parents.items()
            for p in ps
        ],
        "claims": [
            {
                "id": f"k{j}",
                "model": f"m{m}",
                "capability": c,
                "effect": e,
                "stage": "pretraining",
                "confidence": "likely",
                "evidence": [{"source": "s", "locator": "L", "note": "n"}],
            }
            for j, (m, c, e) in enumerate(claims)
        ],
    }
    return yaml.safe_dump(doc)


@SETTINGS
@given(dag=dags())
def test_random_dags_give_consistent_answers(tmp_path_factory, dag) -> None:
    from lineage.api import load_graph
    from lineage.provenance.query import capability_states, find_origins, path_between
    from lineage.store.compiler import compile_graph

    n, parents, claims = dag
    graph = tmp_path_factory.mktemp("g")
    (graph / "f.yaml").write_text(_facts_text(n, parents, claims))
    index = load_graph([graph], cache=False)
    nx_graph = compile_graph(index.facts)
    import networkx as nx

    models = {f"model:m{i}" for i in range(n)}
    derivation_only = nx.DiGraph(
        [(u, v) for u, v, d in nx_graph.edges(data=True) if d["edge"] == "derivation"]
    )
    derivation_only.add_nodes_from(models)
    for cap in ("c0", "c1", "c2"):
        why = find_origins(index, cap)
        for origin in why.origins:
            chain = origin.lineage
            assert chain[-1] == origin.claim.model
            # every model of the lineage is an ancestor of the origin
            ancestors = nx.ancestors(derivation_only, f"model:{origin.claim.model}")
            assert {f"model:{m}" for m in chain[:-1]} <= ancestors
    states = capability_states(index, set(index.facts.models))
    for i, ps in parents.items():
        for p in ps:
            result = path_between(index, f"m{p}", f"m{i}")
            assert result.path[0] == f"m{p}" and result.path[-1] == f"m{i}"
        # a model without own claims has exactly what its parents have
        own = {c for (m, c, _) in claims if m == i}
        inherited = (
            set().union(
                *({c for c, s in states[f"m{p}"].items() if s.present} for p in ps)
            )
            if ps
            else set()
        )
        mine = {c for c, s in states[f"m{i}"].items() if s.present}
        assert mine - own == inherited - own
