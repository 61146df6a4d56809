"""The benchmark rewrites only its measured section of docs/performance.md, and its steps
import what exists."""

import ast
import importlib

from creditline.bench import MEASURED_END, MEASURED_START, STEP_CODE, write_measured


def test_the_measured_section_is_replaced_and_the_analysis_around_it_kept(tmp_path):
    doc = tmp_path / "performance.md"
    doc.write_text(
        f"# Performance\n\nintro\n\n{MEASURED_START}\nold figures\n{MEASURED_END}\n\n"
        "## Analysis\n\nhand-written\n"
    )
    write_measured(doc, "new figures")
    text = doc.read_text()
    assert "old figures" not in text
    assert f"{MEASURED_START}\nnew figures\n{MEASURED_END}" in text
    assert text.startswith("# Performance\n\nintro\n\n")
    assert text.endswith("## Analysis\n\nhand-written\n")


def test_a_file_without_the_markers_gets_the_section_appended(tmp_path):
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\nanalysis\n")
    write_measured(doc, "figures")
    assert doc.read_text() == (
        f"# Performance\n\nanalysis\n\n{MEASURED_START}\nfigures\n{MEASURED_END}\n"
    )


def test_every_bench_step_imports_names_that_exist():
    """Each step runs as `python -c` code: a moved or renamed function would fail only in
    the hour-long `make bench`, so check its imports here."""
    for step, code in STEP_CODE.items():
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.ImportFrom) and node.module.startswith("creditline"):
                module = importlib.import_module(node.module)
                missing = [a.name for a in node.names if not hasattr(module, a.name)]
                assert not missing, f"bench step {step!r}: {node.module} has no {missing}"
