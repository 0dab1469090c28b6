"""``toolplan train``: QLoRA-train an internalization adapter and write its manifest."""

from __future__ import annotations

import argparse
import shlex

from harness_ext.models.quantize import QUANTIZATIONS
from harness_ext.training.sft import TrainConfig

HELP = "QLoRA-train an adapter on build-data output (8/4-bit or fp32 base, CPU or GPU)"

# Options in the order the recorded command lists them (every option, defaults included,
# so the manifest's command reproduces the run even if defaults change later).
_RECORDED = (
    ("base", "--base"), ("data", "--data"), ("out", "--out"), ("quantization", "--quantization"),
    ("r", "--r"), ("alpha", "--alpha"), ("dropout", "--dropout"),
    ("target_modules", "--target-modules"), ("lr", "--lr"), ("epochs", "--epochs"),
    ("warmup_ratio", "--warmup-ratio"), ("weight_decay", "--weight-decay"),
    ("max_steps", "--max-steps"), ("max_seq_len", "--max-seq-len"),
    ("batch_size", "--batch-size"), ("grad_accum", "--grad-accum"),
    ("save_steps", "--save-steps"), ("eval_steps", "--eval-steps"),
    ("logging_steps", "--logging-steps"), ("seed", "--seed"), ("device", "--device"),
    ("gradient_checkpointing", "--gradient-checkpointing"),
    ("threads", "--threads"), ("stage", "--stage"), ("init", "--init"),
)  # fmt: skip


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the training options (defaults: the paper's recipe, DESIGN.md §5)."""
    d = TrainConfig(base="", data="", out="")
    parser.add_argument("--base", required=True, help="embedded alias, model folder or hub id")
    parser.add_argument("--data", required=True, help="build-data folder or a chat JSONL file")
    parser.add_argument("--out", required=True, help="adapter folder, e.g. adapters/<name>")
    parser.add_argument("--quantization", choices=QUANTIZATIONS, default=d.quantization)
    parser.add_argument("--r", type=int, default=d.r, help="LoRA rank")
    parser.add_argument("--alpha", type=int, default=d.alpha, help="LoRA alpha")
    parser.add_argument("--dropout", type=float, default=d.dropout, help="LoRA dropout")
    parser.add_argument("--target-modules", default=d.target_modules)
    parser.add_argument("--lr", type=float, default=d.lr)
    parser.add_argument("--epochs", type=float, default=d.epochs)
    parser.add_argument("--warmup-ratio", type=float, default=d.warmup_ratio)
    parser.add_argument("--weight-decay", type=float, default=d.weight_decay)
    parser.add_argument("--max-steps", type=int, default=d.max_steps, help="-1: use --epochs")
    parser.add_argument("--max-seq-len", type=int, default=d.max_seq_len)
    parser.add_argument("--batch-size", type=int, default=d.batch_size)
    parser.add_argument("--grad-accum", type=int, default=d.grad_accum)
    parser.add_argument(
        "--save-steps", type=int, default=d.save_steps, help="checkpoint every N optimizer steps"
    )
    parser.add_argument(
        "--eval-steps",
        type=int,
        default=None,
        help="eval loss every N steps (default: --save-steps)",
    )
    parser.add_argument("--logging-steps", type=int, default=d.logging_steps)
    parser.add_argument("--save-total-limit", type=int, default=d.save_total_limit)
    parser.add_argument("--seed", type=int, default=d.seed)
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default=d.device)
    parser.add_argument(
        "--gradient-checkpointing",
        choices=("auto", "on", "off"),
        default=d.gradient_checkpointing,
        help="auto: on with a GPU only",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="CPU threads for torch (default: torch's choice; 1 is steadier on a busy machine)",
    )
    parser.add_argument(
        "--resume", action="store_true", help="continue from the last checkpoint in OUT/checkpoints"
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="delete existing checkpoints in OUT and start again",
    )
    parser.add_argument("--name", default=None, help="manifest name (default: OUT's folder name)")
    parser.add_argument(
        "--kind",
        choices=("internalization", "placeholder"),
        default=d.kind,
        help="manifest kind: placeholder marks a briefly trained stand-in (CI fixture)",
    )
    parser.add_argument("--description", default="")
    # α-UMi agent (harness_ext.agents): which role's data, and the adapter to start from.
    parser.add_argument(
        "--stage",
        choices=("backbone", "planner", "caller", "summarizer"),
        default=None,
        help="agent role to train: reads DATA/<stage> of `toolplan build-data --family agent`",
    )
    parser.add_argument(
        "--init",
        default=None,
        metavar="ADAPTER",
        help="continue from this adapter (stage 2: each role starts from the backbone)",
    )


def recorded_command(args: argparse.Namespace) -> str:
    """The full command line of this run (every option, including defaults)."""
    parts = ["toolplan", "train"]
    for attr, flag in _RECORDED:
        value = getattr(args, attr)
        if value is not None:
            parts += [flag, str(value)]
    return shlex.join(parts)


def run(args: argparse.Namespace) -> int:
    """Train and print where the adapter went."""
    from harness_ext.training.sft import train

    data, kind, extra = args.data, args.kind, {}
    if args.stage:
        from harness_ext.agents.training_data import stage_data

        data = stage_data(args.data, args.stage)
        kind = f"agent-{args.stage}" if args.kind == "internalization" else args.kind
        extra = {"agent": {"stage": args.stage, "init": args.init}}
    config = TrainConfig(
        base=args.base,
        data=data,
        out=args.out,
        quantization=args.quantization,
        r=args.r,
        alpha=args.alpha,
        dropout=args.dropout,
        target_modules=args.target_modules,
        lr=args.lr,
        epochs=args.epochs,
        warmup_ratio=args.warmup_ratio,
        weight_decay=args.weight_decay,
        max_steps=args.max_steps,
        max_seq_len=args.max_seq_len,
        batch_size=args.batch_size,
        grad_accum=args.grad_accum,
        save_steps=args.save_steps,
        eval_steps=args.eval_steps,
        logging_steps=args.logging_steps,
        save_total_limit=args.save_total_limit,
        seed=args.seed,
        resume=args.resume,
        overwrite=args.overwrite,
        device=args.device,
        gradient_checkpointing=args.gradient_checkpointing,
        threads=args.threads,
        name=args.name,
        kind=kind,
        description=args.description,
        command=recorded_command(args),
        extra=extra,
        init=args.init,
    )
    summary = train(config)
    loss = (
        f"eval loss {summary['eval_loss']:.4f}"
        if summary["eval_loss"] is not None
        else "no eval set"
    )
    print(
        f"adapter written to {args.out}: step {summary['global_step']} "
        f"({summary['steps_this_run']} this run), train loss {summary['train_loss']:.4f}, {loss}, "
        f"{summary['seconds_per_step']} s/step on {summary['device']}"
    )
    return 0
