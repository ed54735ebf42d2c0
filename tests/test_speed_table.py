"""The README's speed table is what benchmarks/readme_table.py generates from the committed results.

No timing is asserted here: the ratios live in benchmarks/results/.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _readme_table():
    spec = importlib.util.spec_from_file_location("readme_table", ROOT / "benchmarks" / "readme_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_speed_table_equals_the_generated_one():
    table = _readme_table()
    section = table.readme_section((ROOT / "README.md").read_text())
    assert section is not None, "README.md lacks the speed-table markers"
    assert section == table.render(), "regenerate it: python benchmarks/readme_table.py --write"


def test_the_table_has_a_row_per_committed_figure():
    rows = _readme_table().rows()
    assert rows and all(len(r) == 6 for r in rows)
