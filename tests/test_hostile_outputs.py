"""Hostile outputs (issue 13: items 14 stdout, 16-20 and the site's \\f).

Output paths that are not regular files, modes under a umask, stale temporary
files, concurrent site builds, closed pipes and broken standard streams, and
byte-identical output in every format across hash seeds.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import xml.dom.minidom
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lineage.cli import cli
from lineage.outfile import check_target, clean_stale, temp_path, write_atomic
from lineage.outputs.site import MARKER, _swap

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini"
needs_dot = pytest.mark.skipif(
    subprocess.run(["which", "dot"], capture_output=True).returncode != 0,
    reason="needs Graphviz dot",
)


def lineage(*args: str, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.update(kwargs.pop("env", {}))  # type: ignore[call-overload]
    return subprocess.run(
        [sys.executable, "-m", "lineage", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        **kwargs,  # type: ignore[call-overload]
    )


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def refused(result: Result, what: str) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "not a regular file" in result.stderr and what in result.stderr


# --- item 16: -o writes only regular files; '-' is standard output -------------


@pytest.mark.parametrize("command, suffix", [("export", ".ttl"), ("tree", ".dot")])
def test_output_over_a_non_file_is_refused(
    tmp_path: Path, command: str, suffix: str
) -> None:
    fifo = tmp_path / f"fifo{suffix}"
    os.mkfifo(fifo)
    folder = tmp_path / f"folder{suffix}"
    folder.mkdir()
    device = tmp_path / f"null{suffix}"
    device.symlink_to("/dev/null")
    for target, what in ((fifo, "FIFO"), (folder, "directory"), (device, "device")):
        refused(run(command, "--graph", str(MINI), "-o", str(target)), what)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert device.is_symlink() and os.readlink(device) == "/dev/null"


def test_symlink_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real.ttl"
    real.write_text("old\n")
    link = tmp_path / "link.ttl"
    link.symlink_to(real)
    result = run("export", "--graph", str(MINI), "-o", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert real.read_text().startswith("@prefix")


def test_dash_means_standard_output(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    for args in (["export", "-o", "-"], ["tree", "-o", "-", "--format", "dot"]):
        result = run(*args, "--graph", str(MINI))
        assert result.exit_code == 0, result.output
        assert result.stdout.strip()
    assert not (tmp_path / "-").exists()


# --- item 17: modes follow the umask; replaced files keep theirs ---------------


@needs_dot
def test_modes_follow_the_umask_and_replaced_files_keep_theirs(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        for name, cmd in (("a.ttl", "export"), ("a.nt", "export"), ("a.svg", "tree")):
            target = tmp_path / name
            assert run(cmd, "--graph", str(MINI), "-o", str(target)).exit_code == 0
            assert stat.S_IMODE(target.stat().st_mode) == 0o644, name
            target.chmod(0o640)
            assert run(cmd, "--graph", str(MINI), "-o", str(target)).exit_code == 0
            assert stat.S_IMODE(target.stat().st_mode) == 0o640, name
        os.umask(0o077)
        private = tmp_path / "b.ttl"
        assert run("export", "--graph", str(MINI), "-o", str(private)).exit_code == 0
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
    finally:
        os.umask(old)


# --- item 18: stale temporary files; concurrent site builds --------------------


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temp_files_are_cleaned_on_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "lineage.ttl"
    stale = tmp_path / f".lineage.ttl.{dead_pid()}.0123abcd.tmp"
    stale.write_bytes(b"x" * 1000)
    live = tmp_path / f".lineage.ttl.{os.getppid()}.89abcdef.tmp"
    live.write_bytes(b"in progress")
    foreign = tmp_path / ".lineage.ttl.notours.tmp"
    foreign.write_bytes(b"")
    result = run("export", "--graph", str(MINI), "-o", str(target))
    assert result.exit_code == 0, result.output
    assert not stale.exists()
    assert live.exists() and foreign.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [target.name, live.name, foreign.name]
    )


def test_concurrent_site_swaps_never_fail(tmp_path: Path) -> None:
    target = tmp_path / "site"
    errors: list[BaseException] = []

    def build(n: int) -> None:
        try:
            for i in range(5):
                temp = temp_path(target)
                temp.mkdir()
                (temp / MARKER).write_text("")
                (temp / "index.html").write_text(f"{n}-{i}")
                _swap(temp, target)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=build, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert (target / "index.html").read_text().count("-") == 1


def test_stale_site_copies_are_cleaned(tmp_path: Path) -> None:
    target = tmp_path / "site"
    for suffix in (".tmp", ".old"):
        stale = tmp_path / f".site.{dead_pid()}.00000000{suffix}"
        stale.mkdir()
        (stale / "big").write_bytes(b"x" * 100)
    assert clean_stale(target, (".tmp", ".old")) == 2
    assert list(tmp_path.iterdir()) == []


def test_write_atomic_leaves_nothing_on_failure(tmp_path: Path) -> None:
    def fail(handle: object) -> None:
        msg = "boom"
        raise RuntimeError(msg)

    with pytest.raises(RuntimeError):
        write_atomic(tmp_path / "x.txt", fail)
    assert list(tmp_path.iterdir()) == []
    assert check_target(tmp_path / "new.txt") == tmp_path / "new.txt"


# --- items 14 and 19: closed pipes and broken standard streams ----------------


@pytest.mark.parametrize("args", [["conflicts"], ["export"], ["why", "cot"]])
def test_closed_pipe_exits_quietly(args: list[str], tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LINEAGE_CACHE_DIR": str(tmp_path)}
    for _attempt in range(2):  # the second `why` answers from the memo
        proc = subprocess.Popen(
            [sys.executable, "-m", "lineage", *args, "--graph", str(MINI)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # the reader went away before any output
        stderr = proc.stderr.read()
        proc.stderr.close()
        assert proc.wait(60) in (0, 141)
        assert stderr == b""


def test_full_disk_on_stdout_is_one_error_line() -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "lineage", "conflicts", "--graph", str(MINI)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=full,
            stderr=subprocess.PIPE,
        )
    assert done.returncode == 1
    assert done.stderr.decode() == (
        "error: cannot write to standard output: No space left on device\n"
    )


def test_closed_stdout_is_one_error_line() -> None:
    code = (
        "import os, runpy, sys; os.close(1); sys.stdout = None; "
        "sys.argv = ['lineage', 'why', 'cot', '--graph', sys.argv[1]]; "
        "runpy.run_module('lineage', run_name='__main__')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(MINI)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "LINEAGE_NO_MEMO": "1"},
        capture_output=True,
    )
    assert done.returncode == 1
    assert done.stderr.decode().startswith("error: cannot write to standard output")
    assert "Traceback" not in done.stderr.decode()


def test_ascii_stdout_escapes_instead_of_crashing() -> None:
    done = lineage(
        "why", "cot", "--graph", str(MINI), env={"PYTHONIOENCODING": "ascii"}
    )
    assert done.returncode == 0, done.stderr
    # the alias 思维链: escaped, or UTF-8 when the command line forces UTF-8 output
    assert b"\\u601d" in done.stdout or "思维链".encode() in done.stdout
    done = lineage(
        "why", "cot", "--json", "--graph", str(MINI), env={"PYTHONIOENCODING": "ascii"}
    )
    assert done.returncode == 0
    assert "思维链" in json.dumps(json.loads(done.stdout), ensure_ascii=False)


# --- smaller: control characters in names cannot break the site's SVG ---------


@needs_dot
def test_form_feed_in_names_keeps_the_svg_well_formed(tmp_path: Path) -> None:
    text = (MINI / "mini.yaml").read_text(encoding="utf-8")
    text = text.replace("{id: root, name: Root,", '{id: root, name: "Ro\\fot\\x0b",')
    graph = tmp_path / "graph"
    graph.mkdir()
    (graph / "mini.yaml").write_text(text, encoding="utf-8")
    result = run("site", "--graph", str(graph), "-o", str(tmp_path / "site"))
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.stderr
    xml.dom.minidom.parse(str(tmp_path / "site" / "tree.svg"))


# --- item 20: every format is byte-identical across hash seeds ----------------

EVERY_FORMAT = """
import os, sys
from pathlib import Path
from lineage.api import load_graph
from lineage.outputs import rdf, render
out = Path(sys.argv[1]); index = load_graph([sys.argv[2]], cache=False)
for fmt in rdf.FORMATS:
    (out / f"export.{fmt}").write_text(rdf.serialize(rdf.to_rdf(index), fmt))
rdf.write_ntriples(index, out / "streamed.nt")
options = render.TreeOptions()
(out / "tree.dot").write_text(render.to_dot(index, options))
(out / "tree.mmd").write_text(render.to_mermaid(index, options))
(out / "tree.txt").write_text(render.to_text(index, options))
for fmt in render.GRAPHVIZ_FORMATS:
    (out / f"tree.{fmt}").write_bytes(render.layout(render.to_dot(index, options), fmt))
"""


@needs_dot
def test_every_format_is_identical_across_hash_seeds(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        out.mkdir()
        env = {
            **os.environ,
            "PYTHONHASHSEED": seed,
            "PYTHONPATH": str(ROOT),
            "SOURCE_DATE_EPOCH": "1700000000",
        }
        subprocess.run(
            [sys.executable, "-c", EVERY_FORMAT, str(out), str(ROOT / "graph")],
            env=env,
            check=True,
        )
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert len(outputs[0]) >= 12
    for name in outputs[0]:
        assert outputs[0][name] == outputs[1][name], name
    assert b"/CreationDate (D:20231114221320" in outputs[0]["tree.pdf"]
