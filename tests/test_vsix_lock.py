"""The table of VS Code targets, the bundle lock and the checks on compiled modules (no network).

``requirements/bundle.lock`` must match pyproject.toml's dependencies and be complete for every
(target, CPython) pair it claims: these tests read it offline.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from scripts.vsix import build
from scripts.vsix._packaging import Requirement, Version, canonicalize_name
from scripts.vsix.lock import (
    LOCK_PATH,
    REGENERATE,
    Lock,
    LockedFile,
    LockError,
    _marker_for,
    load,
    parse,
    project_dependencies,
    render,
)
from scripts.vsix.targets import BY_NAME, PYTHONS, TARGETS, UnknownTarget, host_target, target
from scripts.vsix.wheels import BinaryInfo, NotABinary, binary_info, module_problem, wheel_fits

VSCODE_TARGETS = {
    "win32-x64",
    "win32-arm64",
    "darwin-x64",
    "darwin-arm64",
    "linux-x64",
    "linux-arm64",
    "alpine-x64",
}
"""The targets the extension is published for (``vsce package --target``)."""


@pytest.fixture(scope="module")
def lock() -> Lock:
    return load()


def combos(lock: Lock):
    for tgt in TARGETS:
        for python in lock.supported_pythons(tgt):
            yield tgt, python


# ---- the table ---------------------------------------------------------------------------


def test_the_table_has_every_published_target_once() -> None:
    assert [t.name for t in TARGETS] == list(BY_NAME)
    assert set(BY_NAME) == VSCODE_TARGETS
    assert PYTHONS == ("3.10", "3.11", "3.12", "3.13", "3.14")


def test_platform_tags_belong_to_their_target() -> None:
    expected = {
        "win32-x64": ("win_amd64",),
        "win32-arm64": ("win_arm64",),
        "darwin-x64": ("macosx_11_0_x86_64", "macosx_11_0_universal2", "macosx_10_9_x86_64"),
        "darwin-arm64": ("macosx_11_0_arm64", "macosx_11_0_universal2"),
        "linux-x64": ("manylinux_2_28_x86_64", "manylinux2014_x86_64", "manylinux1_x86_64"),
        "linux-arm64": ("manylinux_2_28_aarch64", "manylinux2014_aarch64"),
        "alpine-x64": ("musllinux_1_2_x86_64", "musllinux_1_1_x86_64"),
    }
    for name, platforms in expected.items():
        assert set(platforms) <= set(BY_NAME[name].platforms), name
    # No target takes another's wheels: glibc is not musl, arm64 is not x86_64, macOS 12 is newer.
    assert not any("musllinux" in p for p in BY_NAME["linux-x64"].platforms)
    assert not any("manylinux" in p for p in BY_NAME["alpine-x64"].platforms)
    assert not any("x86_64" in p for p in BY_NAME["darwin-arm64"].platforms)
    assert not any(p.startswith("manylinux_2_29") for p in BY_NAME["linux-x64"].platforms)
    assert not any(p.startswith("macosx_12") for p in BY_NAME["darwin-arm64"].platforms)


def test_wheel_fits_its_target_only() -> None:
    win = "tree_sitter-0.26.1-cp312-cp312-win_amd64.whl"
    assert wheel_fits(win, BY_NAME["win32-x64"], "3.12")
    assert not wheel_fits(win, BY_NAME["win32-x64"], "3.13")
    assert not wheel_fits(win, BY_NAME["win32-arm64"], "3.12")
    abi3 = "tree_sitter_python-0.25.0-cp310-abi3-macosx_11_0_arm64.whl"
    assert all(wheel_fits(abi3, BY_NAME["darwin-arm64"], py) for py in PYTHONS)
    assert not wheel_fits(abi3, BY_NAME["darwin-x64"], "3.12")
    universal = "pkg-1.0-cp312-cp312-macosx_10_13_universal2.whl"
    assert wheel_fits(universal, BY_NAME["darwin-x64"], "3.12")
    assert wheel_fits(universal, BY_NAME["darwin-arm64"], "3.12")
    musl = "pyyaml-6.0.4-cp311-cp311-musllinux_1_2_x86_64.whl"
    assert wheel_fits(musl, BY_NAME["alpine-x64"], "3.11")
    assert not wheel_fits(musl, BY_NAME["linux-x64"], "3.11")
    assert wheel_fits("attrs-26.1.0-py3-none-any.whl", BY_NAME["win32-arm64"], "3.14")


def test_marker_environments() -> None:
    env = BY_NAME["win32-arm64"].markers("3.12")
    assert (env["sys_platform"], env["platform_machine"], env["os_name"]) == (
        "win32",
        "ARM64",
        "nt",
    )
    assert env["python_version"] == "3.12" and env["python_full_version"] == "3.12.0"
    env = BY_NAME["darwin-arm64"].markers("3.10")
    assert (env["sys_platform"], env["platform_machine"], env["os_name"]) == (
        "darwin",
        "arm64",
        "posix",
    )
    assert BY_NAME["alpine-x64"].markers("3.11")["platform_system"] == "Linux"


def test_host_target_of_each_machine() -> None:
    assert host_target("linux", "x86_64", "glibc").name == "linux-x64"
    assert host_target("linux", "aarch64", "glibc").name == "linux-arm64"
    assert host_target("linux", "x86_64", "").name == "alpine-x64"
    assert host_target("darwin", "arm64").name == "darwin-arm64"
    assert host_target("darwin", "x86_64").name == "darwin-x64"
    assert host_target("win32", "AMD64").name == "win32-x64"
    assert host_target("win32", "ARM64").name == "win32-arm64"
    with pytest.raises(UnknownTarget):
        host_target("linux", "armv7l", "glibc")


def test_unknown_target_is_refused() -> None:
    for name in ("linux-armhf", "alpine-arm64", "web", "linux-x86_64", ""):
        with pytest.raises(UnknownTarget, match="knows the platform tags of win32-x64"):
            target(name)


def test_build_refuses_an_unknown_target(capsys: pytest.CaptureFixture[str]) -> None:
    """Before anything is installed or packaged: the old VSIX_TARGET relabelled Linux binaries."""
    assert build.main(["--target", "linux-armhf"]) == 1
    assert "unknown VS Code target 'linux-armhf'" in capsys.readouterr().err


def test_build_refuses_an_unknown_vsix_target(monkeypatch, capsys) -> None:
    monkeypatch.setenv("VSIX_TARGET", "darwin-universal")
    assert build.main([]) == 1
    assert "unknown VS Code target 'darwin-universal'" in capsys.readouterr().err


# ---- the lock ---------------------------------------------------------------------------


def test_lock_is_made_from_pyprojects_dependencies(lock: Lock) -> None:
    """A changed dependency in pyproject.toml needs a new lock."""
    assert lock.inputs == project_dependencies(), f"regenerate the lock: {REGENERATE}"
    for spec in lock.inputs:
        req = Requirement(spec)
        pinned = lock.package(req.name)
        assert Version(pinned.version) in req.specifier, (spec, pinned.version)
        assert pinned.marker is None, f"{req.name} is needed everywhere"


def test_lock_covers_the_table(lock: Lock) -> None:
    assert lock.targets == tuple(t.name for t in TARGETS)
    assert lock.pythons == PYTHONS
    # Some targets lack a wheel for an old CPython; every target runs on at least three.
    for tgt in TARGETS:
        assert len(lock.supported_pythons(tgt)) >= 3, tgt.name
    assert lock.supported_pythons(BY_NAME["linux-x64"]) == PYTHONS


def test_lock_is_closed_under_each_targets_requirements(lock: Lock) -> None:
    """Every requirement of every bundled package, with the target's markers, is locked there."""
    for tgt, python in combos(lock):
        env = tgt.markers(python)
        present = {p.key: p for p in lock.for_combo(tgt, python)}
        for package in present.values():
            for spec in package.requires:
                req = Requirement(spec)
                if req.marker is not None and not req.marker.evaluate(env):
                    continue
                key = canonicalize_name(req.name)
                assert key in present, f"{tgt.name} {python}: {package.name} needs {spec}"
                assert Version(present[key].version) in req.specifier, (tgt.name, python, spec)


