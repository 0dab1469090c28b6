"""``toolplan train``: QLoRA-train an adapter (SFT, or GRPO with ``--method grpo``) and write
its manifest."""

from __future__ import annotations

import argparse
import dataclasses
import shlex
from typing import Any

from harness_ext.errors import ToolplanError
from harness_ext.models.quantize import QUANTIZATIONS
from harness_ext.training.sft import TrainConfig

HELP = (
    "QLoRA-train an adapter: SFT on build-data output, or GRPO with the harness's scorer "
    "as reward (--method grpo)"
)

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
# Recorded after the shared options when --method grpo.
_RECORDED_GRPO = (
    ("method", "--method"), ("reward", "--reward"), ("reward_weights", "--reward-weights"),
    ("profile", "--profile"), ("num_generations", "--num-generations"),
    ("max_completion_length", "--max-completion-length"), ("temperature", "--temperature"),
    ("beta", "--beta"), ("fc_format", "--fc-format"), ("max_prompts", "--max-prompts"),
    ("use_vllm", "--use-vllm"), ("scenarios", "--scenarios"), ("catalog", "--catalog"),
)  # fmt: skip
# SFT options that GRPO has no use for: given with --method grpo they are an error, and a
# GRPO run's recorded command leaves them out.
_SFT_ONLY = {"epochs": "--epochs", "max_seq_len": "--max-seq-len", "eval_steps": "--eval-steps",
             "stage": "--stage"}  # fmt: skip
# LoRA shape options: with --init the adapter's own shape is trained, whatever they say.
_LORA_SHAPE = ("r", "alpha", "dropout", "target_modules")
# Shared options whose default depends on --method (SFT: TrainConfig's; GRPO: the profile's).
_PROFILED = (
    "quantization", "r", "alpha", "dropout", "target_modules", "lr", "warmup_ratio",
    "weight_decay", "max_steps", "batch_size", "grad_accum", "save_steps", "logging_steps",
)  # fmt: skip


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the training options (defaults: the paper's recipe, DESIGN.md §5)."""
    d = TrainConfig(base="", data="", out="")
    parser.add_argument("--base", required=True, help="embedded alias, model folder or hub id")
    parser.add_argument("--data", required=True, help="build-data folder or a chat JSONL file")
    parser.add_argument("--out", required=True, help="adapter folder, e.g. adapters/<name>")
    parser.add_argument(
        "--quantization", choices=QUANTIZATIONS, default=None, help=f"default {d.quantization}"
    )
    parser.add_argument("--r", type=int, default=None, help=f"LoRA rank (default {d.r})")
    parser.add_argument("--alpha", type=int, default=None, help=f"LoRA alpha ({d.alpha})")
    parser.add_argument("--dropout", type=float, default=None, help=f"LoRA dropout ({d.dropout})")
    parser.add_argument("--target-modules", default=None, help=f"default {d.target_modules}")
    parser.add_argument("--lr", type=float, default=None, help=f"default {d.lr}")
    parser.add_argument("--epochs", type=float, default=None, help=f"SFT (default {d.epochs})")
    parser.add_argument(
        "--warmup-ratio", type=float, default=None, help=f"default {d.warmup_ratio}"
    )
    parser.add_argument(
        "--weight-decay", type=float, default=None, help=f"default {d.weight_decay}"
    )
    parser.add_argument(
        "--max-steps", type=int, default=None, help="-1 (SFT default): use --epochs"
    )
    parser.add_argument(
        "--max-seq-len", type=int, default=None, help=f"SFT (default {d.max_seq_len})"
    )
    parser.add_argument("--batch-size", type=int, default=None, help=f"default {d.batch_size}")
    parser.add_argument("--grad-accum", type=int, default=None, help=f"default {d.grad_accum}")
    parser.add_argument(
        "--save-steps",
        type=int,
        default=None,
        help=f"checkpoint every N optimizer steps (default {d.save_steps})",
    )
    parser.add_argument(
        "--eval-steps",
        type=int,
        default=None,
        help="SFT: eval loss every N steps (default: --save-steps)",
    )
    parser.add_argument(
        "--logging-steps", type=int, default=None, help=f"default {d.logging_steps}"
    )
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
        choices=("internalization", "placeholder", "warmup"),
        default=d.kind,
        help="manifest kind (SFT): placeholder marks a briefly trained stand-in (CI fixture), "
        "warmup a short format warm-up that a GRPO run continues with --init",
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
        help="continue from this adapter (stage 2: each role starts from the backbone; "
        "with --method grpo: SFT -> GRPO, manifest kind sft+grpo)",
    )
    grpo = parser.add_argument_group(
        "GRPO (--method grpo)",
        "DATA is a prompt source: bfcl[:CAT,...] (live categories), assetops (training "
        "scenarios), an xLAM-format JSON/JSONL file or hub id. Options left unset above "
        "take the --profile's values (harness_ext.training.grpo).",
    )
    grpo.add_argument("--method", choices=("sft", "grpo"), default="sft")
    grpo.add_argument("--reward", choices=("function_call", "plan"), default=None,
                      help="default: the one DATA's rows are for")  # fmt: skip
    grpo.add_argument(
        "--reward-weights",
        default=None,
        metavar="K=V,...",
        help="function_call: format,name,args (0.125,0.375,0.5); plan: format,at_f1",
    )
    grpo.add_argument("--profile", choices=("auto", "cpu", "gpu"), default="auto",
                      help="gpu: paper (b)'s hyperparameters; cpu: fits 2 cores")  # fmt: skip
    grpo.add_argument("--num-generations", type=int, default=None)
    grpo.add_argument("--max-completion-length", type=int, default=None)
    grpo.add_argument("--temperature", type=float, default=1.0)
    grpo.add_argument("--beta", type=float, default=0.04, help="KL coefficient")
    grpo.add_argument("--fc-format", choices=("json", "python"), default="json")
    grpo.add_argument("--max-prompts", type=int, default=None,
                      help="train on a seeded sample of this many prompts")  # fmt: skip
    grpo.add_argument("--use-vllm", choices=("auto", "on", "off"), default="auto")
    grpo.add_argument("--scenarios", default=None, help="assetops: scenario source")
    grpo.add_argument("--catalog", default=None, help="assetops: catalog name or path")


