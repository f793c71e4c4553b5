"""``pip install .`` into a clean venv gives a working ``torch-notes`` with the corpus inside."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(REPO_ROOT)],
        check=True, timeout=300,
    )  # fmt: skip
    return next(out.glob("torch_notes-*.whl"))


def test_wheel_ships_corpus_and_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    corpus = {n for n in names if n.startswith("torch_notes/_corpus/")}
    shipped = {Path(n).name for n in corpus}
    expected = {p.name for p in (REPO_ROOT / "snippets").iterdir() if p.is_file()}
    assert expected <= shipped
    assert "torch_notes/data/torch_api.json" in names
    assert not any(n.startswith(("tests/", "client/", "benchmarks/")) for n in names)


def test_clean_venv_install_works_from_any_directory(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        check=True, timeout=600,
    )  # fmt: skip
    script = env_dir / "bin" / "torch-notes"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shown = subprocess.run(
        [str(script), "show", "contiguous"], cwd=elsewhere, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert "transpose" in shown.stdout and shown.stderr == ""
    no_torch = subprocess.run(
        [str(python), "-c", "import importlib.util as u; print(u.find_spec('torch') is None)"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert no_torch.stdout.strip() == "True", "serving must not need torch"
    exported = subprocess.run(
        [str(script), "export", "--format", "vscode"], cwd=elsewhere, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert exported.returncode == 0 and '"prefix"' in exported.stdout
