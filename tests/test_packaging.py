"""The wheel and the sdist: each carries the corpus, and installs into a clean venv as a working
``torch-notes`` (what ``pip install``, ``pipx run`` and ``uvx`` do for other editors)."""

from __future__ import annotations

import subprocess
import sys
import tarfile
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


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built by the project's own backend (hatchling, installed with the dev extra): no network."""
    out = tmp_path_factory.mktemp("sdist")
    code = "import sys, hatchling.build as b; print(b.build_sdist(sys.argv[1]))"
    built = subprocess.run(
        [sys.executable, "-c", code, str(out)],
        cwd=REPO_ROOT, check=True, timeout=300, capture_output=True, text=True,
    )  # fmt: skip
    return out / built.stdout.strip().splitlines()[-1]


def test_sdist_ships_sources_corpus_and_licence(sdist: Path) -> None:
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
    top = names[0].split("/")[0]
    files = {n.removeprefix(f"{top}/") for n in names}
    expected = {f"snippets/{p.name}" for p in (REPO_ROOT / "snippets").iterdir() if p.is_file()}
    assert expected <= files, expected - files
    assert {"pyproject.toml", "README.md", "LICENSE", "server/torch_notes/__init__.py"} <= files
    assert "server/torch_notes/data/torch_api.json" in files
    assert not any(
        f.startswith(("client/", "tests/", "node_modules/", "benchmarks/", "scripts/", ".tools/"))
        or "__pycache__" in f
        for f in files
    ), sorted(f for f in files if f.startswith(("client/", "tests/", "scripts/")))[:10]


def test_sdist_builds_a_wheel_with_the_corpus(sdist: Path, tmp_path: Path) -> None:
    with tarfile.open(sdist) as tar:
        if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4 (and security releases)
            tar.extractall(tmp_path, filter="data")
        else:  # pragma: no cover - our own archive, just built
            tar.extractall(tmp_path)
    source = next(p for p in tmp_path.iterdir() if p.is_dir())
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "wheel"), str(source)],
        check=True, timeout=300,
    )  # fmt: skip
    (built,) = (tmp_path / "wheel").glob("torch_notes-*.whl")
    names = set(zipfile.ZipFile(built).namelist())
    expected = {p.name for p in (REPO_ROOT / "snippets").iterdir() if p.is_file()}
    assert expected <= {Path(n).name for n in names if n.startswith("torch_notes/_corpus/")}


def test_wheel_ships_corpus_and_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    corpus = {n for n in names if n.startswith("torch_notes/_corpus/")}
    shipped = {Path(n).name for n in corpus}
    expected = {p.name for p in (REPO_ROOT / "snippets").iterdir() if p.is_file()}
    assert expected <= shipped
    assert "torch_notes/data/torch_api.json" in names
    assert not any(n.startswith(("tests/", "client/", "benchmarks/")) for n in names)


@pytest.mark.parametrize("artifact", ["wheel", "sdist"])
def test_clean_venv_install_works_from_any_directory(
    artifact: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """``pip install`` of the wheel, or of the sdist (built in pip's isolated environment)."""
    built: Path = request.getfixturevalue(artifact)
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(built)],
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
