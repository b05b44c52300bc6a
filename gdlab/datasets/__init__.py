"""Datasets for gdlab: MNIST (bundled), Fashion-MNIST (user-supplied), IDX reader.

MNIST: LeCun et al., Proc. IEEE 86(11), 1998 (CC BY-SA 3.0).
Fashion-MNIST: Xiao, Rasul and Vollgraf, arXiv:1708.07747, 2017 (MIT);
looked up in ``$GDLAB_DATA_DIR/fashion-mnist/`` or ``<data_dir>/fashion-mnist/``.
"""

from ._idx import DatasetError, DatasetNotFoundError, read_idx
from ._mnist import load_fashion_mnist, load_mnist, scale_images
from ._toy import exp_curve, load_diabetes, load_digits, load_iris, load_mnist_flat
from ._wikiqa import WikiQA, load_wikiqa, read_wikiqa_tsv

__all__ = [
    "DatasetError",
    "DatasetNotFoundError",
    "WikiQA",
    "exp_curve",
    "load_diabetes",
    "load_digits",
    "load_fashion_mnist",
    "load_iris",
    "load_mnist",
    "load_mnist_flat",
    "load_wikiqa",
    "read_wikiqa_tsv",
    "read_idx",
    "scale_images",
]
