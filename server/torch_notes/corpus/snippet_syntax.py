"""Parser for the VS Code snippet syntax used in snippet bodies.

Supported: ``$N``, ``${N}``, ``${N:default}`` (defaults may nest further
elements), ``${N|a,b,c|}`` and ``$0``; ``\\$``, ``\\}`` and ``\\\\`` escape, and
inside a choice ``\\,`` and ``\\|`` too. Variables (``$TM_FILENAME``) are rejected:
a note's snippet must mean the same in every editor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


class SnippetSyntaxError(ValueError):
    """A malformed snippet body; ``line`` and ``column`` are 1-based, within the body."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"{message} (body line {line}, column {column})")
        self.reason = message
        self.line = line
        self.column = column


@dataclass(frozen=True, slots=True)
class TextPart:
    """Literal text (escapes already removed)."""

    text: str


@dataclass(frozen=True, slots=True)
class Tabstop:
    """``$N`` or ``${N}``: a cursor stop, mirroring the default of the same N."""

    number: int


@dataclass(frozen=True, slots=True)
class Placeholder:
    """``${N:default}``: a cursor stop with default content."""

    number: int
    children: tuple[Part, ...]


@dataclass(frozen=True, slots=True)
class Choice:
    """``${N|a,b|}``: a cursor stop offering a fixed set of values."""

    number: int
    options: tuple[str, ...]


Part = TextPart | Tabstop | Placeholder | Choice


@dataclass(frozen=True, slots=True)
class SnippetTemplate:
    """A parsed snippet body."""

    parts: tuple[Part, ...]

    def choices(self) -> dict[int, tuple[str, ...]]:
        """Every choice tabstop and its options, in tabstop order."""
        found: dict[int, tuple[str, ...]] = {}
        for part in _walk(self.parts):
            if isinstance(part, Choice) and part.number not in found:
                found[part.number] = part.options
        return dict(sorted(found.items()))

    def tabstops(self) -> tuple[int, ...]:
        """The distinct tabstop numbers used, sorted."""
        return tuple(sorted({p.number for p in _walk(self.parts) if not isinstance(p, TextPart)}))

    def expand(self, chosen: Mapping[int, str] | None = None) -> str:
        """Plain text: defaults filled in, each choice set to ``chosen`` or its first option."""
        chosen = dict(chosen or {})
        defaults = self._defaults(chosen)
        return _render(self.parts, defaults, chosen)

    def _defaults(self, chosen: Mapping[int, str]) -> dict[int, str]:
        """The text each tabstop number stands for (first definition wins, like VS Code)."""
        defaults: dict[int, str] = {}
        for part in _walk(self.parts):
            if isinstance(part, Choice) and part.number not in defaults:
                defaults[part.number] = chosen.get(part.number, part.options[0])
            elif isinstance(part, Placeholder) and part.number not in defaults:
                defaults[part.number] = _render(part.children, defaults, chosen)
        return defaults


def _walk(parts: tuple[Part, ...]):
    for part in parts:
        yield part
        if isinstance(part, Placeholder):
            yield from _walk(part.children)


def _render(parts: tuple[Part, ...], defaults: Mapping[int, str], chosen: Mapping[int, str]) -> str:
    out: list[str] = []
    for part in parts:
        if isinstance(part, TextPart):
            out.append(part.text)
        elif isinstance(part, Tabstop):
            out.append(defaults.get(part.number, ""))
        elif isinstance(part, Placeholder):
            out.append(_render(part.children, defaults, chosen))
        else:
            out.append(chosen.get(part.number, part.options[0]))
    return "".join(out)


