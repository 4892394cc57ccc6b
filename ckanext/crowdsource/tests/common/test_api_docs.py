"""docs/API.md is what ``make api-docs`` writes from the action docstrings
now: CI fails when an action or its docstring changed and the file did not."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]


def test_api_reference_is_current():
    done = subprocess.run([sys.executable, "scripts/api_docs.py", "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr or done.stdout
