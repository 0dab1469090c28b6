"""One base, three role adapters: the switch is real and the base is loaded once (slow:
the embedded model)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

ROLES = ("planner", "caller", "summarizer")
PROMPT = "Role: planner.\nFunctions:\nls(a?: bool)\nHistory:\nuser: list my files"


@pytest.fixture(scope="module")
def role_adapters(tmp_path_factory: pytest.TempPathFactory, embedded_model: str) -> Path:
    """Three LoRAs with random (non-zero) weights, saved as a trained adapter is."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    out = tmp_path_factory.mktemp("roles")
    torch.manual_seed(0)
    config = LoraConfig(
        r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False
    )
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(embedded_model), config, "planner")
    for role in ROLES[1:]:
        model.add_adapter(role, config)
    for peft_config in model.peft_config.values():
        peft_config.base_model_name_or_path = "HuggingFaceTB/SmolLM2-135M-Instruct"
    model.save_pretrained(str(out))
    return out


@pytest.mark.slow
def test_role_adapters_change_logits_differently_on_one_base(
    role_adapters: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from transformers import AutoModelForCausalLM

    from harness_ext.agents.model import RoleModel

    loads = []
    original = AutoModelForCausalLM.from_pretrained

    def counting(*args: object, **kwargs: object) -> object:
        loads.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(AutoModelForCausalLM, "from_pretrained", counting)
    paths = {r: str(role_adapters / r) for r in ROLES}
    model = RoleModel("smollm2-135m", paths)
    assert len(loads) == 1 and model.record.base_loads == 1
    assert set(model.record.probe_max_abs_logit_diff) == set(ROLES)

    base_weight = model.model.get_base_model().model.layers[0].self_attn.q_proj.base_layer.weight
    pointer = base_weight.data_ptr()
    logits = {r: model.logits(r, PROMPT) for r in ROLES}  # type: ignore[arg-type]
    assert base_weight.data_ptr() == pointer  # switching adapters never copies the base
    with model.model.disable_adapter():
        import torch

        batch = model.tokenizer(model.render(PROMPT), return_tensors="pt")
        with torch.no_grad():
            base = model.model(**batch).logits[0, -1].float()
    shifts = {r: logits[r] - base for r in ROLES}
    for a, b in itertools.combinations(ROLES, 2):
        assert float((logits[a] - logits[b]).abs().max()) > 1e-3, (a, b)
        assert float((shifts[a] - shifts[b]).abs().max()) > 1e-3, (a, b)
    again = model.logits("planner", PROMPT)
    assert float((again - logits["planner"]).abs().max()) == 0.0  # switching back is exact

    sizes = model.footprint()
    adapters = sum(v for k, v in sizes.items() if k.startswith("adapter_"))
    assert set(sizes) == {"base_mb", *(f"adapter_{r}_mb" for r in ROLES)}
    assert (sizes["base_mb"] + adapters) / (sizes["base_mb"] + adapters / 3) <= 1.1


@pytest.mark.slow
def test_single_mode_runs_every_role_with_the_backbone(role_adapters: Path) -> None:
    from harness_ext.agents.model import RoleModel

    model = RoleModel("smollm2-135m", {"backbone": str(role_adapters / "caller")}, mode="single")
    assert {model.adapter_for(r) for r in ("backbone", *ROLES)} == {"backbone"}  # type: ignore[arg-type]
    assert len(model.generate("backbone", ["Say one word.", "Say two words."])) == 2
