"""``toolplan quantize``: write a bitsandbytes-quantized copy of a base model.

The folder loads with stock lm-eval, adapter on top::

    toolplan quantize --bits 4 smollm2-135m models/smollm2-nf4
    lm_eval --model hf --model_args pretrained=models/smollm2-nf4,peft=adapters/NAME ...
"""

from __future__ import annotations

import argparse

HELP = "write an 8-bit / 4-bit bitsandbytes copy of a base model (loads with --model hf)"


def configure(parser: argparse.ArgumentParser) -> None:
    """Flags: --bits, 4-bit options, device, --force; BASE and OUT."""
    parser.add_argument(
        "--bits", type=int, choices=(8, 4), required=True, help="8 (int8) or 4 (nf4/fp4)"
    )
    parser.add_argument("base", metavar="BASE", help="alias (smollm2-135m), model folder or hub id")
    parser.add_argument(
        "out", metavar="OUT", help="folder to write (must not exist, unless --force)"
    )
    parser.add_argument(
        "--quant_type", choices=("nf4", "fp4"), default="nf4", help="4-bit data type"
    )
    parser.add_argument(
        "--compute_dtype",
        choices=("float32", "float16", "bfloat16"),
        default=None,
        help="4-bit compute dtype (default: float32 on CPU, bfloat16/float16 on CUDA)",
    )
    parser.add_argument(
        "--double_quant", action="store_true", help="4-bit: also quantize the scales"
    )
    parser.add_argument(
        "--device", default=None, help="cpu or cuda:N (default: cuda:0 if available)"
    )
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")


def run(args: argparse.Namespace) -> int:
    """Quantize, save, and print the folder plus the lm-eval line that uses it."""
    from harness_ext.models.quantize import quantize_model

    device = args.device
    if device is None:
        import torch

        device = "cuda:0" if torch.cuda.is_available() else "cpu"
    report = quantize_model(
        args.base,
        args.out,
        args.bits,
        quant_type=args.quant_type,
        compute_dtype=args.compute_dtype,
        double_quant=args.double_quant,
        device=device,
        overwrite=args.force,
    )
    print(
        f"wrote {report.out} ({report.size_bytes / 1e6:.1f} MB, {report.quantization}) "
        f"in {report.seconds:.1f} s"
    )
    print(
        f"use it: lm_eval --model hf --model_args pretrained={report.out},peft=ADAPTER "
        f"--device {device} --tasks ..."
    )
    return 0
