"""``toolplan model-path``: print the embedded model's folder, converting it on first use."""

from __future__ import annotations

import argparse

from harness_ext.models.embedded import DEFAULT_ALIAS, EMBEDDED_MODELS, embedded_model_path

HELP = "print the embedded model's HF folder (converts the GGUF once, ~30 s)"


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the optional alias argument."""
    parser.add_argument(
        "alias", nargs="?", default=DEFAULT_ALIAS, help=f"one of: {', '.join(EMBEDDED_MODELS)}"
    )


def run(args: argparse.Namespace) -> int:
    """Print the folder path on stdout (progress goes to stderr)."""
    print(embedded_model_path(args.alias))
    return 0
