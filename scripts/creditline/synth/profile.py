"""Calibrations of the book's repayment behaviour: how often borrowers miss, and what a line
in arrears does each month (cures, pays part and stays in its bucket, or rolls deeper).

`standard` is the default demo book, calibrated to the ranges in docs/calibration.md; `prime`
and `subprime` shift it towards a bank-like and a high-rate online book. Each number is a
documented rate: the calibration table says which figure of the built book it moves.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Profile:
    name: str
    miss_scale: float  # multiplies each customer's monthly probability to miss an installment
    cure_first: float  # cure probability one month into arrears, for an average customer
    cure_decay: float  # each month deeper in arrears multiplies the cure probability by this
    stay_decay: float  # each month spent paying part (not deeper) multiplies it by this too
    partial: tuple[
        float, ...
    ]  # probability to pay part and stay, by depth 1, 2, ... (last repeats)
    campaign: float  # monthly cure from collections campaigns, for lines 1-2 months behind

    def cure(self, risk_z: np.ndarray, depth: np.ndarray, stayed: np.ndarray) -> np.ndarray:
        """Probability that a line `depth` months behind pays everything this month."""
        first = np.clip(self.cure_first - 0.12 * risk_z, 0.05, 0.85)
        p = first * self.cure_decay ** (depth - 1) * self.stay_decay**stayed
        return np.minimum(p + np.where(depth <= 2, self.campaign, 0.0), 0.95)

    def stays(self, depth: np.ndarray) -> np.ndarray:
        """Probability that a line `depth` months behind pays one month's due and stays."""
        table = np.asarray(self.partial)
        return table[np.minimum(depth, table.size) - 1]


PROFILES = {
    "prime": Profile("prime", 0.8, 0.42, 0.5, 0.8, (0.08, 0.26, 0.2, 0.18, 0.08), 0.1),
    "standard": Profile("standard", 1.3, 0.32, 0.45, 0.8, (0.08, 0.26, 0.2, 0.18, 0.08), 0.1),
    "subprime": Profile("subprime", 3.6, 0.26, 0.4, 0.75, (0.08, 0.24, 0.2, 0.18, 0.08), 0.05),
}
DEFAULT_PROFILE = "standard"
