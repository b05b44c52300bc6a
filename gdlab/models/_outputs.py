"""Integer codes of output layers, shared by Python and compiled kernels.

Each output activation comes with its canonical loss (the pairs for which the gradient of the
loss with respect to the output layer's pre-activation ``z`` is ``out(z) - y``), as in
scikit-learn's ``MLPClassifier``/``MLPRegressor`` (``out_activation_``):

=============  ===================  ==========================================
output         loss                 used for
=============  ===================  ==========================================
``identity``   half squared error   regression (``loss="squared_error"``)
``logistic``   binary log loss      binary and multilabel classification
``softmax``    log loss             multiclass classification
``exp``        half Poisson dev.    regression with ``loss="poisson"``
=============  ===================  ==========================================

``IDENTITY`` and ``LOGISTIC`` equal the hidden-activation codes of the same name in
:mod:`gdlab.models._codes`.
"""

OUT_IDENTITY, OUT_LOGISTIC, OUT_SOFTMAX, OUT_EXP = 0, 3, 4, 5
OUTPUTS = {"identity": OUT_IDENTITY, "logistic": OUT_LOGISTIC, "softmax": OUT_SOFTMAX, "exp": OUT_EXP}
LOSS_OF_OUTPUT = {"identity": "squared_error", "logistic": "binary_log_loss", "softmax": "log_loss",
                  "exp": "poisson"}
