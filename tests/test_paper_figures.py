"""paper_figures and ``gdlab figures``: the manifest, deterministic files, and every figure made
twice in quick mode with identical data files (issue 8)."""

import csv
import hashlib
import os
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import paper_figures as pf
from gdlab.cli import main
from paper_figures._common import (MissingData, data_dir, new_figure, save_figure, write_columns,
                                   write_csv, write_json)

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_manifest_is_complete_and_ordered():
    figs = pf.figures()
    assert [f.number for f in figs] == list(range(1, len(pf.MODULES) + 1)) and len(figs) == 15
    assert len({f.name for f in figs}) == len(figs)
    for f, mod in zip(figs, pf.MODULES):
        assert mod == f.stem, f"{mod}: NUMBER/NAME say {f.stem}"
        assert f.title and f.caption.endswith(".") and len(f.caption) > 40
        assert callable(f.load().make)
    assert [f.name for f in figs if f.needs] == ["dssm_wikiqa"]


def test_select_by_name_stem_number_and_errors():
    assert [f.number for f in pf.select(["5", "gd_parabola", "fig03", "fig14_himmelblau_basins"])] == [1, 3, 5, 14]
    assert len(pf.select([])) == 15
    with pytest.raises(ValueError, match="unknown figure 'nope'.*gd_parabola"):
        pf.select(["nope"])


def test_files_are_byte_identical_between_writes(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        d.mkdir()
        fig, ax = new_figure(4, 3)
        ax.plot([0, 1, 2], [0.1, 0.3, 0.2], label="x")
        ax.set(xlabel="step", ylabel="loss")
        ax.legend()
        save_figure(fig, d, "f")
        write_columns(d / "f.csv", {"step": np.arange(3), "loss": [0.1, 1 / 3, np.pi]})
        write_json(d / "f.json", {"b": np.float64(np.nan), "a": np.arange(2), "c": np.float32(0.5)})
    for name in ("f.png", "f.pdf", "f.csv", "f.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    rows = list(csv.reader(open(a / "f.csv")))
    assert rows[0] == ["step", "loss"] and float(rows[2][1]) == 1 / 3 and float(rows[3][1]) == np.pi
    assert (a / "f.json").read_text().startswith('{\n  "a": [\n    0,')
    assert '"b": null' in (a / "f.json").read_text()


def test_write_columns_rejects_unequal_lengths(tmp_path):
    with pytest.raises(ValueError, match="differ in length"):
        write_columns(tmp_path / "x.csv", {"a": [1, 2], "b": [1]})
    write_csv(tmp_path / "y.csv", ["flag", "n"], [[True, np.int64(3)]])
    assert (tmp_path / "y.csv").read_text() == "flag,n\nTrue,3\n"


def test_data_dir_names_the_missing_dataset(tmp_path, monkeypatch):
    monkeypatch.delenv("GDLAB_DATA_DIR", raising=False)
    with pytest.raises(MissingData, match="wikiqa.*GDLAB_DATA_DIR"):
        data_dir("wikiqa")
    monkeypatch.setenv("GDLAB_DATA_DIR", str(tmp_path))
    with pytest.raises(MissingData, match="does not exist"):
        data_dir("wikiqa")


def test_sha256sums_skip_timings_and_images(tmp_path):
    (tmp_path / "a.csv").write_text("x\n1\n")
    (tmp_path / "a.timing.csv").write_text("seconds\n0.1\n")
    (tmp_path / "a.png").write_bytes(b"\x89PNG")
    assert pf.sha256sums(tmp_path) == {"a.csv": hashlib.sha256(b"x\n1\n").hexdigest()}


def test_gallery_lists_every_figure():
    text = (DOCS / "figures.md").read_text()
    assert pf.gallery_markdown() in text, "docs/figures.md is stale: regenerate its figure sections"
    for f in pf.figures():
        assert (DOCS / "img" / "figures" / f"{f.stem}.png").is_file(), f.stem


def test_cli_list_and_bad_names():
    r = CliRunner()
    res = r.invoke(main, ["figures", "--list"])
    assert res.exit_code == 0 and res.output.count("\n") == 15 and "himmelblau_basins" in res.output
    res = r.invoke(main, ["figures", "--only", "bogus", "--out", "unused"])
    assert res.exit_code == 2 and "unknown figure 'bogus'" in res.output


def test_a_failing_figure_is_reported_and_the_others_made(tmp_path, monkeypatch):
    def boom(out, quick=False):
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(pf.select(["taylor_exp"])[0].load(), "make", boom)
    res = CliRunner().invoke(main, ["figures", "--only", "taylor_exp,gd_parabola", "--quick",
                                    "--out", str(tmp_path), "--no-progress"])
    assert res.exit_code == 1, res.output
    assert "broken on purpose" in res.output and "1 made, 0 skipped, 1 failed" in res.output
    assert (tmp_path / "fig01_gd_parabola.png").is_file() and not (tmp_path / "fig02_taylor_exp.png").exists()


@pytest.fixture(scope="module")
def quick_runs(tmp_path_factory):
    """All figures in quick mode, twice: once through the CLI, once through run()."""
    a, b = tmp_path_factory.mktemp("figs_a"), tmp_path_factory.mktemp("figs_b")
    res = CliRunner().invoke(main, ["figures", "--quick", "--out", str(a), "--no-progress"])
    outcomes = pf.run(out=b, quick=True)
    return a, b, res, outcomes


@pytest.mark.slow
def test_quick_mode_makes_every_figure(quick_runs):
    a, b, res, outcomes = quick_runs
    assert res.exit_code == 0, res.output
    has_wikiqa = (Path(os.environ.get("GDLAB_DATA_DIR", "/nonexistent")) / "wikiqa").is_dir()
    for o in outcomes:
        expected = "skipped" if o.figure.needs and not has_wikiqa else "ok"
        assert o.status == expected, (o.figure.name, o.status, o.reason)
        if o.status == "ok":
            names = set(o.files)
            assert {f"{o.figure.stem}.png", f"{o.figure.stem}.pdf"} <= names
            assert any(n.endswith((".csv", ".json")) and ".timing." not in n for n in names), names
            for n in names:
                assert n.startswith(o.figure.stem) and (a / n).stat().st_size > 0, n
    assert (a / "figures.json").is_file()


@pytest.mark.slow
def test_quick_mode_data_files_are_identical_between_runs(quick_runs):
    a, b, _, _ = quick_runs
    sums_a, sums_b = (p / "SHA256SUMS" for p in (a, b))
    assert sums_a.read_text() == sums_b.read_text()
    lines = sums_a.read_text().splitlines()
    assert len(lines) >= 14 and not any(".timing." in ln for ln in lines)
    for ln in lines:  # the recorded hashes are those of the files
        h, name = ln.split("  ")
        assert hashlib.sha256((a / name).read_bytes()).hexdigest() == h


@pytest.mark.slow
def test_quick_mode_data_equal_the_committed_hashes(quick_runs):
    """The same data on every machine (issue 13): any OpenBLAS kernel, any thread count."""
    a, _, _, _ = quick_runs
    problems = pf.compare_quick_sums(a)
    assert not problems, "quick-mode data differ from paper_figures/SHA256SUMS.quick:\n" + "\n".join(problems)
    assert set(pf.PLATFORM_DEPENDENT).isdisjoint(ln.split("  ")[1] for ln in pf.QUICK_SUMS.read_text().splitlines())
