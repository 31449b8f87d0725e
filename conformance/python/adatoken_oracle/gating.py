"""The AdaToken gate of DESIGN.md section 2.1: from the normalised contribution c of the spatial
tokens at layer K-1, choose which spatial tokens continue through layers K..L-1.

Sort order: c descending, ties by lower position first. Policy `tau=T` keeps the shortest prefix
of that order whose sum reaches 1-T. We evaluate it in its exact-arithmetic equivalent form: drop
the longest tail (the lowest-c end of the order) whose sum is at most T, the tail summed from its
smallest element upward in float64. Summing the small values first keeps the comparison accurate;
1 - (prefix sum) would cancel catastrophically (T = 0 must keep every token with c > 0, which a
prefix sum rounded to 1.0 would not). Policy `keep=R` keeps round_half_up(R*N) tokens of the same
order, where R is the exact decimal the request wrote (keep=0.3 with N=5 keeps 2: 0.3*5 = 1.5
rounds up, although the double nearest 0.3 times 5 is just below 1.5). Both counts are then
clamped to [min_keep, min(max_keep, N)].
"""
import math
import re
from fractions import Fraction
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PrunePolicy:
    kind: str                 # "tau" or "keep"
    value: float              # tau, or the keep ratio, as the double nearest the decimal text
    text: str = None          # the decimal as written (the keep count is rounded from it exactly)
    layer: int = 2            # K: layers 0..K-1 see every token, the gate uses c^{K-1}
    min_keep: int = 1
    max_keep: int = None      # None: N

    def describe(self):
        return f"{self.kind}={self.text if self.text is not None else repr(self.value)}"


@dataclass(frozen=True)
class GateDecision:
    kept: np.ndarray          # indices into the spatial block (0..N-1), ascending
    margin: float             # distance of the decision from flipping; +inf when nothing can flip it
    count_before_clamp: int


_DECIMAL = re.compile(r"^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def parse_policy(text):
    """'none' -> None; 'tau=0.05' -> ('tau', 0.05, '0.05'); 'keep=0.3' -> ('keep', 0.3, '0.3')."""
    text = text.strip()
    if text == "none":
        return None
    kind, sep, number = text.partition("=")
    if not sep or kind not in ("tau", "keep"):
        raise ValueError(f"prune must be 'none', 'tau=T' or 'keep=R', got {text!r}")
    if not _DECIMAL.match(number):
        raise ValueError(f"prune {text!r}: {number!r} is not a plain decimal number such as 0.05 or 5e-2")
    value = float(number)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"prune {text!r}: the value must lie in [0, 1]")
    return kind, value, number


def keep_count_for_ratio(ratio_text, n):
    """round(R*n) with halves rounded up, R the exact decimal `ratio_text`: floor(R*n + 1/2).
    (Python's round() rounds halves to even; Java: new BigDecimal(text).multiply(n) with
    RoundingMode.HALF_UP.)"""
    return math.floor(Fraction(ratio_text) * n + Fraction(1, 2))


def contribution_order(c):
    """Indices of c sorted by value descending, ties by lower index (= lower position) first."""
    return np.lexsort((np.arange(len(c)), -np.asarray(c, dtype=np.float64)))


def tail_sums(sorted_c):
    """tails[j] = sum of the j smallest-ranked entries of sorted_c (its last j), summed smallest first."""
    return np.concatenate(([0.0], np.cumsum(np.asarray(sorted_c, dtype=np.float64)[::-1])))


def choose_keep_set(c, policy):
    """Applies `policy` to the normalised contribution c (length N) of layer K-1."""
    c = np.asarray(c, dtype=np.float64)
    n = len(c)
    hi = n if policy.max_keep is None else min(policy.max_keep, n)
    lo = min(policy.min_keep, hi)

    def clamp(k):
        return min(max(k, lo), hi)

    order = contribution_order(c)
    sorted_c = c[order]
    margins = []
    if policy.kind == "tau":
        tails = tail_sums(sorted_c)
        t = int(np.count_nonzero(tails[1:] <= policy.value))   # tails is non-decreasing
        raw = n - t
        k = clamp(raw)
        # The count flips if tail(t) crosses above tau (drop one fewer) or tail(t+1) falls to tau.
        if t >= 1 and clamp(n - t + 1) != k:
            margins.append(abs(tails[t] - policy.value))
        if t + 1 <= n and clamp(n - t - 1) != k:
            margins.append(abs(tails[t + 1] - policy.value))
    elif policy.kind == "keep":
        raw = keep_count_for_ratio(policy.text if policy.text is not None else repr(policy.value), n)
        k = clamp(raw)
    else:
        raise ValueError(f"unknown prune policy {policy.kind!r}")
    if 0 < k < n:
        margins.append(sorted_c[k - 1] - sorted_c[k])    # which tokens sit on either side of the cut
    kept = np.sort(order[:k])
    return GateDecision(kept=kept, margin=min(margins) if margins else math.inf, count_before_clamp=raw)
