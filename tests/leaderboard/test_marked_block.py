"""``harness_ext.io.replace_marked_block``: the one writer of generated blocks in
hand-written files (README leaderboard, fidelity and ablation reports)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness_ext.errors import DataFileError
from harness_ext.io import replace_marked_block

START, END = "<!-- x:start -->", "<!-- x:end -->"


def test_only_the_block_changes_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "f.md"
    path.write_bytes(f"intro  \r\n{START}\nold\n{END}\n\ntail é\n".encode())
    replace_marked_block(path, START, END, f"{START}\nnew\n{END}", "x")
    assert path.read_bytes() == f"intro  \r\n{START}\nnew\n{END}\n\ntail é\n".encode()


def test_an_end_marker_before_the_start_is_not_taken(tmp_path: Path) -> None:
    path = tmp_path / "f.md"
    path.write_text(f"{END}\n{START}\nold\n{END}\n", "utf-8")
    replace_marked_block(path, START, END, f"{START}\nnew\n{END}", "x")
    assert path.read_text("utf-8") == f"{END}\n{START}\nnew\n{END}\n"


@pytest.mark.parametrize("text", ["no markers\n", f"{START}\nno end\n", f"{END}\nno start\n"])
def test_missing_markers_write_nothing(tmp_path: Path, text: str) -> None:
    path = tmp_path / "f.md"
    path.write_text(text, "utf-8")
    with pytest.raises(DataFileError, match=r"f\.md: has no table-x markers\. Fix: put the lines"):
        replace_marked_block(path, START, END, "new", "table-x")
    assert path.read_text("utf-8") == text


def test_a_missing_file_is_created_only_when_a_title_is_given(tmp_path: Path) -> None:
    path = tmp_path / "f.md"
    with pytest.raises(DataFileError, match="cannot be read"):
        replace_marked_block(path, START, END, "block", "x")
    assert not path.exists()
    replace_marked_block(path, START, END, f"{START}\nb\n{END}", "x", title="Report")
    assert path.read_text("utf-8") == f"# Report\n\n{START}\nb\n{END}\n"
