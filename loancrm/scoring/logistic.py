"""Logistic regression with an L2 penalty, fitted by Newton's method (IRLS) with numpy.

Model: P(bad | x) = 1 / (1 + exp(−(intercept + x·coefficients))). The penalty ``l2/2 · |coefficients|²`` leaves
the intercept free, which keeps the Hessian positive definite on collinear WOE columns; the fit is deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LogisticFit:
    intercept: float
    coefficients: list[float]

    def log_odds(self, x: Sequence[float]) -> float:
        return self.intercept + float(np.dot(self.coefficients, x))


def fit_logistic(
    x: Sequence[Sequence[float]], y: Sequence[int], *, l2: float = 1.0, max_iter: int = 100, tol: float = 1e-9
) -> LogisticFit:
    features = np.asarray(x, dtype=float).reshape(len(y), -1)
    target = np.asarray(y, dtype=float)
    design = np.hstack([np.ones((len(target), 1)), features])
    penalty = np.full(design.shape[1], float(l2))
    penalty[0] = 0.0
    mean = min(max(target.mean(), 1e-6), 1 - 1e-6)
    beta = np.zeros(design.shape[1])
    beta[0] = np.log(mean / (1 - mean))
    for _ in range(max_iter):
        p = 1.0 / (1.0 + np.exp(-(design @ beta)))
        gradient = design.T @ (target - p) - penalty * beta
        weights = p * (1 - p)
        hessian = design.T @ (design * weights[:, None]) + np.diag(penalty) + 1e-9 * np.eye(design.shape[1])
        step = np.linalg.solve(hessian, gradient)
        beta = beta + step
        if np.max(np.abs(step)) < tol:
            break
    return LogisticFit(intercept=float(beta[0]), coefficients=[float(b) for b in beta[1:]])
