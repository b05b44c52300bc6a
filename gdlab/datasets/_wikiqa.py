"""WikiQA (Yang, Yih & Meek, EMNLP 2015): question / Wikipedia-sentence relevance, read from
``$GDLAB_DATA_DIR/wikiqa/WikiQA-{train,dev,test}.tsv``.

The files are the official split as Microsoft distributes it: tab-separated, a header row,
seven fields per row (``QuestionID Question DocumentID DocumentTitle SentenceID Sentence
Label``), CRLF line ends, UTF-8, and literal ``"`` characters inside the text, so they are read
line by line and split on tabs, without any CSV quote processing (Python's default CSV quoting
silently merges rows of the train split).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._idx import DatasetError, DatasetNotFoundError

#: WikiQA test results published by MatchZoo (Guo et al., 2019, "MatchZoo: a learning, practicing
#: and developing system for neural text matching", SIGIR demo; benchmark table of the repository).
PUBLISHED = {
    "MatchZoo DSSM": {"ndcg@3": 0.5439, "ndcg@5": 0.6134, "map": 0.5647},
    "MatchZoo CDSSM": {"ndcg@3": 0.5489, "ndcg@5": 0.6084, "map": 0.5593},
}

__all__ = ["WikiQA", "load_wikiqa", "read_wikiqa_tsv"]

_DATA_DIR_ENV = "GDLAB_DATA_DIR"
HEADER = ("QuestionID", "Question", "DocumentID", "DocumentTitle", "SentenceID", "Sentence", "Label")
SPLITS = ("train", "dev", "test")
_URL = "https://www.microsoft.com/en-us/download/details.aspx?id=52419"

# SHA256 of the official files (CRLF line ends), see shared/data/README.md §3.
_SHA256 = {
    "train": "295757943bc4df27f09763fc73b9f63063b13a577718b17805cbc9bb436f9dbe",
    "dev": "023c530e742caca2a760d48bd249e13259248c11f3b880a4c1842aa259a30a54",
    "test": "3c3b66966cb183b71abf19510bc2302295c68dd7a25284ec9cf8b63d5b6929e3",
}
# (rows, questions, positive rows) of the official files.
_SIZES = {"train": (20360, 2118, 1040), "dev": (2733, 296, 140), "test": (6165, 633, 293)}


@dataclass(frozen=True, eq=False)
class WikiQA:
    """One split of WikiQA: one entry per (question, candidate sentence) row, in file order.

    Attributes
    ----------
    question_ids, document_ids, document_titles, sentence_ids : ndarray of shape (n_rows,), str
    questions, sentences : list of str
        The question and candidate sentence of each row (non-empty).
    labels : ndarray of shape (n_rows,), int8
        1 when the sentence answers the question, else 0.
    source : str
        Where the rows came from (a path).
    """

    question_ids: np.ndarray
    questions: list
    document_ids: np.ndarray
    document_titles: np.ndarray
    sentence_ids: np.ndarray
    sentences: list
    labels: np.ndarray
    source: str = ""

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def n_questions(self) -> int:
        """Number of distinct questions."""
        return len(np.unique(self.question_ids))

    @property
    def n_answered(self) -> int:
        """Number of questions with at least one correct sentence (the evaluated ones)."""
        return len(np.unique(self.question_ids[self.labels > 0]))

    def __repr__(self) -> str:
        return (f"WikiQA({len(self)} rows, {self.n_questions} questions, {self.n_answered} "
                f"answered, {int(self.labels.sum())} positive rows, source={self.source!r})")


def read_wikiqa_tsv(path) -> WikiQA:
    """Parse a file in the WikiQA TSV format.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    WikiQA

    Raises
    ------
    DatasetNotFoundError
        If the file does not exist.
    DatasetError
        If the file is empty, not UTF-8, has a wrong header, or a row with a field count other
        than 7, an empty question or sentence, a label other than 0/1, or a question id whose
        question text differs from an earlier row's. Messages read
        ``<path>, line <N>: <what is wrong>`` (lines counted from 1, the header is line 1).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise DatasetNotFoundError(f"{path}: file not found") from exc
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read the file ({exc})") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DatasetError(f"{path}, line {line}: not valid UTF-8 ({exc.reason})") from None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise DatasetError(f"{path}: the file is empty")
    header = tuple(lines[0].rstrip("\r").split("\t"))
    if header != HEADER:
        raise DatasetError(f"{path}, line 1: expected the header {chr(9).join(HEADER)!r}, "
                           f"got {lines[0].rstrip(chr(13))!r}")
    cols = [[] for _ in HEADER]
    seen: dict[str, str] = {}
    for no, line in enumerate(lines[1:], start=2):
        fields = line.rstrip("\r").split("\t")
        where = f"{path}, line {no}"
        if len(fields) != len(HEADER):
            raise DatasetError(f"{where}: expected {len(HEADER)} tab-separated fields, "
                               f"got {len(fields)}")
        qid, question, _, _, _, sentence, label = fields
        if not qid.strip():
            raise DatasetError(f"{where}: empty QuestionID")
        if not question.strip():
            raise DatasetError(f"{where}: empty Question text (question {qid})")
        if not sentence.strip():
            raise DatasetError(f"{where}: empty Sentence text (question {qid})")
        if label not in ("0", "1"):
            raise DatasetError(f"{where}: Label must be 0 or 1, got {label!r}")
        if seen.setdefault(qid, question) != question:
            raise DatasetError(f"{where}: question {qid} has the text {question!r} here but "
                               f"{seen[qid]!r} on an earlier line")
        for c, v in zip(cols, fields):
            c.append(v)
    return WikiQA(
        question_ids=np.array(cols[0], dtype=str), questions=cols[1],
        document_ids=np.array(cols[2], dtype=str), document_titles=np.array(cols[3], dtype=str),
        sentence_ids=np.array(cols[4], dtype=str), sentences=cols[5],
        labels=np.array(cols[6], dtype=np.int8), source=str(path))


