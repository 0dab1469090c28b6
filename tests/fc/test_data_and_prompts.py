"""BFCL data read in place (and bad data refused clearly); the system and user turns."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from harness_ext.errors import DataFileError, MissingDependencyError, UnknownNameError
from harness_ext.fc import data as fc_data
from harness_ext.fc.data import CATEGORIES, category_name, load_entries
from harness_ext.fc.prompts import (
    PYTHON_HINT,
    hermes_system_prompt,
    openai_tools,
    system_prompt,
    template_system_text,
    tokenizer_template,
    user_prompt,
)
from tests.fc.bfcl_reference import bfcl_source_functions

SIZES = {
    "simple": 400,
    "multiple": 200,
    "parallel": 200,
    "parallel_multiple": 200,
    "irrelevance": 240,
    "live_simple": 258,
    "live_multiple": 1053,
    "live_parallel": 16,
    "live_parallel_multiple": 24,
    "live_irrelevance": 884,
}


def test_every_category_loads_with_bfcls_sizes() -> None:
    assert set(SIZES) == set(CATEGORIES)
    for category, size in SIZES.items():
        entries = load_entries(category)
        assert len(entries) == size, category
        assert all(bool(e.ground_truth) != ("irrelevance" in category) for e in entries)
    assert load_entries("simple_python") is load_entries("simple")  # BFCL's name, same cache


def test_unknown_category_suggests_the_close_one() -> None:
    with pytest.raises(UnknownNameError, match="Did you mean: simple"):
        category_name("simpel")
    with pytest.raises(UnknownNameError, match="multi_turn_base"):
        category_name("multi_turn_base")


def test_missing_bfcl_eval_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    real = fc_data.importlib.util.find_spec
    monkeypatch.setattr(
        fc_data.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "bfcl_eval" else real(name, *a),
    )
    fc_data._load.cache_clear()
    try:
        with pytest.raises(MissingDependencyError, match=r"pip install --no-deps bfcl-eval"):
            load_entries("simple")
    finally:
        fc_data._load.cache_clear()


def _write_category(folder: Path, question: dict[str, Any], answer: dict[str, Any]) -> None:
    (folder / "possible_answer").mkdir(parents=True, exist_ok=True)
    (folder / "BFCL_v4_simple_python.json").write_text(json.dumps(question) + "\n")
    (folder / "possible_answer" / "BFCL_v4_simple_python.json").write_text(
        json.dumps(answer) + "\n"
    )


def _good() -> tuple[dict[str, Any], dict[str, Any]]:
    question = json.loads(
        (fc_data.data_dir() / "BFCL_v4_simple_python.json").read_text().splitlines()[0]
    )
    answer = json.loads(
        (fc_data.data_dir() / "possible_answer" / "BFCL_v4_simple_python.json")
        .read_text()
        .splitlines()[0]
    )
    return question, answer


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (
            lambda q, a: q["function"][0]["parameters"]["properties"]["base"].update(type="number"),
            r"parameter 'base' has type 'number'",
        ),
        (
            lambda q, a: q["function"][0]["parameters"].pop("required"),
            r"'parameters.required' is not a list",
        ),
        (lambda q, a: q["function"][0].pop("name"), r"has no string 'name'"),
        (
            lambda q, a: q["function"][0]["parameters"]["properties"].update(xs={"type": "array"}),
            r"'items.type' is missing",
        ),
        (lambda q, a: a.update(ground_truth={"f": 1}), r"'ground_truth' is not a list"),
        (lambda q, a: a["ground_truth"][0].update(other={}), r"not a one-key object"),
        (
            lambda q, a: a.update(ground_truth=[{"nope": {}}]),
            r"'nope', which no function doc describes",
        ),
        (
            lambda q, a: q.update(question=[[{"role": "user"}]]),
            r"lacks a string 'role' or 'content'",
        ),
    ],
)
def test_a_malformed_record_is_one_clear_error(tmp_path: Path, breakage: Any, message: str) -> None:
    question, answer = _good()
    breakage(question, answer)
    _write_category(tmp_path, question, answer)
    with pytest.raises(DataFileError, match=message) as e:
        load_entries("simple", tmp_path)
    assert "simple_python_0" in str(e.value) and "BFCL_v4_simple_python.json" in str(e.value)


def test_a_missing_data_file_names_the_install_command(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="pip install --no-deps bfcl-eval"):
        load_entries("multiple", tmp_path)


def test_data_is_never_copied_into_the_repository(repo_root: Path) -> None:
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=repo_root, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert [p for p in tracked if "BFCL_v4_" in p] == []
    # The committed model outputs hold ids and outputs only, never BFCL's questions.
    fixture = repo_root / "tests/fc/data/model_outputs.jsonl"
    for line in fixture.read_text().splitlines():
        assert set(json.loads(line)) == {"id", "format", "output"}


@pytest.mark.slow
def test_loading_and_prompting_never_import_bfcl_utils() -> None:
    # bfcl_eval.utils creates folders inside site-packages when imported.
    code = (
        "import sys\n"
        "from harness_ext.lm_eval_glue.fc import build_docs\n"
        "build_docs('simple', 'python'); build_docs('live_multiple', 'json')\n"
        "bad = [m for m in sys.modules if m.startswith('bfcl_eval') and m != 'bfcl_eval' "
        "and not m.startswith('bfcl_eval.constants.default_prompts') and m != 'bfcl_eval.constants']\n"
        "print(bad)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def _bfcl_system_prompt(functions: list[dict[str, Any]]) -> str:
    """BFCL's own ``formulate_system_prompt`` (from its source) on the default format."""
    import re

    from bfcl_eval.constants import default_prompts

    names = ("formulate_system_prompt", "format_function_doc", "parse_prompt_variation_params")
    namespace = {k: getattr(default_prompts, k) for k in dir(default_prompts) if k.isupper()}
    funcs = bfcl_source_functions(
        "bfcl_eval.model_handler.utils", names, re=re, json=json, **namespace
    )
    return str(
        funcs["formulate_system_prompt"](default_prompts.DEFAULT_SYSTEM_PROMPT_FORMAT, functions)
    )


