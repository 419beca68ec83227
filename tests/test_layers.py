"""The layout's arrows point down (pyproject.toml [tool.importlinter]): the service above its
stages, the stages above core, classifiers with no I/O, core importing nothing of the project."""

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_imports_keep_the_layers():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout
