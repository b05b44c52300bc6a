"""MNIST (bundled) and Fashion-MNIST (user-supplied) loaders."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import numpy as np

from ._idx import DatasetError, DatasetNotFoundError, read_idx

__all__ = ["load_mnist", "load_fashion_mnist", "scale_images"]

# Environment variable naming the directory that holds ``fashion-mnist/``.
_DATA_DIR_ENV = "GDLAB_DATA_DIR"

_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
_N = {"train": 60000, "test": 10000}

# SHA256 of the original published .gz files (see shared/data/README.md).
_SHA256 = {
    "mnist": {
        "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    },
    "fashion-mnist": {
        "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    },
}

_FASHION_URL = "https://github.com/zalandoresearch/fashion-mnist"


def _mnist_dir() -> Path:
    """Directory of the bundled MNIST files (tests monkeypatch this)."""
    root = resources.files(__package__)
    if not isinstance(root, Path):  # e.g. imported from a zip archive
        raise DatasetError(
            f"{root}: the bundled MNIST files must be on the file system; "
            "install gdlab as a regular (unzipped) package"
        )
    return root / "data" / "mnist"


def _split_files(split: str) -> tuple[str, str]:
    try:
        return _FILES[split]
    except (KeyError, TypeError):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}") from None


def _load_pair(images_path, labels_path, *, n=None, sha_images=None, sha_labels=None):
    """Read an images/labels pair and check that they fit together."""
    images = read_idx(images_path, sha256=sha_images)
    labels = read_idx(labels_path, sha256=sha_labels)
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        raise DatasetError(
            f"{images_path}: expected uint8 images of shape (n, 28, 28), "
            f"got {images.dtype} of shape {images.shape}"
        )
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise DatasetError(
            f"{labels_path}: expected uint8 labels of shape (n,), "
            f"got {labels.dtype} of shape {labels.shape}"
        )
    if len(images) != len(labels):
        raise DatasetError(
            f"{images_path} holds {len(images)} images but {labels_path} "
            f"holds {len(labels)} labels"
        )
    if n is not None and len(images) != n:
        raise DatasetError(f"{images_path}: expected {n} samples, got {len(images)}")
    if labels.size and labels.max() > 9:
        raise DatasetError(f"{labels_path}: labels must be in 0..9, found {labels.max()}")
    return images, labels


def _load_split(dataset: str, directory: Path, split: str, missing: str):
    """Images and labels of ``split`` from ``directory``, SHA256-checked against ``dataset``."""
    names = _split_files(split)
    for name in names:
        if not (directory / name).is_file():
            raise DatasetNotFoundError(f"{directory / name}: {missing}")
    images_name, labels_name = names
    return _load_pair(
        directory / images_name,
        directory / labels_name,
        n=_N[split],
        sha_images=_SHA256[dataset][images_name],
        sha_labels=_SHA256[dataset][labels_name],
    )


def load_mnist(split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Load the MNIST handwritten digits bundled with gdlab.

    Parameters
    ----------
    split : {"train", "test"}, default "train"
        ``"train"``: the 60,000 training samples; ``"test"``: the 10,000
        test samples (the original ``t10k`` files).

    Returns
    -------
    images : numpy.ndarray of uint8, shape (n, 28, 28)
        Grey levels 0 (background) to 255 (ink).
    labels : numpy.ndarray of uint8, shape (n,)
        Digits 0 to 9.

        ``n`` is 60000 for ``"train"`` and 10000 for ``"test"``. Both arrays
        are new and writable.

    Raises
    ------
    ValueError
        If `split` is not ``"train"`` or ``"test"``.
    DatasetNotFoundError
        If a bundled file is missing (a broken installation).
    DatasetError
        If a file's SHA256 differs from the published original's, or the
        files are otherwise unreadable or inconsistent. The message names
        the file.

    Notes
    -----
    The four original gzip IDX files ship in ``gdlab/datasets/data/mnist``
    and are checked against their SHA256 on every load. MNIST is licensed
    CC BY-SA 3.0 by Yann LeCun and Corinna Cortes.

    References
    ----------
    Y. LeCun, L. Bottou, Y. Bengio and P. Haffner, "Gradient-based learning
    applied to document recognition", Proc. IEEE 86(11):2278-2324, 1998.
    """
    return _load_split(
        "mnist", _mnist_dir(), split,
        "bundled MNIST file not found (the gdlab installation is incomplete; reinstall it)",
    )