def test_every_pair_has_a_locked_wheel_of_each_package(lock: Lock) -> None:
    for tgt, python in combos(lock):
        for package in lock.for_combo(tgt, python):
            chosen = build.best_file(package.files, tgt, python)
            assert chosen is not None, f"{tgt.name} {python}: no locked wheel of {package.name}"


def test_unsupported_pairs_really_lack_a_wheel(lock: Lock) -> None:
    for (name, python), why in lock.unsupported.items():
        tgt = BY_NAME[name]
        lacking = [p.name for p in lock.packages if build.best_file(p.files, tgt, python) is None]
        assert lacking, f"{name} {python} is marked unsupported ({why}) yet every wheel is there"


def test_lock_text_is_what_the_generator_writes(lock: Lock) -> None:
    assert render(lock) == LOCK_PATH.read_text(encoding="utf-8")
    assert render(parse(render(lock))) == render(lock)


def test_lock_hashes_match_its_files(lock: Lock) -> None:
    for package in lock.packages:
        assert package.files, package.name
        for file in package.files:
            assert canonicalize_name(file.filename.split("-")[0]) == package.key, file.filename
            assert f"-{package.version}-" in file.filename, file.filename


def test_requirements_for_a_pair_are_pins_with_hashes(lock: Lock) -> None:
    text = lock.requirements(BY_NAME["linux-x64"], "3.10")
    lines = text.splitlines()
    assert all("==" in ln and "--hash=sha256:" in ln for ln in lines), lines
    names = {canonicalize_name(ln.split("==")[0]) for ln in lines}
    assert "exceptiongroup" in names  # cattrs needs it before 3.11 only
    later = {
        canonicalize_name(ln.split("==")[0])
        for ln in lock.requirements(BY_NAME["linux-x64"], "3.12").splitlines()
    }
    assert "exceptiongroup" not in later


