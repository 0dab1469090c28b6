"""Count a planning prompt's tokens in the evaluated model's tokenizer.

``prompt_tokens`` counts the chat-formatted prompt (system + user turn, generation
prompt added) in the tokenizer of ``tokenizer=`` or ``pretrained=`` from the model
arguments; without a chat template, the plain ``system + blank line + question`` text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


def prompt_token_counter(model_kwargs: dict[str, Any]) -> Callable[[str, str], int] | None:
    """A ``count(system, user)`` function, or None (with one warning) without a tokenizer."""
    name = model_kwargs.get("tokenizer") or model_kwargs.get("pretrained")
    if not isinstance(name, str):
        log.warning("prompt_tokens not reported: no tokenizer= or pretrained= in --model_args")
        return None
    from harness_ext.models.embedded import resolve_model

    try:
        from transformers import AutoTokenizer

        extra = {"gguf_file": model_kwargs["gguf_file"]} if model_kwargs.get("gguf_file") else {}
        tokenizer = AutoTokenizer.from_pretrained(resolve_model(name), **extra)
    except (OSError, ValueError) as e:
        log.warning("prompt_tokens not reported: tokenizer %r could not be loaded (%s)", name, e)
        return None

    def count(system: str, user: str) -> int:
        if getattr(tokenizer, "chat_template", None):
            messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
            text = tokenizer.apply_chat_template(
                messages, add_generation_prompt=True, tokenize=False
            )
        else:
            text = f"{system}\n\n{user}"
        return len(tokenizer(text, add_special_tokens=False)["input_ids"])

    return count
