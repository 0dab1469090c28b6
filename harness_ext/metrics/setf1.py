"""Set F1 with explicit empty-set rules, shared by every plan metric."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence


def set_f1(gold: Collection[Hashable], pred: Collection[Hashable]) -> float:
    """F1 of two sets (duplicates collapse).

    Rules: both empty -> 1.0; exactly one empty -> 0.0; otherwise
    P = |g∩p|/|p|, R = |g∩p|/|g|, F1 = 2PR/(P+R), and 0.0 when nothing matches.
    """
    g, p = set(gold), set(pred)
    if not g and not p:
        return 1.0
    if not g or not p:
        return 0.0
    tp = len(g & p)
    if tp == 0:
        return 0.0
    precision, recall = tp / len(p), tp / len(g)
    return 2 * precision * recall / (precision + recall)


def lcs_length(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """Length of the longest common subsequence (O(len(a)*len(b)), plans are short)."""
    if not a or not b:
        return 0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def sequence_similarity(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    """2·LCS / (len(gold) + len(pred)). Both empty -> 1.0; one empty -> 0.0."""
    if not gold and not pred:
        return 1.0
    if not gold or not pred:
        return 0.0
    return 2 * lcs_length(gold, pred) / (len(gold) + len(pred))