def recorded_command(args: argparse.Namespace) -> str:
    """The full command line of this run (every option, including defaults)."""
    parts = ["toolplan", "train"]
    recorded: tuple[tuple[str, str], ...] = _RECORDED
    if args.method == "grpo":
        recorded = tuple(o for o in _RECORDED if o[0] not in _SFT_ONLY) + _RECORDED_GRPO
    if getattr(args, "init", None):  # the LoRA shape is the --init adapter's (manifest lora:)
        recorded = tuple(o for o in recorded if o[0] not in _LORA_SHAPE)
    for attr, flag in recorded:
        value = getattr(args, attr)
        if value is not None:
            parts += [flag, str(value)]
    return shlex.join(parts)


def parse_weights(text: str | None) -> dict[str, float]:
    """``"format=0.1,args=0.6"`` -> ``{"format": 0.1, "args": 0.6}``.

    Raises:
        ToolplanError: an item that is not ``name=number``.
    """
    weights: dict[str, float] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError(item)
            weights[key.strip()] = float(value)
        except ValueError as e:
            raise ToolplanError(
                f"--reward-weights {text!r}: {item.strip()!r} is not name=number. "
                "Fix: e.g. --reward-weights format=0.125,name=0.375,args=0.5"
            ) from e
    return weights


def _fill_defaults(args: argparse.Namespace) -> None:
    """Set every unset shared option: SFT takes TrainConfig's defaults, GRPO its profile's.

    Raises:
        ToolplanError: an SFT-only option given with ``--method grpo``.
    """
    defaults = TrainConfig(base="", data="", out="")
    if args.method == "grpo":
        from harness_ext.training.grpo import profile_defaults, resolve_profile

        given = [flag for attr, flag in _SFT_ONLY.items() if getattr(args, attr) is not None]
        if given:
            raise ToolplanError(
                f"{', '.join(given)} only apply to SFT and would have no effect with "
                "--method grpo. Fix: drop them (GRPO's run length is --max-steps, its answer "
                "length --max-completion-length)."
            )
        args.profile = resolve_profile(args.profile, _device_kind(args.device))
        values = profile_defaults(args.profile)
    else:
        values = {name: getattr(defaults, name) for name in (*_PROFILED, "epochs", "max_seq_len")}
    for name, value in values.items():
        if name in vars(args) and getattr(args, name) is None:
            setattr(args, name, value)


def _train_config(args: argparse.Namespace, **overrides: Any) -> TrainConfig:
    """The TrainConfig of this command line: every field the options name, the recorded
    command, then ``overrides``; fields an option left unset keep TrainConfig's default."""
    values = {
        f.name: getattr(args, f.name)
        for f in dataclasses.fields(TrainConfig)
        if getattr(args, f.name, None) is not None
    }
    return TrainConfig(**{**values, "command": recorded_command(args), **overrides})


def _device_kind(device: str) -> str:
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def run(args: argparse.Namespace) -> int:
    """Train and print where the adapter went."""
    from harness_ext.training.sft import train

    _fill_defaults(args)
    if args.method == "grpo":
        return _run_grpo(args)
    data, kind, extra = args.data, args.kind, {}
    if args.stage:
        from harness_ext.agents.training_data import stage_data

        data = stage_data(args.data, args.stage)
        kind = f"agent-{args.stage}" if args.kind == "internalization" else args.kind
        extra = {"agent": {"stage": args.stage, "init": args.init}}
    config = _train_config(args, data=data, kind=kind, extra=extra)
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


def _run_grpo(args: argparse.Namespace) -> int:
    from harness_ext.training.grpo import GRPOSettings, train_grpo
    from harness_ext.training.grpo_data import parse_source

    source = parse_source(args.data)
    args.reward = args.reward or source.reward
    settings = GRPOSettings(
        reward=args.reward,
        weights=parse_weights(args.reward_weights),
        profile=args.profile,
        num_generations=args.num_generations,
        max_completion_length=args.max_completion_length,
        temperature=args.temperature,
        beta=args.beta,
        fc_format=args.fc_format,
        max_prompts=args.max_prompts,
        use_vllm=args.use_vllm,
        scenarios=args.scenarios,
        catalog=args.catalog,
    )
    config = _train_config(args)
    summary = train_grpo(config, settings)
    rate = summary["reward_rate"]
    print(
        f"adapter written to {args.out}: step {summary['global_step']} "
        f"({summary['steps_this_run']} this run), mean reward {summary['reward_mean']}, "
        f"reward > 0 for {rate['rate_nonzero']} of {rate['completions']} completions, "
        f"{summary['seconds_per_step']} s/step on {summary['device']}"
    )
    return 0
