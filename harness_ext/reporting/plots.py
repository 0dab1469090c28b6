"""The PNG plots of the leaderboard and the rank ablation (matplotlib, imported lazily).

Every plot is drawn on a bare ``Figure`` (Agg, no pyplot state) and saved with no
software/date metadata and a fixed hash salt: the same input gives the same bytes.
A plot with nothing to draw says so in the image instead of failing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness_ext.judge.rubric import DIMENSIONS as JUDGE_DIMENSIONS
from harness_ext.planning.catalog import DEFAULT_CATALOG
from harness_ext.reporting.results import RunKey

if TYPE_CHECKING:
    from harness_ext.reporting.ablation import AblationRow
    from harness_ext.reporting.leaderboard import Leaderboard, Row

PLOT_TOKENS = "at_f1_vs_prompt_tokens.png"
PLOT_RETENTION = "quality_vs_retention.png"
PLOT_JUDGE = "judge_dimensions.png"
# Rank-ablation markers and colours: ones the quality lines (C0-C2) do not use.
SUITE_STYLES = {
    "forget_probe": ("o", "tab:red"),
    "forget_mmlu": ("s", "tab:purple"),
    "forget_mmlu_cloze": ("D", "tab:brown"),
}


def _label(key: RunKey) -> str:
    parts = [key.model]
    if key.adapter:
        parts.append(key.adapter)
    if key.quantization != "none":
        parts.append(key.quantization)
    return " / ".join(parts)


def _figure(title: str) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, 4.8), dpi=100)
    ax = fig.subplots()
    ax.set_title(title)
    return fig, ax


def _no_data(ax: Any, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, wrap=True)
    ax.set_xticks([])
    ax.set_yticks([])


def save(fig: Any, path: Path, bbox_inches: str | None = None) -> None:
    """Lay out and write ``fig`` as PNG with no metadata (``bbox_inches`` as matplotlib)."""
    import matplotlib

    extra = {} if bbox_inches is None else {"bbox_inches": bbox_inches}
    # No software/date metadata and a fixed hash salt: same input, same bytes.
    with matplotlib.rc_context({"svg.hashsalt": "toolplan-eval"}):
        fig.tight_layout()
        fig.savefig(path, format="png", metadata={"Software": None}, **extra)


def _scope(row: Row) -> str:
    """The row's split, with its catalog when it is not the shipped AssetOps one."""
    return row.split if row.catalog == DEFAULT_CATALOG else f"{row.catalog}, {row.split}"


def plot_tokens(board: Leaderboard, path: Path) -> str:
    """AT-F1 against mean prompt tokens; informed and free of one model joined by a line."""
    title = "AT-F1 vs prompt tokens"
    fig, ax = _figure(title)
    points = [r for r in board.rows if r.get("at_f1") is not None and r.get("prompt_tokens")]
    if not points:
        _no_data(ax, "no run reports both at_f1 and prompt_tokens yet")
    else:
        colors = {"informed": "tab:blue", "free": "tab:orange"}
        pairs: dict[tuple[RunKey, str, str], list[Row]] = {}
        for r in points:
            pairs.setdefault((r.key, r.catalog, r.split), []).append(r)
        for group in pairs.values():
            if len(group) == 2:
                ax.plot(
                    [g.get("prompt_tokens") for g in group],
                    [g.get("at_f1") for g in group],
                    color="0.6",
                    linestyle="--",
                    linewidth=1,
                )
        for condition, color in colors.items():
            chosen = [r for r in points if r.condition == condition]
            if chosen:
                ax.scatter(
                    [r.get("prompt_tokens") for r in chosen],
                    [r.get("at_f1") for r in chosen],
                    color=color,
                    label=condition,
                    zorder=3,
                )
        for r in points:
            ax.annotate(
                f"{_label(r.key)} ({_scope(r)})",
                (r.get("prompt_tokens"), r.get("at_f1")),
                textcoords="offset points",
                xytext=(5, 5),
                fontsize=8,
            )
        ax.set_xscale("log")
        ax.set_xlabel("mean prompt tokens (log scale)")
        ax.set_ylabel("AT-F1")
        ax.set_ylim(-0.05, 1.05)
        ax.grid(True, alpha=0.3)
        ax.legend(title="condition")
    save(fig, path)
    return title


def retention_points(board: Leaderboard) -> list[tuple[float, float, Row]]:
    """(retention %, free AT-F1, row) for every free row with both, on the primary suite."""
    suite = board.suites[0] if board.suites else ""
    points = []
    for r in board.rows:
        ret = dict((s, ret) for s, _, ret in r.forgetting).get(suite)
        at_f1 = r.get("at_f1")
        if r.condition == "free" and at_f1 is not None and ret is not None:
            points.append((100 * ret, at_f1, r))
    return points


