"""The benchmark rewrites only its measured section of docs/performance.md."""

from creditline.bench import MEASURED_END, MEASURED_START, write_measured


def test_the_measured_section_is_replaced_and_the_analysis_around_it_kept(tmp_path):
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Performance\n\nintro\n\n{MEASURED_START}\nold figures\n{MEASURED_END}\n\n"
                   "## Analysis\n\nhand-written\n")
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
    assert doc.read_text() == (f"# Performance\n\nanalysis\n\n{MEASURED_START}\nfigures\n"
                               f"{MEASURED_END}\n")
