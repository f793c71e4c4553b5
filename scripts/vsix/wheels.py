"""Wheel file names and compiled modules: which target a file can run on.

``binary_info`` reads the header of a compiled module (ELF, Mach-O, including universal files,
or PE) without loading it, so a package for Windows or macOS can be checked on Linux.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from scripts.vsix._packaging import parse_wheel_filename, tags
from scripts.vsix.targets import Target

COMPILED_SUFFIXES = (".so", ".pyd", ".dylib", ".dll")
"""Endings of files a Python package loads as native code."""


def wheel_tags(filename: str) -> frozenset[tags.Tag]:
    """The tags a wheel's file name declares (``cp310-abi3-win_amd64`` and compressed sets)."""
    return parse_wheel_filename(filename)[3]


def wheel_fits(filename: str, target: Target, python: str) -> bool:
    """Whether pip would install the wheel ``filename`` for CPython ``python`` on ``target``."""
    return bool(wheel_tags(filename) & set(target.supported_tags(python)))


@dataclass(frozen=True)
class BinaryInfo:
    """What a compiled module's header says."""

    format: str
    """``elf``, ``macho`` or ``pe``."""
    arches: frozenset[str]
    """Machines it contains code for: ``x86_64``, ``arm64``, ``x86``, ``arm``, ... (a macOS
    universal file names several)."""
    libc: str = ""
    """For ELF: ``musl`` when it links musl's libc, ``glibc`` when it links ``libc.so.6``."""


_ELF_MACHINES = {3: "x86", 40: "arm", 62: "x86_64", 183: "arm64"}
_MACHO_CPUS = {7: "x86", 0x01000007: "x86_64", 12: "arm", 0x0100000C: "arm64"}
_PE_MACHINES = {0x14C: "x86", 0x8664: "x86_64", 0xAA64: "arm64", 0x1C4: "arm"}


class NotABinary(ValueError):
    """The bytes are not an ELF, Mach-O or PE file."""


def binary_info(data: bytes) -> BinaryInfo:
    """Format and machine(s) of a compiled module, from its first bytes (the whole file for ELF's
    libc)."""
    if data[:4] == b"\x7fELF":
        little = data[5] == 1
        (machine,) = struct.unpack_from("<H" if little else ">H", data, 18)
        if b"libc.musl-" in data or b"ld-musl-" in data:
            libc = "musl"
        elif b"libc.so.6" in data:
            libc = "glibc"
        else:
            libc = ""
        return BinaryInfo("elf", frozenset({_ELF_MACHINES.get(machine, f"elf-{machine}")}), libc)
    if data[:4] in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe"):  # thin Mach-O, little-endian
        (cpu,) = struct.unpack_from("<I", data, 4)
        return BinaryInfo("macho", frozenset({_MACHO_CPUS.get(cpu, f"macho-{cpu:#x}")}))
    if data[:4] in (b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf"):  # universal (fat) Mach-O
        (count,) = struct.unpack_from(">I", data, 4)
        size = 20 if data[3] == 0xBE else 32
        if not 0 < count <= 16:
            raise NotABinary("not a universal Mach-O file")
        cpus = {struct.unpack_from(">I", data, 8 + i * size)[0] for i in range(count)}
        return BinaryInfo("macho", frozenset(_MACHO_CPUS.get(c, f"macho-{c:#x}") for c in cpus))
    if data[:2] == b"MZ" and len(data) >= 0x40:
        (offset,) = struct.unpack_from("<I", data, 0x3C)
        if data[offset : offset + 4] == b"PE\0\0":
            (machine,) = struct.unpack_from("<H", data, offset + 4)
            return BinaryInfo("pe", frozenset({_PE_MACHINES.get(machine, f"pe-{machine:#x}")}))
    raise NotABinary("not an ELF, Mach-O or PE file")


def module_problem(name: str, data: bytes, target: Target, pythons: tuple[str, ...]) -> str | None:
    """Why the compiled module ``name`` (a path in the bundle) does not belong in ``target``'s
    package, or ``None`` when it does: its name must carry one of the target's tags for a bundled
    CPython version, and its header the target's format, machine and C library."""
    base = name.rsplit("/", 1)[-1]
    untagged_pyd = target.binary == "pe" and base.endswith(".pyd") and base.count(".") == 1
    tagged = any(base.endswith(s) for py in pythons for s in target.module_suffixes(py))
    if not (tagged or untagged_pyd):
        return f"{name}: its name has none of {target.name}'s module tags"
    try:
        info = binary_info(data)
    except NotABinary as err:
        return f"{name}: {err}"
    if info.format != target.binary:
        return f"{name}: a {info.format} file, {target.name} loads {target.binary}"
    if target.arch not in info.arches:
        return f"{name}: code for {', '.join(sorted(info.arches))}, not {target.arch}"
    if target.libc and info.libc and info.libc != target.libc:
        return f"{name}: links {info.libc}, {target.name} has {target.libc}"
    return None
