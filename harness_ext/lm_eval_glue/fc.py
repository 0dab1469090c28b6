"""lm-eval glue for the BFCL function-calling tasks (``lm_eval_tasks/fc_bfcl/``).

Task options: the YAML's ``dataset_kwargs`` names the ``category``; ``--metadata``
chooses ``fc_format`` (``python``, the default: BFCL's prompt mode; or ``json``:
Hermes/Qwen ``<tool_call>`` blocks) and may point ``bfcl_data`` at another copy of
BFCL's data folder. In the JSON format the system turn is rendered through the chat
template of ``tokenizer=`` or ``pretrained=`` from ``--model_args`` when that template
renders ``tools=`` (see ``harness_ext.fc.prompts``); otherwise, and when no tokenizer
loads, the Hermes ``<tools>`` block is used and one log line says so.

Each doc carries its functions and acceptable answers as JSON text, so
``process_results`` needs nothing but the doc and the output.
"""

from __future__ import annotations

import functools
import json
import logging
from typing import Any

from harness_ext.errors import UnknownNameError
from harness_ext.fc.calls import FORMATS, CallFormat
from harness_ext.fc.data import load_entries
from harness_ext.fc.prompts import ChatTemplate, system_prompt, tokenizer_template, user_prompt
from harness_ext.fc.scoring import score_output

log = logging.getLogger(__name__)


def fc_format(value: Any) -> CallFormat:
    """Validate the ``fc_format`` metadata value.

    Raises:
        UnknownNameError: not ``python`` or ``json``.
    """
    name = str(value or "python")
    if name not in FORMATS:
        raise UnknownNameError(
            "fc_format", name, FORMATS, "Pass --metadata fc_format=python or fc_format=json."
        )
    return "json" if name == "json" else "python"


@functools.lru_cache(maxsize=4)
def _template(name: str, gguf_file: str | None) -> ChatTemplate | None:
    from harness_ext.models.embedded import resolve_model

    try:
        from transformers import AutoTokenizer

        extra = {"gguf_file": gguf_file} if gguf_file else {}
        tokenizer = AutoTokenizer.from_pretrained(resolve_model(name), **extra)
    except (OSError, ValueError) as e:
        log.warning("fc json format: tokenizer %r did not load (%s); Hermes <tools> block", name, e)
        return None
    return tokenizer_template(tokenizer)


def chat_template(model_kwargs: dict[str, Any]) -> ChatTemplate | None:
    """The evaluated model's chat template (``tokenizer=`` or ``pretrained=``), if any."""
    name = model_kwargs.get("tokenizer") or model_kwargs.get("pretrained")
    if not isinstance(name, str):
        log.warning("fc json format: no tokenizer= or pretrained= in --model_args; Hermes block")
        return None
    return _template(name, model_kwargs.get("gguf_file"))


def build_docs(
    category: str,
    fmt: CallFormat,
    bfcl_data: str | None = None,
    template: ChatTemplate | None = None,
) -> list[dict[str, Any]]:
    """One doc per BFCL entry: system and user turns, functions and answers as JSON."""
    docs = []
    for entry in load_entries(category, bfcl_data):
        system, route = system_prompt(entry, fmt, template)
        docs.append(
            {
                "id": entry.id,
                "category": entry.category,
                "fc_format": fmt,
                "prompt_route": route,
                "system": system,
                "user": user_prompt(entry),
                "functions": json.dumps(list(entry.functions), ensure_ascii=False),
                "ground_truth": json.dumps(list(entry.ground_truth), ensure_ascii=False),
            }
        )
    return docs


def load_dataset(**kwargs: Any) -> Any:
    """``custom_dataset`` entry point: lm-eval passes metadata and dataset_kwargs here."""
    import datasets

    fmt = fc_format(kwargs.get("fc_format"))
    template = chat_template(kwargs) if fmt == "json" else None
    docs = build_docs(kwargs["category"], fmt, kwargs.get("bfcl_data"), template)
    if fmt == "json":
        own = sum(d["prompt_route"] == "chat_template" for d in docs)
        log.info(
            "fc %s json format: %d of %d system turns rendered by the model's chat template "
            "(tools=), the rest as the Hermes <tools> block",
            kwargs["category"],
            own,
            len(docs),
        )
    return datasets.DatasetDict({"test": datasets.Dataset.from_list(docs)})


def doc_to_target(doc: dict[str, Any]) -> str:
    """The acceptable answers as JSON (for the logged samples; scoring reads the doc)."""
    return str(doc["ground_truth"])


def process_results(doc: dict[str, Any], results: list[str]) -> dict[str, float]:
    """Score one output; metric definitions: ``harness_ext.fc.table.FC_METRICS``."""
    output = results[0] if results else ""
    score = score_output(
        json.loads(doc["functions"]),
        json.loads(doc["ground_truth"]),
        doc["category"],
        output,
        fc_format(doc["fc_format"]),
    )
    return score.metrics()
