"""QLoRA training of an internalization adapter (``toolplan train``).

A LoRA on a (optionally 8-bit or 4-bit) base model, trained with TRL's ``SFTTrainer`` on
the chat JSONL that ``toolplan build-data`` writes. Each record's last message (the
assistant turn) is the *completion* and everything before it the *prompt*; TRL then
computes the loss on the completion tokens only (``completion_only_loss``), which works
with any chat template — SmolLM2's ChatML template has no ``{% generation %}`` markers, so
TRL's ``assistant_only_loss`` cannot be used with it.

Layout of ``--out adapters/<name>``::

    adapter_model.safetensors, adapter_config.json   the adapter (PEFT; base named by hub id)
    manifest.yaml                                    harness_ext.registry.manifest manifest
    training_log.json                                loss/eval-loss history, timings
    checkpoints/checkpoint-N/                        resumable state (git-ignored)

Defaults are the paper's (DESIGN.md §5): r=32, alpha=64, dropout 0.05, all-linear
targets, lr 2e-4 with a cosine schedule and 5 % warmup, 2 epochs, 8-bit base, batch 2 ×
gradient accumulation 4, weight decay 0.01, max length 1024.

:func:`train` runs the steps in order: :func:`load_training_data`,
:func:`prepare_run_folder` (resume rules), :func:`load_base` (quantized with
``models.quantize.bnb_config``), :func:`build_trainer` (:func:`sft_args`,
:func:`lora_config`), the training loop, :func:`save_adapter`, the log and the manifest.
The GRPO recipe (``harness_ext.training.grpo``) shares these steps: the base loading,
``continue_from`` (``--init``), ``lora_config``, ``prepare_run_folder``, ``save_adapter``,
``pick_device``, ``bf16_ok``, ``gradient_checkpointing_on``, ``step_timer`` and ``step_of``.
torch, transformers, peft and trl are imported inside the functions that need them.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import shutil
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from harness_ext import __version__
from harness_ext.errors import DataFileError, ModelLoadError, ToolplanError, UnknownNameError
from harness_ext.models.embedded import EMBEDDED_MODELS, is_hub_id, recorded_base, resolve_model
from harness_ext.models.quantize import Quantization, bnb_config, quantization_options
from harness_ext.registry.manifest import AdapterManifest, LoraSpec, write_manifest
from harness_ext.training.data import EVAL_FILE, TRAIN_FILE, read_examples, sha256_file

__all__ = [
    "TrainConfig",
    "bf16_ok",
    "build_trainer",
    "continue_from",
    "gradient_checkpointing_on",
    "load_base",
    "load_for_training",
    "lora_config",
    "pick_device",
    "prepare_run_folder",
    "progress_summary",
    "run_trainer",
    "save_adapter",
    "step_of",
    "step_timer",
    "timing_summary",
    "train",
]

CHECKPOINT_DIR = "checkpoints"
LOG_FILE = "training_log.json"


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
    kind: str = "internalization"
    description: str = ""
    command: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    init: str | None = None


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
    if is_hub_id(name):
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


def pick_device(config: TrainConfig) -> str:
    """``cpu`` or ``cuda`` for ``config.device`` (``auto``: cuda when available).

    Raises:
        ModelLoadError: ``cuda`` was asked for and there is none.
    """
    import torch

    if config.device == "cuda" and not torch.cuda.is_available():
        raise ModelLoadError("--device cuda was asked for but no CUDA device is available.")
    if config.device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return config.device


def bf16_ok() -> bool:
    """True on a CUDA device with bf16 support (never on CPU: 3x slower there)."""
    import torch

    return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())


def gradient_checkpointing_on(config: TrainConfig, device: str) -> bool:
    """``auto``: on with a GPU only (on CPU it costs time and a 135M model fits anyway)."""
    return config.gradient_checkpointing == "on" or (
        config.gradient_checkpointing == "auto" and device == "cuda"
    )


def load_base(config: TrainConfig, device: str) -> tuple[Any, Any]:
    """Load the base model (quantized as ``config.quantization`` says) and its tokenizer.

    The quantization config comes from ``models.quantize.bnb_config`` — the builder
    ``toolplan-hf`` and ``toolplan check`` use too, so the adapter is trained on the base it
    is checked on (4-bit: nf4, no double quantization, float32 compute on CPU). Weights load
    in bf16 on a bf16-capable GPU, else fp32 (bf16 matmuls are ~3x slower on CPUs without
    bf16 units, DESIGN.md §3). A tokenizer without a pad token pads with its EOS token.

    Raises:
        ModelLoadError: the base cannot be loaded (offline hub id, missing bitsandbytes).
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    base_path = resolve_base(config.base)
    dtype = torch.bfloat16 if device == "cuda" and bf16_ok() else torch.float32
    kwargs: dict[str, Any] = {
        "dtype": dtype,
        "device_map": {"": 0} if device == "cuda" else "cpu",
    }
    quantization = bnb_config(quantization_options(config.quantization), device)
    if quantization is not None:
        kwargs["quantization_config"] = quantization
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
    if config.quantization != "none":
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(
            model, use_gradient_checkpointing=gradient_checkpointing_on(config, device)
        )
    return model, tokenizer


