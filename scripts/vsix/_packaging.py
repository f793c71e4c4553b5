"""``packaging`` (requirements, markers, versions, tags): the installed one, else pip's copy."""

from __future__ import annotations

try:
    from packaging import tags
    from packaging.markers import Marker
    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet
    from packaging.utils import canonicalize_name, parse_wheel_filename
    from packaging.version import Version
except ImportError:  # pragma: no cover - a bare interpreter with pip only
    from pip._vendor.packaging import tags  # type: ignore[no-redef]
    from pip._vendor.packaging.markers import Marker  # type: ignore[no-redef]
    from pip._vendor.packaging.requirements import Requirement  # type: ignore[no-redef]
    from pip._vendor.packaging.specifiers import SpecifierSet  # type: ignore[no-redef]
    from pip._vendor.packaging.utils import (  # type: ignore[no-redef]
        canonicalize_name,
        parse_wheel_filename,
    )
    from pip._vendor.packaging.version import Version  # type: ignore[no-redef]

__all__ = [
    "Marker",
    "Requirement",
    "SpecifierSet",
    "Version",
    "canonicalize_name",
    "parse_wheel_filename",
    "tags",
]
