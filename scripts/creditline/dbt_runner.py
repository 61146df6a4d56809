"""Run dbt against this project with the project's own profile, in a child process.

A child process keeps each run's environment (warehouse path, raw root) separate, which
tests and the daily run rely on; dbt reads both through env_var() in profiles.yml and
the sources.
"""

import os
import subprocess
import sys
from pathlib import Path

from creditline.errors import CreditlineError
from creditline.paths import PROJECT_DIR, spark_dir


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def run_dbt(
    args: list[str],
    *,
    db_path: Path | None = None,
    raw_root: Path | None = None,
    target_path: Path | None = None,
    capture: bool = False,
) -> subprocess.CompletedProcess:
    """Run `dbt <args>` in the project directory; returns the finished process."""
    env = os.environ.copy()
    if db_path is not None:
        env["CREDITLINE_DB"] = str(Path(db_path).resolve())
        env.setdefault("CREDITLINE_TEMP_DIR", str(Path(db_path).resolve().parent / "tmp"))
    if raw_root is not None:
        env["CREDITLINE_RAW"] = str(Path(raw_root).resolve())
    # Absolute, so Spark (profile `spark`) and the Python side (creditline.spark) agree.
    env.setdefault("CREDITLINE_SPARK_DIR", str(spark_dir()))
    if target_path is not None:
        env["CREDITLINE_TARGET_PATH"] = str(Path(target_path).resolve())
    db = Path(env.get("CREDITLINE_DB", PROJECT_DIR / "warehouse" / "creditline.duckdb"))
    db.parent.mkdir(parents=True, exist_ok=True)
    command = [
        dbt_executable(),
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
    ]
    try:
        return subprocess.run(
            command, cwd=PROJECT_DIR, env=env, text=True, capture_output=capture, check=False
        )
    except FileNotFoundError as exc:
        raise CreditlineError("dbt is not installed: run 'make install' first") from exc