def _token_lengths(tokenizer: Any, records: list[dict[str, Any]]) -> list[int]:
    """Tokens per example as trained: the chat template applied to all its messages."""
    lengths = []
    for r in records:
        text = tokenizer.apply_chat_template(r["messages"], tokenize=False)
        lengths.append(len(tokenizer(text, add_special_tokens=False)["input_ids"]))
    return lengths


@dataclass(frozen=True)
class RunFolder:
    """The output folder of a run, its checkpoint folder and the checkpoint to resume."""

    out: Path
    checkpoints: Path
    resume_from: Path | None


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


def prepare_run_folder(config: TrainConfig) -> RunFolder:
    """Create ``config.out`` and apply the resume rules to its checkpoints.

    Rules: ``resume=True`` continues from the newest complete checkpoint in
    ``<out>/checkpoints`` (an error when there is none); without it, existing checkpoints
    are an error unless ``overwrite=True`` deletes them first — a restarted command never
    silently throws away or mixes in earlier progress.

    Raises:
        ToolplanError: ``--resume`` without a checkpoint, or checkpoints without
            ``--resume``/``--overwrite``.
    """
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
    return RunFolder(out, _checkpoint_dir(out), existing if config.resume else None)


def continue_from(model: Any, config: TrainConfig) -> tuple[Any, TrainConfig]:
    """Put the ``--init`` adapter on the loaded base, trainable, to continue training it
    (stage 2 of the α-UMi recipe starts each role from the stage-1 backbone). The run's
    LoRA settings become the adapter's own, so the manifest records what was trained.

    Raises:
        ModelLoadError / DataFileError: the adapter is unreadable or does not fit the base.
    """
    import dataclasses

    from peft import PeftModel

    from harness_ext.models.adapter_checks import check_base, inspect_adapter

    info = inspect_adapter(str(config.init))
    check_base(info, config.base)
    try:
        model = PeftModel.from_pretrained(model, str(info.path), is_trainable=True)
    except (RuntimeError, ValueError, KeyError) as e:
        raise ModelLoadError(f"--init {config.init} does not fit base {config.base} ({e})") from e
    lora = info.config
    targets = lora.get("target_modules")
    config = dataclasses.replace(
        config,
        r=int(lora.get("r", config.r)),
        alpha=int(lora.get("lora_alpha", config.alpha)),
        dropout=float(lora.get("lora_dropout", config.dropout)),
        target_modules=",".join(sorted(targets)) if isinstance(targets, list) else str(targets),
        extra={**config.extra, "init": str(config.init)},
    )
    return model, config


def lora_config(config: TrainConfig) -> Any:
    """PEFT ``LoraConfig``: ``target_modules`` is PEFT's ``all-linear`` or a comma list."""
    from peft import LoraConfig

    targets: str | list[str] = (
        [m.strip() for m in config.target_modules.split(",") if m.strip()]
        if "," in config.target_modules
        else config.target_modules
    )
    return LoraConfig(
        r=config.r,
        lora_alpha=config.alpha,
        lora_dropout=config.dropout,
        target_modules=targets,
        task_type="CAUSAL_LM",
    )


