"""A help text is a test case: every example command in every ``--help`` parses as printed.

Each ``gdlab ...`` line of a help page (joined with its ``\\`` continuations) is split as a shell
would and resolved through click down to its command, whose options and arguments must all be
accepted (``make_context`` converts and validates every value without running the command).
The examples themselves run elsewhere: the README main job in CI, the surface examples in
``test_cli_surfaces.py``, ``gdlab figures --quick`` in ``test_paper_figures.py``.
"""

import re
import shlex
import warnings

import click
import pytest
from click.testing import CliRunner

from gdlab.cli import main


def _commands(group=main, path=("gdlab",)):
    ctx = click.Context(group, info_name=path[-1])
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        yield path + (name,), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, path + (name,))
    yield path, group
    if path == ("gdlab",):  # the MLP command is reached through a dataset name
        from gdlab.cli import train_mlp

        yield ("gdlab", "train", "mnist"), train_mlp


def _examples(text: str) -> list[str]:
    out, cur = [], None
    for line in text.splitlines():
        s = line.strip()
        if cur is not None:
            cur += " " + s.rstrip("\\").strip()
            if not s.endswith("\\"):
                out.append(cur)
                cur = None
        elif s.startswith("gdlab "):
            s = re.sub(r"\s+#.*$", "", s)
            if s.endswith("\\"):
                cur = s.rstrip("\\").strip()
            else:
                out.append(s)
    return out


def _help_pages():
    pages = {}
    for path, _ in _commands():
        if path == ("gdlab", "train", "mnist"):
            continue
        args = list(path[1:]) + ["--help"]
        res = CliRunner().invoke(main, args, prog_name="gdlab", terminal_width=80)
        assert res.exit_code == 0, (path, res.output)
        pages[" ".join(path)] = res.output
    pages["gdlab train mnist"] = CliRunner().invoke(main, ["train", "mnist", "--help"], prog_name="gdlab",
                                                    terminal_width=80).output
    return pages


PAGES = _help_pages()
EXAMPLES = sorted({ex for text in PAGES.values() for ex in _examples(text)})


def test_there_are_examples():
    assert len(EXAMPLES) >= 6, EXAMPLES


def _rest(ctx):
    with warnings.catch_warnings():  # click 8.2 deprecates protected_args (9.0 folds it into args)
        warnings.simplefilter("ignore", DeprecationWarning)
        return list(ctx.protected_args) + list(ctx.args)


@pytest.mark.parametrize("example", EXAMPLES)
def test_help_example_parses(example):
    args = shlex.split(example)[1:]
    ctx = main.make_context("gdlab", list(args))
    cmd, rest = main, _rest(ctx)
    while isinstance(cmd, click.Group):
        name, cmd, rest = cmd.resolve_command(ctx, rest)
        ctx = cmd.make_context(name, list(rest), parent=ctx)
        rest = _rest(ctx) if isinstance(cmd, click.Group) else ctx.args
    assert not rest, f"{example!r}: unexpected extra arguments {rest}"


def test_usage_lines_read_as_typed():
    assert PAGES["gdlab train mnist"].startswith("Usage: gdlab train [DATASET] [OPTIONS]")
    for page in PAGES.values():
        assert "gdlab train mlp" not in page


def test_examples_are_printed_unwrapped():
    """click re-wraps paragraphs; examples need a \\b block to survive a paste."""
    for path, cmd in _commands():
        page = PAGES[" ".join(path)] if " ".join(path) in PAGES else ""
        lines = {ln.strip() for ln in page.splitlines()}
        for src in (cmd.help or "").splitlines():
            if src.strip().startswith("gdlab "):
                assert src.strip() in lines, f"{' '.join(path)} --help re-wraps {src.strip()!r}"
