"""The dbt docs next to the reports: `dbt docs generate --static` writes one self-contained
HTML file (manifest and catalog inlined), which opens from disk with no server.

The catalog (column types, row counts) is read from the published warehouse through a
temporary profile that attaches it read-only, so generating the docs never writes to the
warehouse and never needs its write lock; dbt's artefacts go to a temporary target path.
`start()` launches dbt in the background, so the docs build while the pages render.
Anonymous usage stats are off for this run: with them on, dbt's page loads a tracker script
from a CDN (a protocol-relative `//…/sp.js`), which opened from disk is a request outside the
site and served over HTTP would leave the network. The overview page is the project's own
(`models/overview.md`), pointing back to the reports.
"""

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from creditline.dbt_runner import dbt_executable
from creditline.paths import PROJECT_DIR

DOCS_DIR = "dbt-docs"

_PROFILE = """\
creditline:
  target: docs
  outputs:
    docs:
      type: duckdb
      path: ":memory:"
      database: {alias}
      threads: 2
      attach:
        - path: "{db_path}"
          alias: {alias}
          read_only: true
"""


@dataclass
class DocsJob:
    process: subprocess.Popen | None
    work: Path
    reason: str = ""


def start(db_path: Path) -> DocsJob:
    """Start `dbt docs generate --static` against the warehouse, read-only."""
    work = Path(tempfile.mkdtemp(prefix="creditline-docs-"))
    if not (PROJECT_DIR / "dbt_project.yml").is_file():
        return DocsJob(None, work, "the dbt project is not installed next to the package")
    # dbt names the database after the file, and the models' relations after that name.
    alias = Path(db_path).stem
    (work / "profiles.yml").write_text(
        _PROFILE.format(alias=alias, db_path=str(Path(db_path).resolve()).replace('"', '\\"'))
    )
    command = [
        dbt_executable(), "docs", "generate", "--static",
        "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(work),
        "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
    ]  # fmt: skip
    env = {
        **os.environ,
        "CREDITLINE_DB": str(Path(db_path).resolve()),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",  # no tracker script in the page
    }
    env.pop("CREDITLINE_TARGET_PATH", None)
    try:
        process = subprocess.Popen(
            command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
    except FileNotFoundError:
        return DocsJob(None, work, "dbt is not installed")
    return DocsJob(process, work)


def finish(job: DocsJob, out_dir: Path) -> tuple[Path | None, str]:
    """Wait for dbt and copy the static docs to `<out_dir>/dbt-docs/index.html`.
    Returns (the file, "") or (None, why not)."""
    try:
        if job.process is None:
            return None, job.reason
        output, _ = job.process.communicate()
        static = job.work / "target" / "static_index.html"
        if job.process.returncode != 0 or not static.is_file():
            last = [line for line in output.splitlines() if line.strip()][-3:]
            return None, f"dbt docs generate failed: {' / '.join(last)}"
        target = Path(out_dir) / DOCS_DIR / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(static, target)
        return target, ""
    finally:
        shutil.rmtree(job.work, ignore_errors=True)