def test_parse_names_the_line_of_a_bad_lock() -> None:
    text = render(load()).replace("\nattrs==", "\nattrs>=", 1)
    with pytest.raises(LockError, match=r"bundle\.lock:\d+: not a line of a bundle lock"):
        parse(text)
    first = load().packages[0]
    tampered = render(load()).replace(first.files[0].sha256, "0" * 64, 1)
    with pytest.raises(LockError, match="name different sha256 sums"):
        parse(tampered)


def test_marker_for_the_pairs_that_need_a_package() -> None:
    every = [(t.name, py) for t in TARGETS for py in PYTHONS]
    assert _marker_for(set(every), every) is None
    old = {(t, py) for t, py in every if py == "3.10"}
    assert _marker_for(old, every) == 'python_version < "3.11"'
    new = {(t, py) for t, py in every if py in ("3.13", "3.14")}
    assert _marker_for(new, every) == 'python_version >= "3.13"'
    windows = {(t, py) for t, py in every if t.startswith("win32")}
    marker = _marker_for(windows, every)
    assert marker is not None and "win32" in marker and "python_version" not in marker
    # Markers cannot tell Alpine from glibc Linux on the same machine.
    with pytest.raises(LockError):
        _marker_for({(t, py) for t, py in every if t == "alpine-x64"}, every)


def test_best_file_prefers_the_most_specific_tag() -> None:
    files = (
        LockedFile("pkg-1.0-cp312-cp312-macosx_10_13_universal2.whl", "a" * 64),
        LockedFile("pkg-1.0-cp312-cp312-macosx_11_0_arm64.whl", "b" * 64),
        LockedFile("pkg-1.0-cp312-cp312-win_amd64.whl", "c" * 64),
    )
    assert build.best_file(files, BY_NAME["darwin-arm64"], "3.12") == files[1]
    assert build.best_file(files, BY_NAME["darwin-x64"], "3.12") == files[0]
    assert build.best_file(files, BY_NAME["win32-x64"], "3.12") == files[2]
    assert build.best_file(files, BY_NAME["win32-x64"], "3.11") is None