def load_fashion_mnist(
    split: str = "train", *, data_dir: str | os.PathLike | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Load Fashion-MNIST from a local copy of the original files.

    Fashion-MNIST is not bundled. The four original gzip files
    (``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
    ``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz``, from
    https://github.com/zalandoresearch/fashion-mnist) are looked up in
    ``<data_dir>/fashion-mnist/``, or in ``$GDLAB_DATA_DIR/fashion-mnist/``
    when `data_dir` is not given.

    Parameters
    ----------
    split : {"train", "test"}, default "train"
        ``"train"``: 60,000 samples; ``"test"``: 10,000 samples.
    data_dir : str or path-like, optional
        Directory holding the ``fashion-mnist/`` folder. Default ``None``:
        use the ``GDLAB_DATA_DIR`` environment variable.

    Returns
    -------
    images : numpy.ndarray of uint8, shape (n, 28, 28)
        Grey levels 0 to 255.
    labels : numpy.ndarray of uint8, shape (n,)
        Classes 0 to 9: T-shirt/top, Trouser, Pullover, Dress, Coat,
        Sandal, Shirt, Sneaker, Bag, Ankle boot.

        ``n`` is 60000 for ``"train"`` and 10000 for ``"test"``.

    Raises
    ------
    ValueError
        If `split` is not ``"train"`` or ``"test"``.
    DatasetNotFoundError
        If neither `data_dir` nor ``GDLAB_DATA_DIR`` is set, or a file is
        missing; the message says where to put it.
    DatasetError
        If a file's SHA256 differs from the published original's, or the
        files are otherwise unreadable or inconsistent. The message names
        the file.

    Notes
    -----
    Fashion-MNIST is MIT-licensed, Copyright (c) 2017 Zalando SE.

    References
    ----------
    H. Xiao, K. Rasul and R. Vollgraf, "Fashion-MNIST: a Novel Image
    Dataset for Benchmarking Machine Learning Algorithms",
    arXiv:1708.07747, 2017.
    """
    images_name, labels_name = _split_files(split)
    if data_dir is not None:
        root, source = data_dir, "the data_dir argument"
    else:
        root, source = os.environ.get(_DATA_DIR_ENV) or None, f"${_DATA_DIR_ENV}"
    if root is None:
        raise DatasetNotFoundError(
            f"fashion-mnist/{images_name}: Fashion-MNIST is not bundled with gdlab; "
            f"set ${_DATA_DIR_ENV} or pass data_dir= to a directory holding "
            f"fashion-mnist/{images_name} and fashion-mnist/{labels_name} "
            f"(original files: {_FASHION_URL})"
        )
    directory = Path(root).expanduser() / "fashion-mnist"
    return _load_split(
        "fashion-mnist", directory, split,
        f"Fashion-MNIST file not found (directory from {source}); put it at "
        f"${_DATA_DIR_ENV}/fashion-mnist/ or <data_dir>/fashion-mnist/ "
        f"(original files: {_FASHION_URL})",
    )


def scale_images(images: np.ndarray, dtype=np.float32) -> np.ndarray:
    """Flatten images and map grey levels 0..255 linearly onto [-1, 1].

    Computes ``(x / 255 - 0.5) / 0.5`` (that is, ``x / 127.5 - 1``), the
    usual normalisation of MNIST for MLPs: 0 -> -1, 127.5 -> 0, 255 -> 1.

    Parameters
    ----------
    images : array_like, shape (n, ...)
        Grey levels in 0..255, usually uint8 of shape (n, 28, 28). Values
        outside 0..255 are scaled the same way and land outside [-1, 1].
    dtype : {numpy.float32, numpy.float64}, default numpy.float32
        Output dtype; the arithmetic is done in it.

    Returns
    -------
    numpy.ndarray, shape (n, d)
        A new C-contiguous array of `dtype`, where ``d`` is the product of
        the trailing dimensions (784 for MNIST); row ``i`` is
        ``images[i]`` flattened in C order.

    Raises
    ------
    ValueError
        If `dtype` is not float32 or float64, or `images` is 0-dimensional.
    """
    dtype = np.dtype(dtype)
    if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    images = np.asarray(images)
    if images.ndim == 0:
        raise ValueError("images must have shape (n, ...), got a 0-dimensional array")
    n = images.shape[0]
    d = int(np.prod(images.shape[1:], dtype=np.int64))
    out = images.reshape(n, d).astype(dtype, order="C")
    out /= dtype.type(127.5)
    out -= dtype.type(1)
    return out
