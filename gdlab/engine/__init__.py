"""The one training engine: Python owns the epochs, compiled code owns chunks of mini-batches.

:func:`run_epochs` is the epoch driver every model trains through (the MLP of
:func:`gdlab.training.train`, DSSM/CLSM, the scikit-learn estimators, the linear models): it
sets up the optimizer state, draws each epoch's order, runs the model's compiled chunk kernel
chunk by chunk, keeps the optimizer's step counter, stops on a non-finite loss and calls the
model's end-of-epoch code. A model contributes only its kernel call (a :data:`ChunkRunner`) and
what it does after an epoch.
"""

from ._driver import (ChanceLevelWarning, ChunkResult, TrainingDiverged, chance_level_check,
                      ensure_state, run_epochs)
from ._history import History, save_two_panels

__all__ = ["ChanceLevelWarning", "ChunkResult", "chance_level_check", "History", "TrainingDiverged", "ensure_state", "run_epochs", "save_two_panels"]
