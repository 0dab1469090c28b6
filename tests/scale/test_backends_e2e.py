"""The same scenarios through the real ``lm_eval`` CLI on three routes, same answers.

* ``toolplan-hf`` at batch 1 and at batch 4 on 4 description-free scenarios: the logged
  responses (32 new tokens at most, greedy) and every score are identical;
* ``local-chat-completions`` against llm-katan on 127.0.0.1 serving the embedded model
  (planning and BFCL function calling, ``--limit 2``): a server reply is the same greedy
  text, so its 16-token answers begin the batch-1 answers of the same scenarios.

llm-katan has no stop strings and strips its replies; the embedded model's end-of-turn is
its EOS, which both routes stop on, so the texts still match. llm-katan serves only
``/v1/chat/completions``: ``local-completions`` (log-likelihood via logprobs) needs a
server that returns them (vLLM), and is not run here.

* data parallel: ``accelerate launch`` with two CPU processes (``ACCELERATE_USE_CPU=1`` and
  the torchrun launcher; ``--cpu`` starts a single process) splits the 4 scenarios between
  them and gathers the batch-1 answers and scores.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import only_results_json, run_command, samples_jsonl

FREE = "assetops_free_test30"
FC = "fc_bfcl_simple"
# One thread and passive waits: the CI machine's two cores are shared.
ENV = {"OMP_WAIT_POLICY": "PASSIVE", "OMP_NUM_THREADS": "1"}


def _hf_run(
    out: Path, batch: int, launcher: tuple[str, ...] = ("lm_eval",)
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    result = run_command(
        [
            *launcher,
            "--model", "toolplan-hf",
            "--model_args", "pretrained=smollm2-135m,threads=1",
            "--device", "cpu",
            "--batch_size", str(batch),
            "--tasks", FREE,
            "--apply_chat_template",
            "--limit", "4",
            "--gen_kwargs", "max_gen_toks=32",
            "--output_path", str(out),
            "--log_samples",
        ],
        # accelerate's own CPU flag (--cpu) starts one process; this env starts a gloo group
        env={**ENV, "ACCELERATE_USE_CPU": "1"} if launcher[0] == "accelerate" else ENV,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return only_results_json(out), samples_jsonl(out, FREE)


@pytest.fixture(scope="module")
def batch_one(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    return _hf_run(tmp_path_factory.mktemp("batch1"), 1)


def _same_scores(got: dict[str, Any], want: dict[str, Any]) -> None:
    """Every metric equal (undefined ones NaN on both sides; sums in another order)."""
    assert got.keys() == want.keys()
    for key, value in want.items():
        if isinstance(value, float):
            assert got[key] == pytest.approx(value, nan_ok=True), key
        else:
            assert got[key] == value, key


def _responses(samples: list[dict[str, Any]]) -> dict[int, str]:
    return {s["doc_id"]: s["resps"][0][0] for s in samples}


@pytest.mark.slow
def test_batched_hf_gives_batch_one_answers_and_scores(
    batch_one: tuple[dict[str, Any], list[dict[str, Any]]], tmp_path: Path
) -> None:
    one, one_samples = batch_one
    four, four_samples = _hf_run(tmp_path, 4)
    assert len(one_samples) == len(four_samples) == 4
    assert _responses(four_samples) == _responses(one_samples)
    _same_scores(four["results"][FREE], one["results"][FREE])
    cost = four["config"]["toolplan_cost"]
    assert (cost["largest_batch"], cost["generate_rows"]) == (4, 4)
    assert one["config"]["toolplan_cost"]["largest_batch"] == 1


@pytest.mark.slow
def test_local_chat_completions_on_llm_katan(
    katan: Any,
    embedded_model: str,
    batch_one: tuple[dict[str, Any], list[dict[str, Any]]],
    tmp_path: Path,
) -> None:
    server = katan(embedded_model, "--device", "cpu", "--no-quantize")
    result = run_command(
        [
            "lm_eval",
            "--model", "local-chat-completions",
            "--model_args",
            f"model=judge,base_url={server.base_url}/chat/completions,num_concurrent=1,"
            f"max_retries=1,tokenizer={embedded_model}",
            "--tasks", f"{FREE},{FC}",
            "--apply_chat_template",
            "--limit", "2",
            "--gen_kwargs", "max_gen_toks=16",
            "--output_path", str(tmp_path),
            "--log_samples",
        ],
        env=ENV,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert server.requests_seen() == 4
    results = only_results_json(tmp_path)["results"]
    assert results[FREE]["sample_len"] == results[FC]["sample_len"] == 2
    assert {"at_f1,none", "tool_f1,none", "prompt_tokens,none"} <= set(results[FREE])
    assert {"acc,none", "decode_ok,none"} <= set(results[FC])
    for task in (FREE, FC):
        assert all(s["resps"][0][0].strip() for s in samples_jsonl(tmp_path, task)), task
    served = _responses(samples_jsonl(tmp_path, FREE))
    local = _responses(batch_one[1])
    for doc_id, text in served.items():
        assert local[doc_id].strip().startswith(text.strip()), (doc_id, text, local[doc_id])


@pytest.mark.slow
def test_accelerate_two_cpu_processes_split_the_work(
    batch_one: tuple[dict[str, Any], list[dict[str, Any]]], tmp_path: Path
) -> None:
    launcher = (
        "accelerate", "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
        "--mixed_precision", "no", "--dynamo_backend", "no", "-m", "lm_eval",
    )  # fmt: skip
    split, split_samples = _hf_run(tmp_path, 1, launcher)
    one, one_samples = batch_one
    assert _responses(split_samples) == _responses(one_samples)
    # rank 0 wrote the file and generated only its half of the 4 scenarios
    assert split["config"]["toolplan_cost"]["generate_rows"] == 2
    _same_scores(split["results"][FREE], one["results"][FREE])