# ---- merging the per-version installs -----------------------------------------------------


def test_merge_shares_pure_files_and_joins_records(tmp_path: Path) -> None:
    a, b, out = tmp_path / "a", tmp_path / "b", tmp_path / "out"
    for tree, tag in ((a, "310"), (b, "311")):
        (tree / "pkg").mkdir(parents=True)
        (tree / "pkg" / "__init__.py").write_text("x = 1\n")
        (tree / "pkg" / f"_m.cpython-{tag}-x86_64-linux-gnu.so").write_bytes(
            b"\x7fELF" + tag.encode()
        )
        info = tree / "pkg-1.0.dist-info"
        info.mkdir()
        (info / "RECORD").write_text(
            f"pkg/__init__.py,,\npkg/_m.cpython-{tag}-x86_64-linux-gnu.so,,\n"
        )
        (info / "WHEEL").write_text(f"Wheel-Version: 1.0\nTag: cp{tag}-cp{tag}-linux_x86_64\n")
    build.merge([a, b], out)
    assert sorted(p.name for p in (out / "pkg").iterdir()) == [
        "__init__.py",
        "_m.cpython-310-x86_64-linux-gnu.so",
        "_m.cpython-311-x86_64-linux-gnu.so",
    ]
    record = (out / "pkg-1.0.dist-info" / "RECORD").read_text().splitlines()
    assert len(record) == 3 and "pkg/_m.cpython-311-x86_64-linux-gnu.so,," in record
    wheel = (out / "pkg-1.0.dist-info" / "WHEEL").read_text()
    assert "Tag: cp310-cp310-linux_x86_64" in wheel and "Tag: cp311-cp311-linux_x86_64" in wheel


