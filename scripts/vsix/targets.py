"""The VS Code targets the extension is built for, and what each means to pip and to a loader.

One table (``TARGETS``) is used by the lock generator, the build and the tests: for each VS Code
target, the pip platform tags whose wheels run there (most specific first), the environment
markers of its interpreters, and what its compiled modules look like (binary format, machine,
C library, file-name tags).

Floors: glibc 2.28 and macOS 11 are what VS Code itself needs on Linux and macOS; musl 1.2 is
Alpine's since 3.13.
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Mapping
from dataclasses import dataclass

from scripts.vsix._packaging import tags

PYTHONS: tuple[str, ...] = ("3.10", "3.11", "3.12", "3.13", "3.14")
"""The CPython versions every target is built for (``requires-python`` to the newest release)."""


def _manylinux(arch: str, glibc_minor: int) -> tuple[str, ...]:
    """``manylinux_2_N_<arch>`` from glibc 2.``glibc_minor`` down to 2.5, legacy aliases too."""
    legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
    out: list[str] = []
    for minor in range(glibc_minor, 4, -1):
        out.append(f"manylinux_2_{minor}_{arch}")
        if minor in legacy and (minor == 17 or arch in ("x86_64", "i686")):
            out.append(f"{legacy[minor]}_{arch}")
    return tuple(out)


def _musllinux(arch: str, musl_minor: int) -> tuple[str, ...]:
    return tuple(f"musllinux_1_{minor}_{arch}" for minor in range(musl_minor, -1, -1))


def _macos(arch: str, major: int) -> tuple[str, ...]:
    """macOS ``major``.0 and older for ``arch``: single-arch and ``universal2`` wheels (the fat
    and intel variants of 2000s toolchains are left out)."""
    return tuple(
        p for p in tags.mac_platforms((major, 0), arch) if p.endswith((f"_{arch}", "_universal2"))
    )


@dataclass(frozen=True)
class Target:
    """One VS Code target (``vsce package --target NAME``)."""

    name: str
    platforms: tuple[str, ...]
    """pip ``--platform`` values whose wheels run on this target, most specific first."""
    sys_platform: str
    platform_system: str
    platform_machine: str
    """``platform.machine()`` of a native interpreter there (marker ``platform_machine``)."""
    binary: str
    """Format of compiled modules: ``elf``, ``macho`` or ``pe``."""
    arch: str
    """Machine of compiled modules: ``x86_64`` or ``arm64`` (``aarch64`` on Linux is ``arm64``)."""
    libc: str = ""
    """``glibc`` or ``musl`` on Linux."""
    run_in_vscode: bool = False
    """Whether the test suite runs this target's vsix in a real VS Code (else: inspected only)."""

    @property
    def os_name(self) -> str:
        return "nt" if self.sys_platform == "win32" else "posix"

    def markers(self, python: str) -> dict[str, str]:
        """The PEP 508 marker environment of CPython ``python`` on this target."""
        return {
            "implementation_name": "cpython",
            "implementation_version": f"{python}.0",
            "os_name": self.os_name,
            "platform_machine": self.platform_machine,
            "platform_python_implementation": "CPython",
            "platform_release": "",
            "platform_system": self.platform_system,
            "platform_version": "",
            "python_full_version": f"{python}.0",
            "python_version": python,
            "sys_platform": self.sys_platform,
            "extra": "",
        }

    def supported_tags(self, python: str) -> list[tags.Tag]:
        """Wheel tags CPython ``python`` loads on this target, best first (as pip ranks them)."""
        version = tuple(int(p) for p in python.split("."))
        interpreter = f"cp{version[0]}{version[1]}"
        return [
            *tags.cpython_tags(version, abis=[interpreter], platforms=self.platforms),
            *tags.compatible_tags(version, interpreter, self.platforms),
        ]

    def module_suffixes(self, python: str) -> tuple[str, ...]:
        """File-name endings of the compiled modules CPython ``python`` imports on this target."""
        nodot = python.replace(".", "")
        if self.binary == "pe":
            # A stable-ABI module on Windows has no tag at all: `_binding.pyd`.
            plat = "win_amd64" if self.arch == "x86_64" else "win_arm64"
            return (f".cp{nodot}-{plat}.pyd",)
        if self.binary == "macho":
            return (f".cpython-{nodot}-darwin.so", ".abi3.so")
        machine = "x86_64" if self.arch == "x86_64" else "aarch64"
        # CPython names its modules for musl only since 3.11; 3.10 on Alpine says linux-gnu.
        musl = self.libc == "musl" and python != "3.10"
        flavour = "musl" if musl else "gnu"
        return (f".cpython-{nodot}-{machine}-linux-{flavour}.so", ".abi3.so")


TARGETS: tuple[Target, ...] = (
    Target("win32-x64", ("win_amd64",), "win32", "Windows", "AMD64", "pe", "x86_64"),
    Target("win32-arm64", ("win_arm64",), "win32", "Windows", "ARM64", "pe", "arm64"),
    Target("darwin-x64", _macos("x86_64", 11), "darwin", "Darwin", "x86_64", "macho", "x86_64"),
    Target("darwin-arm64", _macos("arm64", 11), "darwin", "Darwin", "arm64", "macho", "arm64"),
    Target(
        "linux-x64",
        _manylinux("x86_64", 28),
        "linux",
        "Linux",
        "x86_64",
        "elf",
        "x86_64",
        "glibc",
        run_in_vscode=True,
    ),
    Target(
        "linux-arm64",
        _manylinux("aarch64", 28),
        "linux",
        "Linux",
        "aarch64",
        "elf",
        "arm64",
        "glibc",
    ),
    Target(
        "alpine-x64", _musllinux("x86_64", 2), "linux", "Linux", "x86_64", "elf", "x86_64", "musl"
    ),
)

BY_NAME: Mapping[str, Target] = {t.name: t for t in TARGETS}


class UnknownTarget(ValueError):
    """A target name the table does not have: the build refuses it."""


def target(name: str) -> Target:
    """The target named ``name``; refuses names the table does not know."""
    try:
        return BY_NAME[name]
    except KeyError:
        known = ", ".join(BY_NAME)
        raise UnknownTarget(
            f"unknown VS Code target {name!r}: the build knows the platform tags of {known}"
        ) from None


def host_target(
    sys_platform: str | None = None, machine: str | None = None, libc: str | None = None
) -> Target:
    """The target of the machine running this (or of the given ``sys.platform``/machine/libc)."""
    sys_platform = sys_platform or sys.platform
    machine = (machine or platform.machine()).lower()
    arch = {"amd64": "x86_64", "x86_64": "x86_64", "arm64": "arm64", "aarch64": "arm64"}.get(
        machine, machine
    )
    vscode_arch = {"x86_64": "x64", "arm64": "arm64"}.get(arch, machine)
    if sys_platform.startswith("linux"):
        libc = libc if libc is not None else (platform.libc_ver()[0] or "musl")
        return target(f"{'linux' if libc == 'glibc' else 'alpine'}-{vscode_arch}")
    return target(f"{sys_platform}-{vscode_arch}")
