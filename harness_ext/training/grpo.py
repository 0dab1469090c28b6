"""GRPO training of a LoRA with the harness's own scorer as reward (``toolplan train
--method grpo``).

TRL's ``GRPOTrainer`` samples ``num_generations`` completions per prompt, scores each
with a reward of ``harness_ext.rewards`` — ``function_call_reward`` (paper (b)'s reward on
the BFCL checker the ``fc_bfcl_*`` tasks score with) or ``plan_reward`` (AT-F1 and the
format term of the ``assetops_*`` tasks) — and pushes the policy towards the completions
that scored above their group's mean. The prompts come from
``harness_ext.training.grpo_data`` (held-out categories and scenarios never included).

Everything around the trainer is the SFT recipe's (``harness_ext.training.sft``): the
base loading (quantized with ``models.quantize.bnb_config``), the LoRA config, ``--init``
(continue an adapter: SFT → GRPO), the output folder and its resume rules, the adapter
saving (base named by hub id), the step timer. Layout of ``--out``::

    adapter_model.safetensors, adapter_config.json   the trained LoRA (the "default" one)
    manifest.yaml        kind grpo (fresh LoRA) or sft+grpo (--init), reward and weights
    training_log.json    per step: reward (mean, std, per function), KL, completion
                         lengths, share of groups with zero reward spread, loss, timings
    checkpoints/         resumable state (git-ignored), with rewards.jsonl: every
                         completion's reward, prompt id and step

**Profiles** (values that ``--r``, ``--lr``, ``--num-generations``... override):

* ``gpu`` — paper (b)'s hyperparameters (arXiv 2509.04518): LoRA r=64 (alpha 128: not
  stated, twice r as in our SFT recipe) over an 8-bit base, lr 5e-6 with
  ``cosine_with_restarts``, 8-bit AdamW
  (``adamw_8bit``), gradient accumulation 4, 8 generations per prompt, completions up to
  8,192 tokens, 500 steps; bf16 where supported, gradient checkpointing, generation
  through vLLM (``use_vllm``, colocated) when ``vllm`` is installed, else HF.
* ``cpu`` — what fits a 2-core machine in ≤ 45 min: fp32 base (faster than 8-bit on a
  CPU), r=8 (alpha 16) on q/k/v/o, lr 1e-4
  cosine, AdamW, 4 generations of one prompt per step, completions up to 96 tokens
  (function calls) or 256 (plans), 40 steps, checkpoint every 10; ``bf16=False``,
  ``use_cpu=True``, ``gradient_checkpointing=False`` (TRL defaults bf16 and gradient
  checkpointing on; both cost time on a CPU).
* ``auto`` — ``gpu`` with a CUDA device, else ``cpu``.

Both profiles: temperature 1.0, ``beta`` 0.04 (KL to the reference; the paper does not
state it — 0.04 is GRPO's original, and it is what makes TRL compute and log the KL; with
``--init`` the reference is the starting adapter, a frozen copy TRL keeps as "ref"),
TRL's ``dapo`` loss and group-scaled rewards, ``logging_steps=1``.

**Known failure**: GRPO learns only from groups whose rewards differ. When every
completion of a group scores the same (e.g. all 0, as for a model that never emits a
valid call), the advantage is 0 and so is the gradient; TRL logs the share of such groups
as ``frac_reward_zero_std``. The summary reports the reward rate (share of completions
with reward > 0) so a run that learned nothing says so. A short SFT warm-up on the
training prompts' format (``toolplan train --method sft --data bfcl:...``, see
``grpo_data.write_warmup_data``) is the usual way out.

torch, transformers, peft and trl are imported inside the functions that need them.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import importlib.util
import json
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from harness_ext import __version__
from harness_ext.errors import MissingDependencyError, ToolplanError, UnknownNameError
from harness_ext.fc.calls import CallFormat
from harness_ext.models.embedded import recorded_base
from harness_ext.registry.manifest import AdapterManifest, LoraSpec, RewardSpec, write_manifest
from harness_ext.training.grpo_data import PromptSet, Reward, load_prompt_set, parse_source
from harness_ext.training.sft import (
    LOG_FILE,
    TrainConfig,
    bf16_ok,
    gradient_checkpointing_on,
    load_for_training,
    lora_config,
    prepare_run_folder,
    progress_summary,
    run_trainer,
    save_adapter,
    step_of,
    step_timer,
    timing_summary,
)

__all__ = [
    "PROFILES",
    "GRPOSettings",
    "Profile",
    "build_reward",
    "grpo_args",
    "profile_defaults",
    "reward_weights",
    "train_grpo",
]

Profile = Literal["auto", "cpu", "gpu"]
PROFILES: tuple[Profile, ...] = ("auto", "cpu", "gpu")
REWARDS_FILE = "rewards.jsonl"

# Values of the shared TrainConfig fields per profile (used where the user gave none).
_PROFILE_TRAIN: dict[str, dict[str, Any]] = {
    "gpu": {
        "quantization": "8bit",
        "r": 64,
        "alpha": 128,
        "dropout": 0.05,
        "target_modules": "all-linear",
        "lr": 5e-6,
        "warmup_ratio": 0.0,
        "weight_decay": 0.0,
        "max_steps": 500,
        "batch_size": 8,
        "grad_accum": 4,
        "save_steps": 50,
        "logging_steps": 1,
    },
    "cpu": {
        "quantization": "none",
        "r": 8,
        "alpha": 16,
        "dropout": 0.05,
        "target_modules": "q_proj,k_proj,v_proj,o_proj",
        "lr": 1e-4,
        "warmup_ratio": 0.0,
        "weight_decay": 0.0,
        "max_steps": 40,
        "batch_size": 4,
        "grad_accum": 1,
        "save_steps": 10,
        "logging_steps": 1,
    },
}
# GRPO-only values per profile; max_completion_length per reward.
_PROFILE_GRPO: dict[str, dict[str, Any]] = {
    "gpu": {
        "num_generations": 8,
        "max_completion_length": {"function_call": 8192, "plan": 8192},
        "scheduler": "cosine_with_restarts",
        "optim": "adamw_8bit",
    },
    "cpu": {
        "num_generations": 4,
        "max_completion_length": {"function_call": 96, "plan": 256},
        "scheduler": "cosine",
        "optim": "adamw_torch",
    },
}
DEFAULT_BETA = 0.04
DEFAULT_TEMPERATURE = 1.0


def resolve_profile(profile: Profile, device: str) -> Literal["cpu", "gpu"]:
    """``auto`` → ``gpu`` on CUDA, else ``cpu``; the others as given."""
    if profile == "auto":
        return "gpu" if device == "cuda" else "cpu"
    return profile


def profile_defaults(profile: Literal["cpu", "gpu"]) -> dict[str, Any]:
    """The TrainConfig values of a profile (LoRA, schedule, batch, checkpoints)."""
    return dict(_PROFILE_TRAIN[profile])


@dataclass(frozen=True)
class GRPOSettings:
    """The GRPO-only options of a run (``None`` = the profile's value).

    ``weights``: reward term weights by name (``function_call``: ``format``, ``name``,
    ``args``; ``plan``: ``format``, ``at_f1``); missing names keep their defaults.
    ``use_vllm``: ``auto`` = on a GPU when vLLM is installed; ``on`` without a GPU or
    vLLM is an error.
    """

    reward: Reward = "function_call"
    weights: Mapping[str, float] = field(default_factory=dict)
    profile: Profile = "auto"
    num_generations: int | None = None
    max_completion_length: int | None = None
    temperature: float = DEFAULT_TEMPERATURE
    beta: float = DEFAULT_BETA
    fc_format: CallFormat = "json"
    max_prompts: int | None = None
    use_vllm: Literal["auto", "on", "off"] = "auto"
    scenarios: str | None = None
    catalog: str | None = None


# ---------------------------------------------------------------- rewards

_WEIGHT_NAMES: dict[str, dict[str, str]] = {
    "function_call": {"format": "format_weight", "name": "name_weight", "args": "args_weight"},
    "plan": {"format": "format_weight", "at_f1": "at_f1_weight"},
}


def reward_weights(reward: Reward, given: Mapping[str, float]) -> dict[str, float]:
    """All weights of ``reward``: the defaults of ``harness_ext.rewards`` updated by ``given``.

    Raises:
        UnknownNameError: a weight name the reward does not have.
    """
    import inspect

    from harness_ext.rewards import FunctionCallWeights, make_plan_reward

    names = _WEIGHT_NAMES[reward]
    for key in given:
        if key not in names:
            raise UnknownNameError(
                f"{reward} reward weight", key, names, "Write e.g. --reward-weights format=0.125"
            )
    if reward == "function_call":
        defaults = dataclasses.asdict(FunctionCallWeights())
    else:
        params = inspect.signature(make_plan_reward).parameters
        defaults = {p: params[p].default for p in ("format_weight", "at_f1_weight")}
    return {short: float(given.get(short, defaults[long])) for short, long in names.items()}


def build_reward(
    reward: Reward, weights: Mapping[str, float], fmt: CallFormat
) -> Callable[..., list[float]]:
    """The TRL reward function: ``harness_ext.rewards``' own, with these weights."""
    from harness_ext.rewards import (
        FunctionCallWeights,
        make_function_call_reward,
        make_plan_reward,
    )

    w = reward_weights(reward, weights)
    if reward == "function_call":
        return make_function_call_reward(
            FunctionCallWeights(w["format"], w["name"], w["args"]), default_format=fmt
        )
    return make_plan_reward(w["format"], w["at_f1"])


def recording_reward(fn: Callable[..., list[float]], path: Path) -> Callable[..., list[float]]:
    """``fn``, also appending each completion's reward, prompt id and step to ``path``.

    The file is what the summary's reward rate and the reward-equals-metric test read;
    the completions it holds are model output (no prompt text).
    """
    from harness_ext.rewards._completions import completion_text

    def reward(
        prompts: Any = None, completions: Any = (), completion_ids: Any = None, **kwargs: Any
    ) -> list[float]:
        values = fn(
            prompts=prompts, completions=completions, completion_ids=completion_ids, **kwargs
        )
        state = kwargs.get("trainer_state")
        step = int(getattr(state, "global_step", 0)) if state is not None else 0
        ids = kwargs.get("id") or [None] * len(values)
        with path.open("a", encoding="utf-8") as out:
            for i, value in enumerate(values):
                row = {
                    "step": step,
                    "id": ids[i],
                    "reward": value,
                    "completion": completion_text(completions[i]),
                }
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return values

    reward.__name__ = fn.__name__
    return reward


# ---------------------------------------------------------------- config


def vllm_wanted(settings: GRPOSettings, device: str) -> bool:
    """Whether generation goes through vLLM (see :class:`GRPOSettings`).

    Raises:
        ToolplanError / MissingDependencyError: ``on`` without a GPU or without vLLM.
    """
    installed = importlib.util.find_spec("vllm") is not None
    if settings.use_vllm == "on":
        if device != "cuda":
            raise ToolplanError("--use-vllm on needs a CUDA device. Fix: --use-vllm auto or off.")
        if not installed:
            raise MissingDependencyError("vllm", "--use-vllm on", "pip install vllm")
        return True
    return settings.use_vllm == "auto" and device == "cuda" and installed


def grpo_args(config: TrainConfig, settings: GRPOSettings, output_dir: Path, device: str) -> Any:
    """TRL ``GRPOConfig`` of a run (profile values where ``settings`` leaves them open)."""
    from trl import GRPOConfig

    profile = resolve_profile(settings.profile, device)
    extra = _PROFILE_GRPO[profile]
    num_generations = settings.num_generations or extra["num_generations"]
    if num_generations < 2:
        raise ToolplanError(
            f"--num-generations {num_generations}: GRPO compares completions within a group, "
            "so it needs at least 2. Fix: --num-generations 2 or more."
        )
    if (config.batch_size * config.grad_accum) % num_generations:
        raise ToolplanError(
            f"--batch-size {config.batch_size} x --grad-accum {config.grad_accum} completions "
            f"per step is not a multiple of --num-generations {num_generations}. Fix: make "
            "batch size x gradient accumulation a multiple of the number of generations."
        )
    max_len = settings.max_completion_length or extra["max_completion_length"][settings.reward]
    use_vllm = vllm_wanted(settings, device)
    optim = extra["optim"]
    if optim == "adamw_8bit" and device != "cuda":
        optim = "adamw_torch"  # bitsandbytes' 8-bit AdamW needs a GPU
    kwargs: dict[str, Any] = {}
    if use_vllm:
        kwargs.update(use_vllm=True, vllm_mode="colocate")
    return GRPOConfig(
        output_dir=str(output_dir),
        max_steps=config.max_steps if config.max_steps > 0 else 500,
        per_device_train_batch_size=config.batch_size,
        gradient_accumulation_steps=config.grad_accum,
        learning_rate=config.lr,
        lr_scheduler_type=extra["scheduler"],
        warmup_steps=config.warmup_ratio,  # transformers 5: a float < 1 is a ratio
        weight_decay=config.weight_decay,
        optim=optim,
        num_generations=num_generations,
        max_completion_length=max_len,
        temperature=settings.temperature,
        beta=settings.beta,
        logging_steps=config.logging_steps,
        logging_first_step=True,
        save_strategy="steps",
        save_steps=config.save_steps,
        save_total_limit=config.save_total_limit,
        use_cpu=device == "cpu",
        bf16=device == "cuda" and bf16_ok(),
        gradient_checkpointing=gradient_checkpointing_on(config, device),
        report_to=[],
        seed=config.seed,
        data_seed=config.seed,
        dataloader_num_workers=0,
        disable_tqdm=False,
        **kwargs,
    )


def _timed_trainer(base: type) -> type:
    """``GRPOTrainer`` that also logs the seconds spent generating per step
    (``timing/generate_s``; TRL logs the whole step as ``step_time``)."""

    class TimedGRPOTrainer(base):
        def _generate(self, prompts: list[Any]) -> Any:
            started = time.perf_counter()
            out = super()._generate(prompts)
            mode = "train" if self.model.training else "eval"
            self._metrics[mode]["timing/generate_s"].append(time.perf_counter() - started)
            return out

    return TimedGRPOTrainer


def build_grpo_trainer(
    config: TrainConfig,
    settings: GRPOSettings,
    model: Any,
    tokenizer: Any,
    rows: list[dict[str, Any]],
    output_dir: Path,
    device: str,
    reward_fn: Callable[..., list[float]],
    callbacks: list[Any] | None = None,
) -> Any:
    """The ``GRPOTrainer`` of a run: the prompts, :func:`grpo_args`, the LoRA (a fresh one
    from :func:`sft.lora_config`, or the ``--init`` adapter already on ``model``)."""
    import datasets
    from trl import GRPOTrainer

    trainer_class = _timed_trainer(GRPOTrainer)
    return trainer_class(
        model=model,
        reward_funcs=reward_fn,
        args=grpo_args(config, settings, output_dir, device),
        train_dataset=datasets.Dataset.from_list(rows),
        processing_class=tokenizer,
        peft_config=None if config.init else lora_config(config),
        callbacks=callbacks or [],
    )


# ---------------------------------------------------------------- run


def _log(message: str) -> None:
    print(f"[toolplan train] {message}", file=sys.stderr, flush=True)


def _template(tokenizer: Any) -> Any:
    from harness_ext.fc.prompts import tokenizer_template

    return tokenizer_template(tokenizer)


def reward_rate(path: Path) -> dict[str, Any]:
    """From ``rewards.jsonl``: completions scored, their mean reward, the share with a
    reward above 0 (the reward rate) and the share of full rewards (1.0)."""
    if not path.is_file():
        return {"completions": 0, "mean": None, "rate_nonzero": None, "rate_full": None}
    values = [json.loads(line)["reward"] for line in path.read_text("utf-8").splitlines() if line]
    values = [v for v in values if isinstance(v, (int, float))]
    n = len(values)
    return {
        "completions": n,
        "mean": round(sum(values) / n, 4) if n else None,
        "rate_nonzero": round(sum(v > 0 for v in values) / n, 4) if n else None,
        "rate_full": round(sum(v >= 1.0 for v in values) / n, 4) if n else None,
    }


def _keep_rewards_before(path: Path, step: int) -> None:
    """Drop the recorded rewards of steps ``>= step`` (all of them for a fresh run): a
    resumed run redoes those steps and records them again."""
    if not path.is_file():
        return
    lines = path.read_text("utf-8").splitlines(keepends=True)
    path.write_text("".join(x for x in lines if x.strip() and json.loads(x)["step"] < step))


def _history_series(history: list[dict[str, Any]], key: str) -> list[float]:
    return [float(h[key]) for h in history if isinstance(h.get(key), (int, float))]


def _drop_reference_adapter(model: Any) -> None:
    """TRL adds a frozen copy of an ``--init`` adapter as "ref" (the KL reference); it is
    not part of the trained adapter and is not saved."""
    peft_config = getattr(model, "peft_config", {})
    if "ref" in peft_config:
        model.delete_adapter("ref")


def _manifest(
    config: TrainConfig,
    settings: GRPOSettings,
    prompts: PromptSet,
    weights: dict[str, float],
    args: Any,
    summary: dict[str, Any],
) -> AdapterManifest:
    kind = "sft+grpo" if config.init else "grpo"
    return AdapterManifest(
        name=config.name or Path(config.out).resolve().name,
        kind=kind,
        base_model=config.base,
        base_model_name_or_path=recorded_base(config.base),
        quantization=config.quantization,
        lora=LoraSpec(
            r=config.r,
            alpha=config.alpha,
            dropout=config.dropout,
            target_modules=config.target_modules,
        ),
        reward=RewardSpec(
            name=settings.reward,
            weights=weights,
            fc_format=settings.fc_format if settings.reward == "function_call" else None,
            init=config.init,
        ),
        training_data={
            "path": prompts.source.label(),
            "sha256": prompts.sha256(),
            "examples": summary["prompts"]["used"],
            **{k: v for k, v in prompts.summary().items() if k not in ("sha256", "source")},
        },
        command=config.command,
        created=_dt.date.today().isoformat(),
        toolplan_eval_version=__version__,
        description=config.description,
        extra={
            "training": {
                "method": "grpo",
                "profile": summary["profile"],
                "lr": config.lr,
                "scheduler": args.lr_scheduler_type.value
                if hasattr(args.lr_scheduler_type, "value")
                else str(args.lr_scheduler_type),
                "optim": str(getattr(args.optim, "value", args.optim)),
                "max_steps": args.max_steps,
                "batch_size": config.batch_size,
                "grad_accum": config.grad_accum,
                "num_generations": args.num_generations,
                "max_completion_length": args.max_completion_length,
                "temperature": args.temperature,
                "beta": args.beta,
                "loss_type": args.loss_type,
                "use_vllm": bool(args.use_vllm),
                **{k: v for k, v in summary.items() if k not in ("profile", "prompts")},
            },
            **config.extra,
        },
    )


def train_grpo(config: TrainConfig, settings: GRPOSettings) -> dict[str, Any]:
    """Train with GRPO, save the adapter, its training log and its manifest; return a summary.

    Steps: the output folder (resume rules of ``sft.prepare_run_folder``), the base
    (``sft.load_base``) and ``--init`` adapter (``sft.continue_from``), the prompts
    (``grpo_data``; the chat template of the base renders function docs as the tasks
    do), the trainer, training, then ``sft.save_adapter``, ``training_log.json`` and
    ``manifest.yaml``.

    Raises:
        ToolplanError: a prompt source that does not fit the reward, or bad settings.
    """
    source = parse_source(config.data)
    if source.reward != settings.reward:
        raise ToolplanError(
            f"--reward {settings.reward} cannot score --data {config.data} (its rows are for "
            f"the {source.reward} reward). Fix: --reward {source.reward}, or another --data."
        )
    run = prepare_run_folder(config)
    started = time.perf_counter()
    device, model, tokenizer, config = load_for_training(config)
    prompts = load_prompt_set(
        source,
        settings.fc_format,
        _template(tokenizer),
        scenarios=settings.scenarios,
        catalog=settings.catalog,
    )
    from harness_ext.training.grpo_data import sample_rows

    rows = sample_rows(prompts.rows, settings.max_prompts, config.seed)
    _log(
        f"{len(rows)} prompts from {source.label()} ({len(prompts.rows)} after decontamination, "
        f"{len(prompts.dropped)} dropped); reward {settings.reward}"
    )
    weights = reward_weights(settings.reward, settings.weights)
    rewards_path = run.checkpoints / REWARDS_FILE
    _keep_rewards_before(rewards_path, step_of(run.resume_from))
    reward_fn = recording_reward(
        build_reward(settings.reward, weights, settings.fc_format), rewards_path
    )

    timer = step_timer()
    trainer = build_grpo_trainer(
        config, settings, model, tokenizer, rows, run.checkpoints, device, reward_fn, [timer]
    )
    result, start_step, loop_s = run_trainer(trainer, run)

    _drop_reference_adapter(trainer.model)
    save_adapter(trainer, config, run.out)
    history = list(trainer.state.log_history)
    reward_key = f"rewards/{reward_fn.__name__}/mean"
    rewards = _history_series(history, reward_key)
    zero_std = _history_series(history, "frac_reward_zero_std")
    summary: dict[str, Any] = {
        "profile": resolve_profile(settings.profile, device),
        "prompts": {"available": len(prompts.rows), "used": len(rows)},
        **progress_summary(trainer, run, start_step, result),
        "reward_first": rewards[0] if rewards else None,
        "reward_last": rewards[-1] if rewards else None,
        "reward_mean": round(sum(rewards) / len(rewards), 4) if rewards else None,
        "frac_reward_zero_std_mean": round(sum(zero_std) / len(zero_std), 4) if zero_std else None,
        "reward_rate": reward_rate(rewards_path),
        **timing_summary(timer, loop_s, started, device),
    }
    if summary["frac_reward_zero_std_mean"] == 1.0:
        _log(
            "warning: every group's completions got the same reward, so every advantage was 0 "
            "and nothing was learned (see the reward rate). A short SFT warm-up on the "
            "training format usually fixes this."
        )
    log = {"summary": summary, "log_history": history}
    (run.out / LOG_FILE).write_text(json.dumps(log, indent=2))
    manifest = _manifest(config, settings, prompts, weights, trainer.args, summary)
    write_manifest(run.out, manifest)
    return summary
