"""K-fold cross-validation of gdlab models with scikit-learn's splitters (D2L 3.6 / 5.7).

gdlab does not reimplement cross-validation: its models are scikit-learn estimators, so
``KFold``/``StratifiedKFold`` and ``cross_val_score`` / ``GridSearchCV`` work as they are.
Here: 5-fold CV of ridge regression (choosing alpha) on diabetes, and of gdlab's
``MLPClassifier`` against scikit-learn's on digits (same folds, same hyperparameters).

Run: ``python docs/examples/kfold_cv.py`` (about a minute on 2 cores, compilation included).
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier as SklearnMLP
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from gdlab.datasets._toy import load_diabetes, load_digits
from gdlab.models import RidgeRegression
from gdlab.sklearn import MLPClassifier


def main():
    X, y = load_diabetes()
    kfold = KFold(n_splits=5, shuffle=True, random_state=0)
    search = GridSearchCV(RidgeRegression(), {"alpha": [1e-3, 1e-2, 0.1, 1.0, 10.0]}, cv=kfold)
    search.fit(X, y)
    print("ridge on diabetes, 5-fold CV R^2 by alpha:")
    for alpha, score in zip(search.cv_results_["param_alpha"], search.cv_results_["mean_test_score"]):
        print(f"  alpha={alpha:<6g} {score:.4f}")
    print(f"  best alpha {search.best_params_['alpha']}")

    X, y = load_digits()
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    kw = dict(hidden_layer_sizes=(64,), max_iter=100, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = cross_val_score(make_pipeline(StandardScaler(), MLPClassifier(**kw)), X, y, cv=folds)
        theirs = cross_val_score(make_pipeline(StandardScaler(), SklearnMLP(**kw)), X, y, cv=folds)
    print("\nMLPClassifier on digits, 5-fold stratified CV accuracy:")
    print(f"  gdlab   {np.round(ours, 4)} mean {ours.mean():.4f}")
    print(f"  sklearn {np.round(theirs, 4)} mean {theirs.mean():.4f}")


if __name__ == "__main__":
    main()