def test_merge_refuses_pure_files_that_differ(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for tree, text in ((a, "x = 1\n"), (b, "x = 2\n")):
        (tree / "pkg").mkdir(parents=True)
        (tree / "pkg" / "__init__.py").write_text(text)
    with pytest.raises(
        build.BuildError, match=r"pkg/__init__\.py differs between CPython versions"
    ):
        build.merge([a, b], tmp_path / "out")


# ---- compiled modules -------------------------------------------------------------------


def elf(machine: int, libc: bytes = b"libc.so.6") -> bytes:
    header = bytearray(64)
    header[:4] = b"\x7fELF"
    header[4], header[5] = 2, 1
    struct.pack_into("<H", header, 18, machine)
    return bytes(header) + b"\0" + libc + b"\0"


def macho(cpu: int) -> bytes:
    return b"\xcf\xfa\xed\xfe" + struct.pack("<I", cpu) + bytes(24)


def fat(*cpus: int) -> bytes:
    head = b"\xca\xfe\xba\xbe" + struct.pack(">I", len(cpus))
    return head + b"".join(struct.pack(">IIIII", cpu, 3, 4096, 100, 12) for cpu in cpus)


def pe(machine: int) -> bytes:
    data = bytearray(0x80 + 8)
    data[:2] = b"MZ"
    struct.pack_into("<I", data, 0x3C, 0x80)
    data[0x80:0x84] = b"PE\0\0"
    struct.pack_into("<H", data, 0x84, machine)
    return bytes(data)


def test_binary_headers() -> None:
    assert binary_info(elf(62)) == BinaryInfo("elf", frozenset({"x86_64"}), "glibc")
    assert binary_info(elf(183, b"libc.musl-aarch64.so.1")) == BinaryInfo(
        "elf", frozenset({"arm64"}), "musl"
    )
    assert binary_info(macho(0x0100000C)) == BinaryInfo("macho", frozenset({"arm64"}))
    assert binary_info(fat(0x01000007, 0x0100000C)).arches == {"x86_64", "arm64"}
    assert binary_info(pe(0x8664)) == BinaryInfo("pe", frozenset({"x86_64"}))
    assert binary_info(pe(0xAA64)).arches == {"arm64"}
    with pytest.raises(NotABinary):
        binary_info(b"#!/bin/sh\n")


def test_module_problems_name_what_is_wrong() -> None:
    pys = PYTHONS
    win, win_arm = BY_NAME["win32-x64"], BY_NAME["win32-arm64"]
    assert module_problem("ts/_b.cp312-win_amd64.pyd", pe(0x8664), win, pys) is None
    assert module_problem("tsp/_binding.pyd", pe(0x8664), win, pys) is None  # abi3 on Windows
    assert "none of win32-x64's module tags" in module_problem(
        "ts/_b.cpython-312-x86_64-linux-gnu.so", elf(62), win, pys
    )
    assert "none of win32-arm64's module tags" in module_problem(
        "ts/_b.cp312-win_amd64.pyd", pe(0x8664), win_arm, pys
    )
    assert "not arm64" in module_problem("tsp/_binding.pyd", pe(0x8664), win_arm, pys)
    mac_x, mac_arm = BY_NAME["darwin-x64"], BY_NAME["darwin-arm64"]
    assert (
        module_problem("ts/_b.cpython-312-darwin.so", fat(0x01000007, 0x0100000C), mac_x, pys)
        is None
    )
    assert "not arm64" in module_problem("ts/_b.abi3.so", macho(0x01000007), mac_arm, pys)
    assert "a elf file" in module_problem("ts/_b.abi3.so", elf(62), mac_x, pys)
    alpine, linux = BY_NAME["alpine-x64"], BY_NAME["linux-x64"]
    assert (
        module_problem(
            "y/_y.cpython-312-x86_64-linux-musl.so", elf(62, b"libc.musl-x86_64.so.1"), alpine, pys
        )
        is None
    )
    # CPython 3.10 names musl modules linux-gnu: the header tells them apart.
    assert (
        module_problem(
            "y/_y.cpython-310-x86_64-linux-gnu.so", elf(62, b"libc.musl-x86_64.so.1"), alpine, pys
        )
        is None
    )
    assert "links glibc" in module_problem(
        "y/_y.cpython-310-x86_64-linux-gnu.so", elf(62), alpine, pys
    )
    assert "none of linux-x64's module tags" in module_problem(
        "y/_y.cpython-312-x86_64-linux-musl.so", elf(62), linux, pys
    )
    assert "not x86_64" in module_problem("y/_y.abi3.so", elf(183), linux, pys)
    assert "none of linux-x64's module tags" in module_problem(
        "y/_y.cpython-315-x86_64-linux-gnu.so", elf(62), linux, pys
    )


def test_lock_regeneration_command_is_documented() -> None:
    docs = Path(LOCK_PATH).read_text(encoding="utf-8")
    assert REGENERATE in docs


def test_wheelhouse_files_count_only_with_their_locked_hash(tmp_path: Path) -> None:
    import hashlib

    from scripts.vsix.lock import LockedPackage

    good = b"a wheel"
    name = "pkg-1.0-cp312-cp312-win_amd64.whl"
    package = LockedPackage(
        "pkg", "1.0", None, (), (LockedFile(name, hashlib.sha256(good).hexdigest()),)
    )
    lock = Lock((), PYTHONS, ("win32-x64",), {}, (package,))
    win = BY_NAME["win32-x64"]
    assert build.missing_wheels(lock, win, "3.12", tmp_path) == [package]
    (tmp_path / name).write_bytes(b"tampered")
    assert build.missing_wheels(lock, win, "3.12", tmp_path) == [package]
    (tmp_path / name).write_bytes(good)
    assert build.missing_wheels(lock, win, "3.12", tmp_path) == []
    with pytest.raises(build.BuildError, match="no wheel of pkg"):
        build.missing_wheels(lock, win, "3.11", tmp_path)
