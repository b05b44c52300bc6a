"""Built-in optimizers, registered through the same hook as third-party plugins."""

from ..hookspecs import hookimpl
from ._adam import ADAM
from ._sgd import SGD


@hookimpl
def gdlab_register_optimizers():
    return [SGD, ADAM]
