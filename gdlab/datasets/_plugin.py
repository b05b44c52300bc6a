"""Built-in datasets, registered through the same hook as third-party plugins."""

from ..hookspecs import hookimpl
from ._mnist import load_fashion_mnist, load_mnist
from ._spec import DatasetSpec

MNIST = DatasetSpec(
    name="mnist",
    load=load_mnist,
    ships_with_gdlab=True,
    references=("LeCun, Bottou, Bengio & Haffner, 1998, doi:10.1109/5.726791",),
    summary="MNIST handwritten digits, 60k/10k 28x28 grayscale (ships with gdlab)",
)

FASHION_MNIST = DatasetSpec(
    name="fashion-mnist",
    load=load_fashion_mnist,
    references=("Xiao, Rasul & Vollgraf, 2017, arXiv:1708.07747",),
    summary="Fashion-MNIST clothing images, 60k/10k 28x28 grayscale (from GDLAB_DATA_DIR)",
)


@hookimpl
def gdlab_register_datasets():
    return [MNIST, FASHION_MNIST]