def sft_args(config: TrainConfig, output_dir: Path, device: str, has_eval: bool) -> Any:
    """TRL ``SFTConfig`` of a run: the schedule, checkpoints, and loss on the completion only."""
    from trl import SFTConfig

    gc = gradient_checkpointing_on(config, device)
    return SFTConfig(
        output_dir=str(output_dir),
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
        eval_strategy="steps" if has_eval else "no",
        eval_steps=config.eval_steps or config.save_steps,
        max_length=config.max_seq_len,
        # The assistant turn only: SmolLM2's ChatML template has no generation markers,
        # so TRL's prompt/completion masking is what keeps the prompt out of the loss.
        completion_only_loss=True,
        use_cpu=device == "cpu",
        bf16=device == "cuda" and bf16_ok(),
        gradient_checkpointing=gc,
        report_to=[],
        seed=config.seed,
        data_seed=config.seed,
        dataloader_num_workers=0,
        disable_tqdm=False,
    )


def build_trainer(
    config: TrainConfig,
    model: Any,
    tokenizer: Any,
    data: TrainData,
    output_dir: Path,
    device: str,
    callbacks: list[Any] | None = None,
) -> Any:
    """The ``SFTTrainer`` of a run: prompt/completion datasets, :func:`sft_args`, the LoRA."""
    import datasets
    from trl import SFTTrainer

    train_ds = datasets.Dataset.from_list([to_prompt_completion(r) for r in data.train])
    eval_ds = (
        datasets.Dataset.from_list([to_prompt_completion(r) for r in data.eval])
        if data.eval
        else None
    )
    return SFTTrainer(
        model=model,
        args=sft_args(config, output_dir, device, has_eval=eval_ds is not None),
        train_dataset=train_ds,
        eval_dataset=eval_ds,
        processing_class=tokenizer,
        # --init: the model already carries the adapter to continue from.
        peft_config=None if config.init else lora_config(config),
        callbacks=callbacks or [],
    )


def _final_eval_loss(trainer: Any) -> float | None:
    """The eval loss at the last step (the scheduled one when it fell there, else a new one)."""
    if trainer.eval_dataset is None:
        return None
    at_end = [
        h["eval_loss"]
        for h in trainer.state.log_history
        if "eval_loss" in h and h.get("step") == trainer.state.global_step
    ]
    return float(at_end[-1]) if at_end else float(trainer.evaluate()["eval_loss"])


def save_adapter(trainer: Any, config: TrainConfig, out: Path) -> None:
    """Save the trained LoRA; its ``adapter_config.json`` names the base by hub id.

    PEFT would record the folder the base was loaded from (for an embedded alias, this
    machine's cache path); :func:`models.embedded.recorded_base` is recorded instead.
    PEFT's generic model card (``README.md``, which names that folder too) is not kept:
    a ``README.md`` already in ``out`` stays byte for byte, and none is added (the
    manifest describes the adapter).
    """
    trained: Any = trainer.model
    for peft_config in trained.peft_config.values():
        peft_config.base_model_name_or_path = recorded_base(config.base)
    readme = out / "README.md"
    kept = readme.read_bytes() if readme.is_file() else None
    with warnings.catch_warnings():
        # PEFT looks the hub id up to see whether the vocabulary grew; offline it warns.
        # toolplan train never resizes the embeddings, so there is nothing to find.
        warnings.filterwarnings("ignore", message="Could not find a config file in")
        trained.save_pretrained(str(out))
    if kept is None:
        readme.unlink(missing_ok=True)
    else:
        readme.write_bytes(kept)


