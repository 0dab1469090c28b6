"""The llm-katan server factory of the judge tests, reused for the model-under-test routes."""

from __future__ import annotations

from tests.judge.conftest import katan

__all__ = ["katan"]
