"""fp32 vs 8-bit vs 4-bit base (+ the placeholder LoRA) through ``toolplan-hf``.

    python benchmarks/bench_quant.py [--tokens 64] [--repeats 2] [--no-adapter]

Bases: fp32; 8-bit and 4-bit nf4 quantized on the fly (``load_in_*``, route b); and
8-bit / 4-bit folders written by ``toolplan quantize`` (route a, made in a temp dir). Each
configuration runs in a fresh Python process (so peak RSS is its own): build
``ToolplanHFLM`` (load + quantize + adapter checks), then greedy-generate ``--tokens``
new tokens for the description-free planning prompt ``--repeats`` times through the
model's own ``_model_generate`` (the path lm-eval uses). Numbers come from the
``toolplan_cost`` block that every run records. Printed: absolute values and ratios
against fp32. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADAPTER = ROOT / "adapters" / "placeholder-smollm2-r8"
# On the fly (route b) and from a `toolplan quantize` folder (route a; made in a temp dir).
CONFIGS: dict[str, dict[str, object]] = {
    "fp32": {},
    "8bit": {"load_in_8bit": True},
    "4bit": {"load_in_4bit": True, "bnb_4bit_compute_dtype": "float32"},
    "8bit dir": {"pretrained": "{dir}/q8"},
    "4bit dir": {"pretrained": "{dir}/q4"},
}


def one(config: str, tokens: int, repeats: int, adapter: bool, folder: str) -> dict[str, object]:
    """Measure one configuration in this process; return its cost block."""
    import logging

    from harness_ext.lm_eval_glue.models import ToolplanHFLM
    from harness_ext.planning.catalog import load_catalog
    from harness_ext.planning.prompts import system_prompt

    logging.disable(logging.WARNING)
    kwargs: dict[str, object] = {"pretrained": "smollm2-135m", **CONFIGS[config]}
    kwargs["pretrained"] = str(kwargs["pretrained"]).replace("{dir}", folder)
    if adapter:
        kwargs["peft"] = str(ADAPTER)
    lm = ToolplanHFLM(device="cpu", **kwargs)
    chat = [
        {"role": "system", "content": system_prompt("free", load_catalog())},
        {"role": "user", "content": "Which sensors does Pump 12 at site EAST have?"},
    ]
    prompt = lm.apply_chat_template(chat)
    ids = lm.tokenizer(prompt, return_tensors="pt").input_ids
    for _ in range(repeats):
        # min_new_tokens: every configuration generates the same number of tokens.
        lm._model_generate(ids, ids.shape[1] + tokens, [], min_new_tokens=tokens)
    return lm.cost_report()


def main() -> None:
    """Run every configuration in a subprocess and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--no-adapter", action="store_true")
    parser.add_argument("--one", choices=list(CONFIGS), help=argparse.SUPPRESS)
    parser.add_argument("--dir", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.tokens, args.repeats, not args.no_adapter, args.dir)))
        return
    rows = {}
    with tempfile.TemporaryDirectory() as folder:
        for bits in (8, 4):
            quantize = ["quantize", "--bits", str(bits), "smollm2-135m", f"{folder}/q{bits}"]
            subprocess.run(
                [sys.executable, "-m", "harness_ext.cli", *quantize],
                check=True,
                capture_output=True,
            )
        for config in CONFIGS:
            cmd = [sys.executable, __file__, "--one", config, "--tokens", str(args.tokens)]
            cmd += ["--repeats", str(args.repeats), "--dir", folder]
            cmd += ["--no-adapter"] if args.no_adapter else []
            out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
            rows[config] = json.loads(out.stdout.strip().splitlines()[-1])
    base = rows["fp32"]
    what = "with the placeholder LoRA" if not args.no_adapter else "no adapter"
    print(f"SmolLM2-135M on CPU, {what}, {args.repeats} x {args.tokens} generated tokens")
    header = f"{'base':<9} {'load s':>7} {'footprint MB':>13} {'peak RSS MB':>12}"
    header += f" {'tokens':>7} {'tok/s':>7}"
    print(header + "   ratios vs fp32: load, footprint, peak RSS, tok/s")
    for config, r in rows.items():
        ratios = ", ".join(
            f"{float(r[k]) / float(base[k]):.2f}"  # type: ignore[arg-type]
            for k in ("load_seconds", "model_footprint_mb", "peak_rss_mb", "tokens_per_second")
        )
        print(
            f"{config:<9} {r['load_seconds']:>7} {r['model_footprint_mb']:>13} "
            f"{r['peak_rss_mb']:>12} {r['generated_tokens']:>7} {r['tokens_per_second']:>7}"
            f"   {ratios}"
        )


if __name__ == "__main__":
    main()