def _manifest(config: TrainConfig, data: TrainData, summary: dict[str, Any]) -> AdapterManifest:
    return AdapterManifest(
        name=config.name or Path(config.out).resolve().name,
        kind=config.kind,
        base_model=config.base,
        base_model_name_or_path=recorded_base(config.base),
        quantization=config.quantization,
        lora=LoraSpec(
            r=config.r,
            alpha=config.alpha,
            dropout=config.dropout,
            target_modules=config.target_modules,
        ),
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


def train(config: TrainConfig) -> dict[str, Any]:
    """Train, save the adapter, its training log and its manifest; return a summary.

    Steps: read the data, prepare the output folder (resume rules in
    :func:`prepare_run_folder`), load the base (:func:`load_base`), build the trainer
    (:func:`build_trainer`), train, then save (:func:`save_adapter`, ``training_log.json``,
    ``manifest.yaml``).
    """
    data = load_training_data(config.data)
    run = prepare_run_folder(config)

    started = time.perf_counter()
    device, model, tokenizer, config = load_for_training(config)
    lengths = _token_lengths(tokenizer, data.train)
    too_long = sum(n > config.max_seq_len for n in lengths)
    if too_long:
        _log(
            f"warning: {too_long} of {len(lengths)} training examples exceed --max-seq-len "
            f"{config.max_seq_len} tokens and are truncated"
        )

    timer = step_timer()
    trainer = build_trainer(config, model, tokenizer, data, run.checkpoints, device, [timer])
    result, start_step, loop_s = run_trainer(trainer, run)
    eval_loss = _final_eval_loss(trainer)

    save_adapter(trainer, config, run.out)
    summary = {
        **progress_summary(trainer, run, start_step, result),
        "eval_loss": eval_loss,
        "epochs_done": float(trainer.state.epoch or 0.0),
        **timing_summary(timer, loop_s, started, device),
        "examples": {"train": len(data.train), "eval": len(data.eval)},
        "tokens": {
            "mean": round(sum(lengths) / len(lengths), 1),
            "max": max(lengths),
            "over_max_seq_len": too_long,
        },
    }
    history = list(trainer.state.log_history)
    log = {"summary": summary, "log_history": history}
    (run.out / LOG_FILE).write_text(json.dumps(log, indent=2))
    write_manifest(run.out, _manifest(config, data, summary))
    return summary


def load_for_training(config: TrainConfig) -> tuple[str, Any, Any, TrainConfig]:
    """The device, the base model and tokenizer, and ``config`` as trained.

    Sets ``config.threads`` torch threads, loads the base (:func:`load_base`) and puts the
    ``--init`` adapter on it (:func:`continue_from`, which updates the LoRA settings of
    the returned config). Shared by the SFT and GRPO recipes.
    """
    _log("importing torch/transformers/peft/trl ...")
    device = pick_device(config)
    if config.threads:
        import torch

        # On a shared CPU, fewer threads than cores avoids OpenMP threads spinning on
        # each other: measured 6.6 s/step with 1 thread vs 4-50 s with 2 at load ~4.
        torch.set_num_threads(config.threads)
    _log(f"loading {config.base} ({config.quantization}) on {device} ...")
    model, tokenizer = load_base(config, device)
    if config.init:
        model, config = continue_from(model, config)
    return device, model, tokenizer, config


def run_trainer(trainer: Any, run: RunFolder) -> tuple[Any, int, float]:
    """Train, resuming from the run folder's checkpoint when it has one.

    Returns TRL's train result, the step the run started from and the loop's seconds.
    """
    resume_from = str(run.resume_from) if run.resume_from is not None else None
    start_step = step_of(run.resume_from)
    if resume_from:
        _log(f"resuming from {resume_from} (step {start_step})")
    loop_started = time.perf_counter()
    result = trainer.train(resume_from_checkpoint=resume_from)
    return result, start_step, time.perf_counter() - loop_started


def progress_summary(trainer: Any, run: RunFolder, start_step: int, result: Any) -> dict[str, Any]:
    """The summary's step and loss fields, shared by SFT and GRPO."""
    return {
        "global_step": trainer.state.global_step,
        "steps_this_run": trainer.state.global_step - start_step,
        "resumed_from": run.resume_from.name if run.resume_from is not None else None,
        "train_loss": float(result.training_loss),
    }


def timing_summary(timer: Any, loop_s: float, started: float, device: str) -> dict[str, Any]:
    """The summary's timing fields (:func:`step_timer`, loop and wall seconds, device)."""
    return {
        "seconds_per_step": timer.seconds_per_step(),
        "cpu_seconds_per_step": timer.cpu_seconds_per_step(),
        "first_step_s": timer.first_step_s(),
        "loop_s": round(loop_s, 1),
        "wall_s": round(time.perf_counter() - started, 1),
        "device": device,
    }


def step_timer() -> Any:
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


def step_of(checkpoint: Path | None) -> int:
    """The step number of a ``checkpoint-N`` folder (0 for None)."""
    if checkpoint is None:
        return 0
    return int(checkpoint.name.rsplit("-", 1)[1])