def plot_retention(board: Leaderboard, path: Path) -> str:
    """Planning quality (free-condition AT-F1) against retention — the rank trade-off.

    Retention is plotted on the first suite of ``board.suites`` (forget_probe, else
    forget_mmlu, ...).
    """
    suite = board.suites[0] if board.suites else None
    title = f"Planning quality vs retention ({suite or 'no forgetting suite'})"
    fig, ax = _figure(title)
    points = retention_points(board)
    if not points:
        _no_data(ax, "no run has both free-condition AT-F1 and a retention yet")
    else:
        for x, y, r in points:
            color = "tab:gray" if not r.key.adapter else "tab:green"
            ax.scatter([x], [y], color=color, zorder=3)
            ax.annotate(
                f"{_label(r.key)} ({_scope(r)})",
                (x, y),
                textcoords="offset points",
                xytext=(5, 5),
                fontsize=8,
            )
        ax.axvline(100, color="0.6", linestyle="--", linewidth=1)
        ax.set_xlabel(f"retention on {suite} (% of the base model's accuracy)")
        ax.set_ylabel("AT-F1, description-free")
        ax.set_ylim(-0.05, 1.05)
        ax.grid(True, alpha=0.3)
    save(fig, path)
    return title


def plot_judge(board: Leaderboard, path: Path) -> str:
    """Mean LLM-judge score per rubric dimension, one bar group per row."""
    title = "LLM-judge dimensions (1–5)"
    fig, ax = _figure(title)
    rows = [r for r in board.rows if any(r.get(f"judge_{d}") is not None for d in JUDGE_DIMENSIONS)]
    if not rows:
        _no_data(ax, "no judge scores in these results yet")
    else:
        width = 0.8 / len(rows)
        for i, r in enumerate(rows):
            values = [r.get(f"judge_{d}") for d in JUDGE_DIMENSIONS]
            xs = [j + i * width for j, v in enumerate(values) if v is not None]
            ax.bar(
                xs,
                [v for v in values if v is not None],
                width=width,
                label=f"{_label(r.key)} {r.condition} ({_scope(r)})",
            )
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(JUDGE_DIMENSIONS))])
        ax.set_xticklabels([d.replace("_", "\n") for d in JUDGE_DIMENSIONS], fontsize=8)
        ax.set_ylim(0, 5.2)
        ax.set_ylabel("mean score")
        ax.legend(fontsize=7)
    save(fig, path)
    return title


def plot_rank_ablation(rows: Sequence[AblationRow], suites: Sequence[str], path: Path) -> None:
    """Left: AT-F1 vs retention, labelled by rank. Right: quality and retention vs rank.

    ``rows`` are sorted by rank; a suite with no retention in any row is left out of the
    left panel, a metric value of ``None`` is left out of its line.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4.4), dpi=100)
    left, right = fig.subplots(1, 2)
    for suite in suites:
        marker, color = SUITE_STYLES[suite]
        pts = [
            (100 * ret, at_f1, d.rank)
            for d in rows
            if (at_f1 := d.metrics["at_f1"]) is not None
            and (ret := d.forgetting[suite].retention) is not None
        ]
        if not pts:
            continue
        n = next(d.forgetting[suite].n for d in rows if d.forgetting[suite].n)
        left.scatter(
            [x for x, _, _ in pts], [y for _, y, _ in pts], marker=marker, color=color,
            zorder=3, label=f"{suite} ({n} questions)",
        )  # fmt: skip
        for x, y, rank in pts:
            left.annotate(f"r={rank}", (x, y), textcoords="offset points", xytext=(6, 4))
    left.axvline(100, color="grey", lw=0.8, ls="--", label="base model (100 %)")
    left.set_xlabel("retention, % of the 8-bit base model's accuracy")
    left.set_ylabel("AT-F1, description-free (test30)")
    left.set_title("Planning quality vs retention")
    # Below the axes: the points spread over the whole panel.
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=8)
    left.grid(alpha=0.3)
    ranks = [d.rank for d in rows]
    for key, label, style in (
        ("at_f1", "AT-F1", "o-"),
        ("at_f1_nb", "AT-F1 (notebook)", "s--"),
        ("tool_f1", "tool F1", "^:"),
    ):
        ys = [d.metrics[key] for d in rows]
        xs = [r for r, y in zip(ranks, ys, strict=True) if y is not None]
        right.plot(xs, [y for y in ys if y is not None], style, label=label)
    for suite in suites:
        marker, color = SUITE_STYLES[suite]
        accs = [(d.rank, acc) for d in rows if (acc := d.forgetting[suite].acc) is not None]
        if accs:
            right.plot(*zip(*accs, strict=True), marker + "-", color=color, mfc="none",
                       label=f"{suite} acc")  # fmt: skip
        base = next((b for d in rows if (b := d.forgetting[suite].base_acc) is not None), None)
        if base is not None:
            right.axhline(base, color=color, lw=0.8, ls="--", label=f"{suite} acc, base")
    right.set_xscale("log", base=2)
    right.set_xticks(ranks, [str(r) for r in ranks])
    right.set_xlabel("LoRA rank r (alpha = 2r)")
    right.set_ylim(0, 1)
    right.set_title("Quality and retention vs rank")
    right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, fontsize=7)
    right.grid(alpha=0.3)
    save(fig, path, bbox_inches="tight")