class _Parser:
    def __init__(self, body: str) -> None:
        self.src = body
        self.pos = 0

    def error(self, message: str, pos: int | None = None) -> SnippetSyntaxError:
        at = self.pos if pos is None else pos
        line = self.src.count("\n", 0, at) + 1
        column = at - (self.src.rfind("\n", 0, at) + 1) + 1
        return SnippetSyntaxError(message, line, column)

    def parse(self, opened_at: int | None = None) -> tuple[Part, ...]:
        """Parse until the end, or the ``}`` closing the placeholder opened at ``opened_at``."""
        closing = opened_at is not None
        parts: list[Part] = []
        text: list[str] = []

        def flush() -> None:
            if text:
                parts.append(TextPart("".join(text)))
                text.clear()

        src = self.src
        while self.pos < len(src):
            ch = src[self.pos]
            if ch == "\\" and self.pos + 1 < len(src) and src[self.pos + 1] in "$}\\":
                text.append(src[self.pos + 1])
                self.pos += 2
            elif ch == "}" and closing:
                flush()
                return tuple(parts)
            elif ch == "$":
                element = self.dollar()
                if element is None:
                    text.append("$")
                    self.pos += 1
                else:
                    flush()
                    parts.append(element)
            else:
                text.append(ch)
                self.pos += 1
        if closing:
            raise self.error("unbalanced '${': missing '}'", opened_at)
        flush()
        return tuple(parts)

    def number(self) -> int:
        start = self.pos
        while self.pos < len(self.src) and self.src[self.pos].isdigit():
            self.pos += 1
        return int(self.src[start : self.pos])

    def dollar(self) -> Part | None:
        """Parse at a ``$``; ``None`` when it is a literal dollar sign."""
        src, start = self.src, self.pos
        nxt = src[start + 1] if start + 1 < len(src) else ""
        if nxt.isdigit():
            self.pos += 1
            return Tabstop(self.number())
        if nxt.isalpha() or nxt == "_":
            raise self.error("snippet variables such as '$NAME' are not supported")
        if nxt != "{":
            return None
        self.pos += 2
        after = src[self.pos] if self.pos < len(src) else ""
        if after.isalpha() or after == "_":
            raise self.error("snippet variables such as '${NAME}' are not supported", start)
        if not after.isdigit():
            raise self.error("'${' must be followed by a tabstop number", start)
        num = self.number()
        after = src[self.pos] if self.pos < len(src) else ""
        if after == "}":
            self.pos += 1
            return Tabstop(num)
        if after == ":":
            self.pos += 1
            children = self.parse(opened_at=start)
            self.pos += 1
            return Placeholder(num, children)
        if after == "|":
            self.pos += 1
            return self.choice(num, start)
        if not after:
            raise self.error("unbalanced '${': missing '}'", start)
        raise self.error(f"unexpected {after!r} after '${{{num}'")

    def choice(self, num: int, start: int) -> Choice:
        options: list[str] = []
        current: list[str] = []
        src = self.src
        while self.pos < len(src):
            ch = src[self.pos]
            if ch == "\\" and self.pos + 1 < len(src) and src[self.pos + 1] in ",|\\$}":
                current.append(src[self.pos + 1])
                self.pos += 2
            elif ch == ",":
                options.append("".join(current))
                current.clear()
                self.pos += 1
            elif ch == "|":
                if src[self.pos + 1 : self.pos + 2] != "}":
                    raise self.error("a choice must end with '|}'")
                self.pos += 2
                options.append("".join(current))
                if not any(options):
                    raise self.error(f"choice ${{{num}|...|}} has no options", start)
                if any(option == "" for option in options):
                    raise self.error(f"choice ${{{num}|...|}} has an empty option", start)
                return Choice(num, tuple(options))
            else:
                current.append(ch)
                self.pos += 1
        raise self.error("unbalanced '${': choice is missing '|}'", start)


def parse_snippet(body: str) -> SnippetTemplate:
    """Parse and check a snippet body; raises :class:`SnippetSyntaxError`.

    Beyond the grammar, tabstops must be numbered 1, 2, ... without gaps
    (``$0``, the final cursor, is optional).
    """
    template = SnippetTemplate(_Parser(body).parse())
    numbers = [n for n in template.tabstops() if n != 0]
    expected = list(range(1, len(numbers) + 1))
    if numbers != expected:
        missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
        raise SnippetSyntaxError(
            f"tabstops skip numbers: {', '.join(f'${n}' for n in missing)} missing", 1, 1
        )
    return template