def test_python_system_prompt_is_bfcls_default_prompt() -> None:
    for category in ("simple", "multiple", "live_simple"):
        for entry in load_entries(category)[:20]:
            text, route = system_prompt(entry, "python")
            assert route == "bfcl_prompt"
            functions = [
                dict(f, description=f["description"] + PYTHON_HINT) for f in entry.functions
            ]
            expected = _bfcl_system_prompt(functions)
            own = [m["content"] for m in entry.messages if m["role"] == "system"]
            # An entry's own system message follows BFCL's after a blank line, as BFCL does.
            assert text == expected + ("\n\n" + own[0] if own else "")


def test_tools_are_bfcls_fc_schemas() -> None:
    import copy
    import re

    from bfcl_eval.constants.enums import ModelStyle
    from bfcl_eval.constants.type_mappings import GORILLA_TO_OPENAPI

    names = ("convert_to_tool", "_cast_to_openai_type")
    funcs = bfcl_source_functions(
        "bfcl_eval.model_handler.utils",
        names,
        copy=copy,
        re=re,
        ModelStyle=ModelStyle,
        GORILLA_TO_OPENAPI=GORILLA_TO_OPENAPI,
    )
    for category in ("simple", "parallel_multiple", "live_multiple"):
        for entry in load_entries(category)[:40]:
            hinted = [dict(f, description=f["description"] + PYTHON_HINT) for f in entry.functions]
            # FIREWORK_AI: a style that keeps dotted names, as we do.
            theirs = funcs["convert_to_tool"](hinted, GORILLA_TO_OPENAPI, ModelStyle.FIREWORK_AI)
            ours = openai_tools(entry.functions)
            assert ours == theirs, entry.id


def test_user_turn_carries_earlier_exchanges() -> None:
    entries = [e for e in load_entries("live_irrelevance") if len(e.messages) > 2]
    assert entries, "live_irrelevance no longer has multi-message turns"
    entry = entries[0]
    text = user_prompt(entry)
    turns = [m for m in entry.messages if m["role"] != "system"]
    assert text.endswith(turns[-1]["content"])
    assert text.startswith(f"{turns[0]['role']}: {turns[0]['content']}")


# A Qwen2.5-style template that puts the tools into the system turn.
QWEN_LIKE = (
    "{%- if tools %}{{ '<|im_start|>system\\n' }}"
    "{%- if messages[0].role == 'system' %}{{ messages[0].content + '\\n\\n' }}"
    "{%- else %}{{ 'Default.\\n\\n' }}{%- endif %}"
    "{{ '# Tools\\n<tools>' }}{%- for tool in tools %}{{ '\\n' + (tool | tojson) }}{%- endfor %}"
    "{{ '\\n</tools><|im_end|>\\n' }}"
    "{%- elif messages[0].role == 'system' %}"
    "{{ '<|im_start|>system\\n' + messages[0].content + '<|im_end|>\\n' }}{%- endif %}"
    "{%- for m in messages %}{%- if m.role == 'user' %}"
    "{{ '<|im_start|>user\\n' + m.content + '<|im_end|>\\n' }}{%- endif %}{%- endfor %}"
    "{%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{%- endif %}"
)
# A template that puts the tools into the user turn (Llama 3 style): not usable.
TOOLS_IN_USER = (
    "{%- for m in messages %}<|{{ m.role }}|>{%- if m.role == 'user' and tools %}{{ tools | tojson }}{%- endif %}"
    "{{ m.content }}<|end|>{%- endfor %}{%- if add_generation_prompt %}<|assistant|>{%- endif %}"
)


@pytest.fixture
def tokenizer(embedded_model: str) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(embedded_model)


@pytest.mark.slow
def test_json_system_turn_is_the_models_own_tools_rendering(tokenizer: Any) -> None:
    entry = load_entries("live_simple")[0]
    tools = openai_tools(entry.functions)
    question = user_prompt(entry)
    smollm = tokenizer_template(tokenizer)
    assert smollm is not None
    # SmolLM2's template ignores tools=: the Hermes block, as Qwen2.5 writes it.
    text, route = system_prompt(entry, "json", smollm)
    assert route == "hermes_block" and text == hermes_system_prompt(tools)
    tokenizer.chat_template = QWEN_LIKE
    qwen = tokenizer_template(tokenizer)
    assert qwen is not None
    for own in ("", "Be brief."):
        system = template_system_text(qwen, tools, own)
        assert system is not None
        # What lm-eval renders (system text + question, no tools=) is the template's own
        # rendering with tools=.
        head = [{"role": "system", "content": own}] if own else []
        native = qwen([*head, {"role": "user", "content": question}], tools)
        assert (
            qwen(
                [{"role": "system", "content": system}, {"role": "user", "content": question}], None
            )
            == native
        )
    tokenizer.chat_template = TOOLS_IN_USER
    assert template_system_text(tokenizer_template(tokenizer), tools) is None  # type: ignore[arg-type]


@pytest.mark.slow
def test_template_errors_fall_back_to_the_hermes_block(tokenizer: Any) -> None:
    tokenizer.chat_template = "{{ raise_exception('System role not supported') }}"
    entry = load_entries("simple")[0]
    text, route = system_prompt(entry, "json", tokenizer_template(tokenizer))
    assert route == "hermes_block" and "<tools>" in text
