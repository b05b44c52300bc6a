"""The WikiQA loader: the real files (when GDLAB_DATA_DIR has them) and malformed temp files."""

import os
from pathlib import Path

import numpy as np
import pytest

from gdlab.datasets._idx import DatasetError, DatasetNotFoundError
from gdlab.datasets._wikiqa import HEADER, load_wikiqa, read_wikiqa_tsv

_DIR = os.environ.get("GDLAB_DATA_DIR")
_HAVE = bool(_DIR) and all((Path(_DIR) / "wikiqa" / f"WikiQA-{s}.tsv").is_file()
                           for s in ("train", "dev", "test"))
needs_data = pytest.mark.skipif(
    not _HAVE, reason="WikiQA not found: set GDLAB_DATA_DIR to a directory holding "
                      "wikiqa/WikiQA-{train,dev,test}.tsv")


@needs_data
@pytest.mark.parametrize("split,rows,questions,answered,positives", [
    ("train", 20360, 2118, 873, 1040),
    ("dev", 2733, 296, 126, 140),
    ("test", 6165, 633, 243, 293),
])
def test_real_splits_have_the_published_sizes(split, rows, questions, answered, positives):
    d = load_wikiqa(split)
    assert (len(d), d.n_questions, d.n_answered, int(d.labels.sum())) == (rows, questions, answered, positives)
    assert d.labels.dtype == np.int8 and set(np.unique(d.labels)) == {0, 1}
    assert not any("\r" in s or "\n" in s or "\t" in s for s in d.sentences + d.questions)


@needs_data
def test_real_train_first_rows_and_literal_quotes():
    d = load_wikiqa("train")
    assert d.question_ids[0] == "Q1" and d.questions[0] == "how are glacier caves formed?"
    assert d.sentences[3] == "A glacier cave is a cave formed within the ice of a glacier ." and d.labels[3] == 1
    assert d.document_titles[0] == "Glacier cave" and d.sentence_ids[3] == "D1-3"
    # quotes are text, not CSV quoting: some sentences hold an odd number of them
    assert any(s.count('"') % 2 == 1 for s in d.sentences)


def write(path, lines, header=True, end="\r\n"):
    rows = (["\t".join(HEADER)] if header else []) + lines
    path.write_bytes((end.join(rows) + end).encode("utf-8"))
    return path


ROW = "Q1\thow are caves formed?\tD1\tCave\tD1-0\tA cave is formed \"here\".\t{label}"


def test_reads_a_small_file_with_crlf_and_quotes(tmp_path):
    p = write(tmp_path / "a.tsv", [ROW.format(label=0), ROW.format(label=1).replace("D1-0", "D1-1"),
                                   "Q2\tWho?\tD2\tX\tD2-0\t\"Odd quote\t0"])
    d = read_wikiqa_tsv(p)
    assert len(d) == 3 and d.n_questions == 2 and d.n_answered == 1
    assert d.sentences[0] == 'A cave is formed "here".' and d.sentences[2] == '"Odd quote'
    assert d.labels.tolist() == [0, 1, 0]
    lf = read_wikiqa_tsv(write(tmp_path / "lf.tsv", [ROW.format(label=1)], end="\n"))
    assert lf.sentences == ['A cave is formed "here".']


@pytest.mark.parametrize("lines,match", [
    ([ROW.format(label=0), "Q1\thow are caves formed?\tD1\tCave\tD1-1\t0"],
     "line 3: expected 7 tab-separated fields, got 6"),
    ([ROW.format(label=2)], r"line 2: Label must be 0 or 1, got '2'"),
    ([ROW.format(label=0), ROW.format(label=0).replace("A cave is formed \"here\".", " ")],
     "line 3: empty Sentence"),
    (["Q3\t\tD1\tCave\tD1-0\tText\t0"], "line 2: empty Question"),
    (["\tq\tD1\tCave\tD1-0\tText\t0"], "line 2: empty QuestionID"),
    ([ROW.format(label=0), ROW.format(label=1).replace("how are caves formed?", "other text")],
     "line 3: question Q1 has the text"),
    ([ROW.format(label=0) + "\textra"], "line 2: expected 7"),
])
def test_malformed_rows_name_the_line(tmp_path, lines, match):
    p = write(tmp_path / "bad.tsv", lines)
    with pytest.raises(DatasetError, match=match) as info:
        read_wikiqa_tsv(p)
    assert str(p) in str(info.value)


def test_bad_header_empty_file_bad_utf8_and_missing_file(tmp_path):
    with pytest.raises(DatasetError, match="line 1: expected the header"):
        read_wikiqa_tsv(write(tmp_path / "h.tsv", [ROW.format(label=0)], header=False))
    (tmp_path / "empty.tsv").write_bytes(b"")
    with pytest.raises(DatasetError, match="empty"):
        read_wikiqa_tsv(tmp_path / "empty.tsv")
    (tmp_path / "latin.tsv").write_bytes(("\t".join(HEADER) + "\r\n" + ROW.format(label=0) + "\r\n").encode()
                                         + b"Q2\tcaf\xe9\tD\tT\tS\tx\t0\r\n")
    with pytest.raises(DatasetError, match="line 3: not valid UTF-8"):
        read_wikiqa_tsv(tmp_path / "latin.tsv")
    with pytest.raises(DatasetNotFoundError, match="file not found"):
        read_wikiqa_tsv(tmp_path / "nope.tsv")


def test_load_says_where_to_put_the_files(tmp_path, monkeypatch):
    monkeypatch.delenv("GDLAB_DATA_DIR", raising=False)
    with pytest.raises(DatasetNotFoundError, match="set \\$GDLAB_DATA_DIR"):
        load_wikiqa("train")
    with pytest.raises(DatasetNotFoundError, match=r"put the official WikiQA-train.tsv.*wikiqa"):
        load_wikiqa("dev", data_dir=tmp_path)
    monkeypatch.setenv("GDLAB_DATA_DIR", str(tmp_path))
    with pytest.raises(DatasetNotFoundError, match=str(tmp_path / "wikiqa" / "WikiQA-test.tsv")):
        load_wikiqa("test")
    with pytest.raises(ValueError, match="split must be one of train, dev, test"):
        load_wikiqa("validation")


def test_load_checks_the_official_hash_unless_told_not_to(tmp_path):
    (tmp_path / "wikiqa").mkdir()
    write(tmp_path / "wikiqa" / "WikiQA-dev.tsv", [ROW.format(label=1)])
    with pytest.raises(DatasetError, match="SHA256 mismatch.*verify=False"):
        load_wikiqa("dev", data_dir=tmp_path)
    d = load_wikiqa("dev", data_dir=tmp_path, verify=False)
    assert len(d) == 1 and d.n_answered == 1
