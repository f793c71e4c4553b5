"""Load note files into a :class:`Corpus`, reporting every problem with file, line and field.

A broken note is reported and skipped; the good notes beside it still load.
Later files never silently override earlier ones: a clashing id or snippet
prefix is an error on the later note, which is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from yaml.nodes import Node, SequenceNode

from torch_notes.corpus import builtin_cache
from torch_notes.corpus.model import Corpus, CorpusError, Note
from torch_notes.corpus.note_parser import (
    FieldError,
    mapping_fields,
    note_id_of,
    parse_note,
    parse_topic_value,
)
from torch_notes.corpus.paths import (
    MISSING_PATH,
    NOTE_FILE_SUFFIXES,
    builtin_corpus_dir,
    note_path_problem,
)
from torch_notes.corpus.yaml_source import (
    MAX_FILE_BYTES,
    YamlProblem,
    check_node,
    check_tag,
    line_of,
    parse_tree,
    read_tree,
)

FILE_FIELDS = ("topic", "notes")


def note_files(path: Path) -> list[Path]:
    """The note files in ``path``: the file itself, or a directory's YAML files, sorted.

    Entries named like note files that are not regular files (a directory, a FIFO, a
    symlink loop) are kept: reading them reports the problem instead of skipping it.
    """
    if path.is_dir():
        try:
            return sorted(p for p in path.iterdir() if p.suffix in NOTE_FILE_SUFFIXES)
        except OSError:  # vanished or unreadable meanwhile: reported by load_file
            return [path]
    return [path]


def load_file(path: Path) -> tuple[list[Note], list[CorpusError]]:
    """Every good note of one file, and every error met in it."""
    try:
        tree = read_tree(path)
    except YamlProblem as err:
        return [], [CorpusError(path, err.line, err.message)]
    return load_tree(tree, path)


def load_text(text: str, path: Path) -> tuple[list[Note], list[CorpusError]]:
    """Like :func:`load_file` for a note file's text (an editor's buffer): nothing is read
    from disk; ``path`` only names the file in the notes' locations and the errors."""
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_FILE_BYTES:
        message = f"file is {size} bytes; note files are limited to {MAX_FILE_BYTES}"
        return [], [CorpusError(path, 0, message)]
    try:
        tree = parse_tree(text)
    except YamlProblem as err:
        return [], [CorpusError(path, err.line, err.message)]
    return load_tree(tree, path)


def load_tree(tree: Node | None, path: Path) -> tuple[list[Note], list[CorpusError]]:
    """The notes of a note file's node tree (``None``: an empty file), and every error."""
    if tree is None:
        return [], [CorpusError(path, 1, "file is empty; expected 'topic' and 'notes'")]
    seen: set[int] = set()
    try:
        check_tag(tree)
        fields = mapping_fields(tree, FILE_FIELDS, "", required=FILE_FIELDS)
        check_node(fields["topic"][1], seen)
        topic = parse_topic_value(fields["topic"][1])
    except YamlProblem as err:
        return [], [CorpusError(path, err.line, err.message)]
    except FieldError as err:
        return [], [CorpusError(path, err.line, err.message, field=err.field)]
    notes_node = fields["notes"][1]
    if not isinstance(notes_node, SequenceNode):
        return [], [
            CorpusError(path, line_of(notes_node), "must be a list of notes", field="notes")
        ]
    notes: list[Note] = []
    errors: list[CorpusError] = []
    for item in notes_node.value:
        try:
            check_node(item, seen)
        except YamlProblem as err:
            errors.append(CorpusError(path, err.line, err.message, note_id_of(item)))
            continue
        note, note_errors = parse_note(item, path, topic)
        errors.extend(note_errors)
        if note is not None:
            notes.append(note)
    return notes, errors


def cross_check(
    notes: Iterable[Note],
    known_ids: set[str] | frozenset[str],
    *,
    taken: Mapping[str, Note] | None = None,
) -> tuple[list[Note], list[CorpusError]]:
    """Refuse clashing ids and prefixes (first one wins) and unknown related ids.

    ``taken`` are notes loaded before ``notes`` (by id): their ids and snippet prefixes
    count as already used (an editor checking one file against the rest of the corpus).
    """
    kept: list[Note] = []
    errors: list[CorpusError] = []
    ids: dict[str, Note] = dict(taken or {})
    prefixes: dict[str, Note] = {
        note.snippet.prefix: note for note in ids.values() if note.snippet is not None
    }
    for note in notes:
        where = note.location
        if note.id in ids:
            first = ids[note.id].location
            errors.append(
                CorpusError(
                    where.path, where.line, f"duplicates the id defined at {first}", note.id, "id"
                )
            )
            continue
        unknown = [rid for rid in note.related if rid not in known_ids]
        if unknown:
            errors.append(
                CorpusError(
                    where.path,
                    where.line,
                    f"names unknown note ids: {', '.join(unknown)}",
                    note.id,
                    "related",
                )
            )
            continue
        if note.snippet is not None and note.snippet.prefix in prefixes:
            other = prefixes[note.snippet.prefix]
            errors.append(
                CorpusError(
                    where.path,
                    note.snippet.body_line,
                    f"{note.snippet.prefix!r} is already the prefix of note "
                    f"'{other.id}' ({other.location})",
                    note.id,
                    "snippet.prefix",
                )
            )
            continue
        ids[note.id] = note
        if note.snippet is not None:
            prefixes[note.snippet.prefix] = note
        kept.append(note)
    return kept, errors


def load_builtin() -> tuple[list[Note], list[CorpusError]]:
    """The built-in notes (from the user's cache when the files are unchanged)."""
    directory = builtin_corpus_dir()
    files = note_files(directory) if directory.is_dir() else []
    try:
        key = builtin_cache.cache_key(directory, files)
    except OSError:
        key = None
    cached = builtin_cache.read(key) if key else None
    if cached is not None:
        return cached
    notes: list[Note] = []
    errors: list[CorpusError] = []
    if not files:
        errors.append(CorpusError(directory, 0, "no such file or directory"))
    for path in files:
        file_notes, file_errors = load_file(path)
        notes.extend(file_notes)
        errors.extend(file_errors)
    if key:
        builtin_cache.write(key, (notes, errors))
    return notes, errors


def load_corpus(paths: Sequence[Path] = (), *, include_builtin: bool = True) -> Corpus:
    """Load the built-in corpus (unless told not to) followed by ``paths``.

    ``paths`` are note files or directories of them (the user's own notes).
    Errors are returned in :attr:`Corpus.errors`, never raised.
    """
    parsed: list[Note] = []
    errors: list[CorpusError] = []
    if include_builtin:
        notes, builtin_errors = load_builtin()
        parsed.extend(notes)
        errors.extend(builtin_errors)
    for source in [Path(p) for p in paths]:
        if not source.exists():
            errors.append(CorpusError(source, 0, MISSING_PATH))
            continue
        problem = note_path_problem(source)
        if problem is not None:
            errors.append(CorpusError(source, 0, problem))
            continue
        for path in note_files(source):
            notes, file_errors = load_file(path)
            parsed.extend(notes)
            errors.extend(file_errors)
    kept, cross_errors = cross_check(parsed, {note.id for note in parsed})
    return Corpus(notes=tuple(kept), errors=tuple(errors + cross_errors))