def wikiqa_dir(data_dir=None) -> Path:
    """``<data_dir>/wikiqa`` or ``$GDLAB_DATA_DIR/wikiqa``.

    Raises
    ------
    DatasetNotFoundError
        If neither is given/set.
    """
    root = data_dir if data_dir is not None else (os.environ.get(_DATA_DIR_ENV) or None)
    if root is None:
        raise DatasetNotFoundError(
            f"WikiQA is not bundled with gdlab: set ${_DATA_DIR_ENV} (or pass data_dir=) to a "
            f"directory holding wikiqa/WikiQA-train.tsv, wikiqa/WikiQA-dev.tsv and "
            f"wikiqa/WikiQA-test.tsv (the official Microsoft Research WikiQA Corpus, {_URL})")
    return Path(root).expanduser() / "wikiqa"


def load_wikiqa(split: str = "train", *, data_dir=None, verify: bool = True) -> WikiQA:
    """Load one split of the WikiQA corpus from ``$GDLAB_DATA_DIR/wikiqa/``.

    Parameters
    ----------
    split : {"train", "dev", "test"}, default "train"
    data_dir : str or path-like, optional
        Directory holding ``wikiqa/``; default: ``$GDLAB_DATA_DIR``.
    verify : bool, default True
        Check the file's SHA256 against the official release (and the row, question and
        positive counts). Pass False for a modified copy (e.g. with LF line ends).

    Returns
    -------
    WikiQA
        20,360 / 2,733 / 6,165 rows and 2,118 / 296 / 633 questions (873 / 126 / 243 of them
        with a correct sentence) for train / dev / test.

    Raises
    ------
    ValueError
        If ``split`` is not one of train, dev, test.
    DatasetNotFoundError
        If no data directory is given or set, or the file is missing; the message says where
        to put it.
    DatasetError
        If the file's SHA256 differs from the official one (with ``verify``) or a row is
        malformed (the message names the line, see :func:`read_wikiqa_tsv`).

    References
    ----------
    Y. Yang, W. Yih and C. Meek, "WikiQA: A challenge dataset for open-domain question
    answering", EMNLP 2015, doi:10.18653/v1/D15-1237. Microsoft Research Data License
    Agreement (research use); keep ``LICENSE.pdf`` next to the data.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    path = wikiqa_dir(data_dir) / f"WikiQA-{split}.tsv"
    if not path.is_file():
        raise DatasetNotFoundError(
            f"{path}: WikiQA file not found; put the official WikiQA-train.tsv, WikiQA-dev.tsv "
            f"and WikiQA-test.tsv in {path.parent} (${_DATA_DIR_ENV}/wikiqa/; corpus: {_URL})")
    if verify:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != _SHA256[split]:
            raise DatasetError(
                f"{path}: SHA256 mismatch: expected {_SHA256[split]}, got {digest} (not the "
                f"official file, e.g. line ends changed to LF; pass verify=False to read it anyway)")
    data = read_wikiqa_tsv(path)
    if verify:
        got = (len(data), data.n_questions, int(data.labels.sum()))
        if got != _SIZES[split]:  # pragma: no cover  (the hash already guarantees this)
            raise DatasetError(f"{path}: expected (rows, questions, positives) {_SIZES[split]}, got {got}")
    return data
