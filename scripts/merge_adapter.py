"""Merge a registered adapter into its base and save a plain folder a server can load.

    python scripts/merge_adapter.py adapters/assetops-free-smollm2-r16 out/merged-r16
    llm-katan --model out/merged-r16 --served-model-name r16 --host 127.0.0.1 --port 8000 \
      --device cpu --no-quantize --disable-dashboard

The logic is ``harness_ext.models.serving.merge_adapter`` (fp32 base; see its docstring).
"""

from __future__ import annotations

import argparse

from harness_ext.models.serving import merge_adapter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("adapter")
    parser.add_argument("out")
    parser.add_argument("--base", default=None, help="default: the adapter manifest's base")
    args = parser.parse_args()
    print(merge_adapter(args.adapter, args.out, args.base))


if __name__ == "__main__":
    main()
