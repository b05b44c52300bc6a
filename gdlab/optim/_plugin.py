"""Built-in optimizers, registered through the same hook as third-party plugins."""

from ..hookspecs import hookimpl
from ._adadelta import ADADELTA
from ._adagrad import ADAGRAD
from ._adam import ADAM
from ._adamax import ADAMAX
from ._adamw import ADAMW
from ._lamb import LAMB
from ._nadam import NADAM
from ._nesterov import NESTEROV
from ._radam import RADAM
from ._rmsprop import RMSPROP
from ._sgd import SGD

BUILTIN = [SGD, NESTEROV, ADAGRAD, ADADELTA, RMSPROP, ADAM, ADAMW, ADAMAX, NADAM, RADAM, LAMB]


@hookimpl
def gdlab_register_optimizers():
    return list(BUILTIN)
