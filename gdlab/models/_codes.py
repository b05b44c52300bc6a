"""Integer codes of hidden-layer activations, shared by Python and compiled kernels."""

IDENTITY, RELU, TANH, LOGISTIC = 0, 1, 2, 3
ACTIVATIONS = {"identity": IDENTITY, "relu": RELU, "tanh": TANH, "logistic": LOGISTIC}
