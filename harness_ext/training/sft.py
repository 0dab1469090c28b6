"""QLoRA training of an internalization adapter (``toolplan train``).

A LoRA on a (optionally 8-bit or 4-bit) base model, trained with TRL's ``SFTTrainer`` on
the chat JSONL that ``toolplan build-data`` writes. Each record's last message (the
assistant turn) is the *completion* and everything before it the *prompt*; TRL then
computes the loss on the completion tokens only (``completion_only_loss``), which works
with any chat template — SmolLM2's ChatML template has no ``{% generation %}`` markers, so
TRL's ``assistant_only_loss`` cannot be used with it.

Layout of ``--out adapters/<name>``::

    adapter_model.safetensors, adapter_config.json   the adapter (PEFT)
    manifest.yaml                                    harness_ext.registry.manifest manifest
    training_log.json                                loss/eval-loss history, timings
    checkpoints/checkpoint-N/                        resumable state (git-ignored)

Defaults are the paper's (DESIGN.md §5): r=32, alpha=64, dropout 0.05, all-linear
targets, lr 2e-4 with a cosine schedule and 5 % warmup, 2 epochs, 8-bit base, batch 2 ×
gradient accumulation 4, weight decay 0.01, max length 1024.

torch, transformers, peft and trl are imported inside the functions that need them.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from harness_ext import __version__
from harness_ext.errors import DataFileError, ModelLoadError, ToolplanError, UnknownNameError
from harness_ext.models.embedded import EMBEDDED_MODELS, resolve_model
from harness_ext.registry.manifest import AdapterManifest, write_manifest
from harness_ext.training.data import EVAL_FILE, TRAIN_FILE, read_examples, sha256_file

Quantization = Literal["none", "8bit", "4bit"]
QUANTIZATIONS: tuple[str, ...] = ("none", "8bit", "4bit")
CHECKPOINT_DIR = "checkpoints"
LOG_FILE = "training_log.json"
_HUB_ID_RE = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")


@dataclass(frozen=True)
class TrainConfig:
    """Everything ``toolplan train`` takes; ``command`` is recorded in the manifest."""

    base: str
    data: str
    out: str
    quantization: Quantization = "8bit"
    r: int = 32
    alpha: int = 64
    dropout: float = 0.05
    target_modules: str = "all-linear"
    lr: float = 2e-4
    epochs: float = 2.0
    warmup_ratio: float = 0.05
    weight_decay: float = 0.01
    max_steps: int = -1
    max_seq_len: int = 1024
    batch_size: int = 2
    grad_accum: int = 4
    save_steps: int = 50
    eval_steps: int | None = None
    logging_steps: int = 10
    save_total_limit: int = 2
    seed: int = 42
    resume: bool = False
    overwrite: bool = False
    device: Literal["auto", "cpu", "cuda"] = "auto"
    gradient_checkpointing: Literal["auto", "on", "off"] = "auto"
    threads: int | None = None
    name: str | None = None
    description: str = ""
    command: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TrainData:
    """The validated training (and optional evaluation) examples."""

    train_path: Path
    eval_path: Path | None
    train: list[dict[str, Any]]
    eval: list[dict[str, Any]]


def load_training_data(data: str | Path) -> TrainData:
    """Read ``DIR/train.jsonl`` (+ ``DIR/eval.jsonl`` when present) or one JSONL file.

    A folder without ``train.jsonl`` or a file that is not JSONL is an error naming the
    path; malformed lines are errors naming file and line (``read_examples``).
    """
    path = Path(data).expanduser()
    if path.is_dir():
        train_path = path / TRAIN_FILE
        if not train_path.is_file():
            raise DataFileError(
                path,
                f"holds no {TRAIN_FILE}",
                "point --data at a folder written by `toolplan build-data` (or at a JSONL file)",
            )
        eval_path: Path | None = path / EVAL_FILE
        if eval_path is not None and not eval_path.is_file():
            eval_path = None
    elif path.is_file():
        train_path, eval_path = path, None
    else:
        raise DataFileError(path, "does not exist", "run `toolplan build-data --out DIR` first")
    train = read_examples(train_path)
    held = read_examples(eval_path) if eval_path is not None else []
    return TrainData(train_path, eval_path, train, held)


def resolve_base(name: str) -> str:
    """An embedded alias -> its folder; a local model folder or a hub id -> itself.

    Anything else (a bare word that is no alias, a missing path) is an
    ``UnknownNameError`` listing the aliases.
    """
    if name in EMBEDDED_MODELS:
        return resolve_model(name)
    path = Path(name).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise ModelLoadError(
                f"Base model folder {path} has no config.json. Give a Hugging Face model "
                "folder, a hub id (org/name) or an embedded alias."
            )
        return str(path)
    if _HUB_ID_RE.match(name) and not name.startswith((".", "/")):
        return name
    raise UnknownNameError(
        "base model",
        name,
        EMBEDDED_MODELS,
        "Give an embedded alias, a local model folder or a hub id (org/name).",
    )


def to_prompt_completion(record: dict[str, Any]) -> dict[str, Any]:
    """Chat record -> TRL conversational prompt/completion (last message = completion)."""
    messages = record["messages"]
    return {
        "prompt": [{"role": m["role"], "content": m["content"]} for m in messages[:-1]],
        "completion": [{"role": "assistant", "content": messages[-1]["content"]}],
    }


def _log(message: str) -> None:
    print(f"[toolplan train] {message}", file=sys.stderr, flush=True)


def _device(config: TrainConfig) -> str:
    import torch

    if config.device == "cuda" and not torch.cuda.is_available():
        raise ModelLoadError("--device cuda was asked for but no CUDA device is available.")
    if config.device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return config.device


def _load_model(config: TrainConfig, base_path: str, device: str) -> tuple[Any, Any]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig

    gpu_bf16 = device == "cuda" and torch.cuda.is_bf16_supported()
    # fp32 on CPU: bf16 matmuls are ~3x slower on CPUs without bf16 units (DESIGN.md §3).
    compute = torch.bfloat16 if gpu_bf16 else torch.float32
    kwargs: dict[str, Any] = {"dtype": compute}
    if config.quantization == "8bit":
        kwargs["quantization_config"] = BitsAndBytesConfig(load_in_8bit=True)
    elif config.quantization == "4bit":
        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=compute,
        )
    kwargs["device_map"] = {"": 0} if device == "cuda" else "cpu"
    try:
        tokenizer = AutoTokenizer.from_pretrained(base_path)
        model = AutoModelForCausalLM.from_pretrained(base_path, **kwargs)
    except (OSError, ValueError, ImportError) as e:
        raise ModelLoadError(
            f"Cannot load base model {config.base!r} ({base_path}) with quantization "
            f"{config.quantization}: {e}. Offline, give a local folder or an embedded alias; "
            "for 8bit/4bit, bitsandbytes must be installed."
        ) from e
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer


def _token_lengths(tokenizer: Any, records: list[dict[str, Any]]) -> list[int]:
    """Tokens per example as trained: the chat template applied to all its messages."""
    lengths = []
    for r in records:
        text = tokenizer.apply_chat_template(r["messages"], tokenize=False)
        lengths.append(len(tokenizer(text, add_special_tokens=False)["input_ids"]))
    return lengths


def _checkpoint_dir(out: Path) -> Path:
    folder = out / CHECKPOINT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    # Checkpoints are large and machine-specific: never commit them with the adapter.
    (folder / ".gitignore").write_text("*\n")
    return folder


def _last_checkpoint(folder: Path) -> Path | None:
    found = []
    for child in folder.glob("checkpoint-*"):
        match = re.fullmatch(r"checkpoint-(\d+)", child.name)
        if match and child.is_dir() and (child / "trainer_state.json").is_file():
            found.append((int(match.group(1)), child))
    return max(found)[1] if found else None


def train(config: TrainConfig) -> dict[str, Any]:
    """Train, save the adapter and its manifest; return a summary.

    Resume rules: ``resume=True`` continues from the newest complete checkpoint in
    ``<out>/checkpoints`` (an error when there is none); without it, existing checkpoints
    are an error unless ``overwrite=True`` deletes them first — a restarted command never
    silently throws away or mixes in earlier progress.
    """
    data = load_training_data(config.data)
    base_path = resolve_base(config.base)
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    ckpt_dir = out / CHECKPOINT_DIR
    existing = _last_checkpoint(ckpt_dir) if ckpt_dir.is_dir() else None
    if config.resume and existing is None:
        raise ToolplanError(
            f"--resume: no checkpoint in {ckpt_dir}. Run without --resume to start training."
        )
    if not config.resume and existing is not None:
        if not config.overwrite:
            raise ToolplanError(
                f"{ckpt_dir} already holds {existing.name}. Pass --resume to continue that run "
                "or --overwrite to start again from scratch."
            )
        shutil.rmtree(ckpt_dir)
    ckpt_dir = _checkpoint_dir(out)

    started = time.perf_counter()
    _log("importing torch/transformers/peft/trl ...")
    import datasets
    from peft import LoraConfig, prepare_model_for_kbit_training
    from trl import SFTConfig, SFTTrainer

    device = _device(config)
    if config.threads:
        import torch

        # On a shared CPU, fewer threads than cores avoids OpenMP threads spinning on
        # each other: measured 6.6 s/step with 1 thread vs 4-50 s with 2 at load ~4.
        torch.set_num_threads(config.threads)
    gc = config.gradient_checkpointing == "on" or (
        config.gradient_checkpointing == "auto" and device == "cuda"
    )
    _log(f"loading {config.base} ({config.quantization}) on {device} ...")
    model, tokenizer = _load_model(config, base_path, device)
    if config.quantization != "none":
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=gc)

    lengths = _token_lengths(tokenizer, data.train)
    too_long = sum(n > config.max_seq_len for n in lengths)
    if too_long:
        _log(
            f"warning: {too_long} of {len(lengths)} training examples exceed --max-seq-len "
            f"{config.max_seq_len} tokens and are truncated"
        )

    lora = LoraConfig(
        r=config.r,
        lora_alpha=config.alpha,
        lora_dropout=config.dropout,
        # "all-linear" (PEFT's keyword) or a comma-separated list of module names.
        target_modules=(
            [m.strip() for m in config.target_modules.split(",") if m.strip()]
            if "," in config.target_modules
            else config.target_modules
        ),
        task_type="CAUSAL_LM",
    )
    train_ds = datasets.Dataset.from_list([to_prompt_completion(r) for r in data.train])
    eval_ds = (
        datasets.Dataset.from_list([to_prompt_completion(r) for r in data.eval])
        if data.eval
        else None
    )
    eval_steps = config.eval_steps or config.save_steps
    sft = SFTConfig(
        output_dir=str(ckpt_dir),
        num_train_epochs=config.epochs,
        max_steps=config.max_steps,
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=config.batch_size,
        gradient_accumulation_steps=config.grad_accum,
        learning_rate=config.lr,
        lr_scheduler_type="cosine",
        # A float below 1 is a ratio of the total steps in transformers 5.
        warmup_steps=config.warmup_ratio,
        weight_decay=config.weight_decay,
        logging_steps=config.logging_steps,
        logging_first_step=True,
        save_strategy="steps",
        save_steps=config.save_steps,
        save_total_limit=config.save_total_limit,
        eval_strategy="steps" if eval_ds is not None else "no",
        eval_steps=eval_steps,
        max_length=config.max_seq_len,
        completion_only_loss=True,
        use_cpu=device == "cpu",
        bf16=device == "cuda" and _bf16_ok(),
        gradient_checkpointing=gc,
        report_to=[],
        seed=config.seed,
        data_seed=config.seed,
        dataloader_num_workers=0,
        disable_tqdm=False,
    )
    timer = _step_timer()
    trainer = SFTTrainer(
        model=model,
        args=sft,
        train_dataset=train_ds,
        eval_dataset=eval_ds,
        processing_class=tokenizer,
        peft_config=lora,
        callbacks=[timer],
    )
    resume_from = str(existing) if config.resume and existing is not None else None
    start_step = _step_of(existing) if resume_from else 0
    if resume_from:
        _log(f"resuming from {resume_from} (step {start_step})")
    loop_started = time.perf_counter()
    result = trainer.train(resume_from_checkpoint=resume_from)
    loop_s = time.perf_counter() - loop_started
    steps_done = trainer.state.global_step - start_step
    eval_loss = None
    if eval_ds is not None:
        # The last scheduled evaluation may already be at the final step.
        at_end = [
            h["eval_loss"]
            for h in trainer.state.log_history
            if "eval_loss" in h and h.get("step") == trainer.state.global_step
        ]
        eval_loss = float(at_end[-1]) if at_end else float(trainer.evaluate()["eval_loss"])

    trained: Any = trainer.model
    trained.save_pretrained(str(out))
    history = list(trainer.state.log_history)
    summary = {
        "global_step": trainer.state.global_step,
        "steps_this_run": steps_done,
        "resumed_from": Path(resume_from).name if resume_from else None,
        "train_loss": float(result.training_loss),
        "eval_loss": eval_loss,
        "epochs_done": float(trainer.state.epoch or 0.0),
        "seconds_per_step": timer.seconds_per_step(),
        "cpu_seconds_per_step": timer.cpu_seconds_per_step(),
        "first_step_s": timer.first_step_s(),
        "loop_s": round(loop_s, 1),
        "wall_s": round(time.perf_counter() - started, 1),
        "device": device,
        "examples": {"train": len(data.train), "eval": len(data.eval)},
        "tokens": {
            "mean": round(sum(lengths) / len(lengths), 1),
            "max": max(lengths),
            "over_max_seq_len": too_long,
        },
    }
    (out / LOG_FILE).write_text(json.dumps({"summary": summary, "log_history": history}, indent=2))
    peft_base = str(getattr(trained.peft_config.get("default"), "base_model_name_or_path", ""))
    manifest = AdapterManifest(
        name=config.name or out.resolve().name,
        kind="internalization",
        base_model=config.base,
        base_model_name_or_path=peft_base,
        quantization=config.quantization,
        lora={
            "r": config.r,
            "alpha": config.alpha,
            "dropout": config.dropout,
            "target_modules": config.target_modules,
        },
        training_data={
            "path": str(config.data),
            "sha256": sha256_file(data.train_path),
            "examples": len(data.train),
            "eval_sha256": sha256_file(data.eval_path) if data.eval_path else None,
            "eval_examples": len(data.eval),
        },
        command=config.command,
        created=_dt.date.today().isoformat(),
        toolplan_eval_version=__version__,
        description=config.description,
        extra={
            "training": {
                "lr": config.lr,
                "epochs": config.epochs,
                "max_steps": config.max_steps,
                "warmup_ratio": config.warmup_ratio,
                "batch_size": config.batch_size,
                "grad_accum": config.grad_accum,
                "max_seq_len": config.max_seq_len,
                "loss": "completion only (assistant turn)",
                **summary,
            },
            **config.extra,
        },
    )
    write_manifest(out, manifest)
    return summary


def _step_timer() -> Any:
    """A TrainerCallback that times optimizer steps (evaluation and saving excluded)."""
    from transformers import TrainerCallback

    class StepTimer(TrainerCallback):
        def __init__(self) -> None:
            self.durations: list[float] = []
            self.cpu: list[float] = []
            self._begin = (0.0, 0.0)

        def on_step_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self._begin = (time.perf_counter(), time.process_time())

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.durations.append(time.perf_counter() - self._begin[0])
            self.cpu.append(time.process_time() - self._begin[1])

        @staticmethod
        def _mean(values: list[float]) -> float | None:
            # Leave out the first step (warm-up) when there are more.
            d = values[1:] or values
            return round(sum(d) / len(d), 3) if d else None

        def seconds_per_step(self) -> float | None:
            """Mean wall time of a step."""
            return self._mean(self.durations)

        def cpu_seconds_per_step(self) -> float | None:
            """Mean CPU time of a step (all threads): on a shared machine, a steadier
            measure of the work than wall time."""
            return self._mean(self.cpu)

        def first_step_s(self) -> float | None:
            return round(self.durations[0], 3) if self.durations else None

    return StepTimer()


def _bf16_ok() -> bool:
    import torch

    return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())


def _step_of(checkpoint: Path | None) -> int:
    if checkpoint is None:
        return 0
    return int(checkpoint.name.rsplit("-", 1)[1])
