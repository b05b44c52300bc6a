"""``gdlab train dssm`` / ``gdlab eval dssm`` end to end on small WikiQA-format files."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from gdlab.cli.dssm import eval_dssm, train_dssm
from gdlab.datasets._wikiqa import HEADER
from gdlab.models._dssm import DSSM

WORDS = [a + b + c for a in "bdgk" for b in "aeio" for c in "lmnr"][:30]


def write_split(path, n_questions, seed, unanswered=0):
    """A WikiQA-format file: 6 candidates per question, one correct (none for the last
    ``unanswered`` questions); CRLF line ends and a literal quote, as in the real files."""
    rng = np.random.default_rng(seed)
    lines = ["\t".join(HEADER)]
    for i in range(n_questions):
        q = list(rng.choice(WORDS, 3, replace=False))
        answer = int(rng.integers(6)) if i < n_questions - unanswered else -1
        for j in range(6):
            words = q + list(rng.choice(WORDS, 2)) if j == answer else list(rng.choice(WORDS, 5))
            rng.shuffle(words)
            sentence = '"' + " ".join(words) + " ."  # a literal, unbalanced quote
            lines.append(f"Q{seed}-{i}\t{' '.join(q)}?\tD{i}\tTitle\tD{i}-{j}\t{sentence}\t{int(j == answer)}")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    (root / "wikiqa").mkdir()
    for split, n, seed, unanswered in (("train", 80, 0, 0), ("dev", 20, 1, 3), ("test", 20, 2, 4)):
        write_split(root / "wikiqa" / f"WikiQA-{split}.tsv", n, seed, unanswered)
    return root


# same optimizer settings as tests/test_dssm.py: one compiled training loop for both files
BASE = ["--optimizer", "sgd", "--lr", "0.05", "-p", "momentum=0.9", "--hidden", "16,8", "--batch-size", "16",
        "--negatives", "3", "--threads", "1", "--no-progress", "--no-verify"]


def test_train_then_eval(data_dir, tmp_path):
    out = tmp_path / "run"
    runner = CliRunner()
    res = runner.invoke(train_dssm, BASE + ["--epochs", "4", "--patience", "3", "--seed", "1",
                                            "--data-dir", str(data_dir), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "dev MAP" in res.output and "NDCG@3" in res.output and "best dev MAP" in res.output
    assert "dev 17 of 20 questions" in res.output and "excluded" in res.output
    hist = json.loads((out / "history.json").read_text())
    assert [r["epoch"] for r in hist["epochs"]] == [1, 2, 3, 4]
    assert hist["meta"]["optimizer"] == "sgd" and hist["meta"]["hyper"]["momentum"] == 0.9
    assert hist["meta"]["n_pairs"] == 80 and hist["meta"]["negatives"] == 3
    assert hist["epochs"][-1]["train_loss"] < hist["epochs"][0]["train_loss"]
    assert (out / "history.csv").read_text().count("\n") == 5
    assert (out / "curves.png").stat().st_size > 10_000
    model, hasher = DSSM.load(out / "model.npz")
    assert model.hidden == (16, 8) and hasher.n_features == model.n_features

    res = runner.invoke(eval_dssm, [str(out / "model.npz"), "--data-dir", str(data_dir), "--no-verify",
                                    "--threads", "1"])
    assert res.exit_code == 0, res.output
    assert "16 questions ranked, 4 without a correct sentence excluded" in res.output
    assert "MatchZoo DSSM" in res.output and "MAP" in res.output
    m = json.loads((out / "metrics-test.json").read_text())
    assert m["n_queries"] == 16 and 0 < m["map"] <= 1 and m["split"] == "test"
    best = max(r["dev_map"] for r in hist["epochs"])
    res = runner.invoke(eval_dssm, [str(out / "model.npz"), "--split", "dev", "--data-dir", str(data_dir),
                                    "--no-verify", "--out", str(tmp_path / "dev.json")])
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "dev.json").read_text())["map"] == pytest.approx(best, abs=1e-6)


def test_clsm_runs(data_dir, tmp_path):
    res = CliRunner().invoke(train_dssm, BASE + ["--model", "clsm", "--window", "3", "--epochs", "1",
                                                 "--data-dir", str(data_dir), "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "CLSM" in res.output and "window 3" in res.output
    assert DSSM.load(tmp_path / "model.npz")[0].arch == "clsm"


@pytest.mark.parametrize("args,match", [
    (["--negatives", "0"], "--negatives must be >= 1"),
    (["--lr", "-1"], "Invalid learning rate"),
    (["--optimizer", "adamm"], "unknown optimizer"),
    (["--hidden", "16,x"], "comma-separated integers"),
    (["--gamma", "0"], "--gamma must be"),
    (["--window", "3"], "--window applies to --model clsm"),
    (["--epochs", "0"], "--epochs must be >= 1"),
    (["-p", "momentum"], "NAME=VALUE"),
    (["--model", "rnn"], "rnn"),
])
def test_bad_arguments_exit_2(data_dir, tmp_path, args, match):
    res = CliRunner().invoke(train_dssm, ["--data-dir", str(data_dir), "--no-verify", "--out", str(tmp_path),
                                          *args])
    assert res.exit_code == 2, res.output
    assert match in res.output


def test_missing_data_and_model(tmp_path, monkeypatch):
    monkeypatch.delenv("GDLAB_DATA_DIR", raising=False)
    res = CliRunner().invoke(train_dssm, ["--out", str(tmp_path)])
    assert res.exit_code == 1 and "GDLAB_DATA_DIR" in res.output
    res = CliRunner().invoke(train_dssm, ["--data-dir", str(tmp_path), "--out", str(tmp_path)])
    assert res.exit_code == 1 and "WikiQA file not found" in res.output
    res = CliRunner().invoke(eval_dssm, [str(tmp_path / "none.npz")])
    assert res.exit_code == 2 and "not found" in res.output
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    res = CliRunner().invoke(eval_dssm, [str(tmp_path / "junk.npz")])
    assert res.exit_code == 2 and "cannot read" in res.output
