"""Everything one server instance knows: settings, corpus, client facts, parsed documents.

Importing this module loads neither the corpus code nor the analysis (tree-sitter): the
server records the client's facts and answers ``initialize`` first, and imports them when
it loads the corpus right after.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from lsprotocol import types

from torch_notes.analysis.positions import UTF16
from torch_notes.corpus.paths import (
    expand_user_path,
    is_within,
    note_path_problem,
    unique_paths,
    verified_record_path,
)
from torch_notes.features.client_support import CompletionOptions, EditSupport
from torch_notes.i18n import resolve_language
from torch_notes.lsp.settings import SECTION, Settings

if TYPE_CHECKING:
    from torch_notes.analysis.analysis import Analysis
    from torch_notes.analysis.document import TextChange
    from torch_notes.corpus.index import CorpusIndex
    from torch_notes.corpus.model import CorpusError

logger = logging.getLogger(__name__)

MAX_DOCUMENT_CHARS = 2_000_000
"""Documents longer than this are not analysed (no hovers or completions in them).

Such files are generated code; a syntax tree of a 5 MB file takes ~180 MB and
each re-analysis after an edit more than a second, which would stall every
other request of the session.
"""


@dataclass(frozen=True, slots=True)
class ClientHints:
    """What an editor integration tells the server in ``initializationOptions.clientHints``.

    The VS Code extension sends them; other clients send nothing and get the defaults.
    """

    snippet_commands: bool = False
    """The editor has its own way to insert snippets (VS Code's palette command)."""
    note_viewer: bool = False
    """The editor opens ``torch-notes:note/<id>`` links from hovers itself."""
    python_server: str | None = None
    """The main Python language server the editor runs beside us, if any (``Pylance``)."""

    @classmethod
    def from_json(cls, raw: object) -> ClientHints:
        """Hints from JSON; anything malformed is ignored."""
        if not isinstance(raw, dict):
            return cls()
        server = raw.get("pythonServer")
        return cls(
            snippet_commands=raw.get("snippetCommands") is True,
            note_viewer=raw.get("noteViewer") is True,
            python_server=server if isinstance(server, str) and server else None,
        )


@dataclass(frozen=True, slots=True)
class ClientFacts:
    """What the client said about itself at ``initialize``."""

    locale: str | None = None
    encoding: str = UTF16
    completion: CompletionOptions = field(default_factory=CompletionOptions)
    edits: EditSupport = field(default_factory=EditSupport)
    configuration: bool = False
    dynamic_configuration: bool = False
    dynamic_watched_files: bool = False
    relative_patterns: bool = False
    hints: ClientHints = field(default_factory=ClientHints)
    code_action_trigger: bool = False
    """The client says whether code actions were asked for or computed automatically."""

    @classmethod
    def from_initialize(cls, params: types.InitializeParams, encoding: str) -> ClientFacts:
        """Read the capabilities this server cares about."""
        caps = params.capabilities
        workspace = caps.workspace
        item = (
            caps.text_document.completion.completion_item
            if (caps.text_document and caps.text_document.completion)
            else None
        )
        modes = (
            item.insert_text_mode_support.value_set
            if item and item.insert_text_mode_support
            else []
        )
        ws_edit = workspace.workspace_edit if workspace else None
        options = params.initialization_options
        code_action = caps.text_document.code_action if caps.text_document else None
        watched = workspace.did_change_watched_files if workspace else None
        config_change = workspace.did_change_configuration if workspace else None
        return cls(
            locale=params.locale,
            encoding=str(getattr(encoding, "value", encoding)),  # 'utf-16', not the enum's name
            completion=CompletionOptions(
                snippet_support=bool(item and item.snippet_support),
                as_is_support=types.InsertTextMode.AsIs in (modes or []),
            ),
            edits=EditSupport(
                snippet_edits=bool(ws_edit and ws_edit.snippet_edit_support),
                document_changes=bool(ws_edit and ws_edit.document_changes),
            ),
            configuration=bool(workspace and workspace.configuration),
            dynamic_configuration=bool(config_change and config_change.dynamic_registration),
            dynamic_watched_files=bool(watched and watched.dynamic_registration),
            relative_patterns=bool(watched and watched.relative_pattern_support),
            hints=ClientHints.from_json(
                options.get("clientHints") if isinstance(options, dict) else None
            ),
            code_action_trigger=code_action is not None,
        )


@dataclass
class ServerState:
    """Mutable state of one server instance; owned by the server, never global."""

    client: ClientFacts = field(default_factory=ClientFacts)
    settings: Settings = field(default_factory=Settings)
    root: Path | None = None
    command_line_paths: tuple[Path, ...] = ()
    """Note paths given to ``torch-notes lsp --notes``: loaded whatever the settings say."""
    loaded_index: CorpusIndex | None = None
    """The index of the notes :meth:`load` read last (``None`` before the first load)."""
    verified: dict[str, str] = field(default_factory=dict)
    documents: dict[str, Analysis] = field(default_factory=dict)
    reported_errors: tuple[str, ...] = ()
    loaded_paths: tuple[Path, ...] | None = None
    local_record: Path | None = None
    """Where notes that passed when saved are recorded (``None``: nowhere)."""

    @property
    def index(self) -> CorpusIndex:
        """The loaded notes' index; an empty one before the first :meth:`load` (the corpus
        modules are imported then: ``initialize`` is answered without them)."""
        if self.loaded_index is None:
            from torch_notes.corpus.index import CorpusIndex
            from torch_notes.corpus.model import Corpus

            self.loaded_index = CorpusIndex.build(Corpus(notes=()))
        return self.loaded_index

    @property
    def language(self) -> str:
        """``"en"`` or ``"zh"``: the setting, else the client's locale."""
        return resolve_language(self.settings.language, self.client.locale)

    @property
    def completion_options(self) -> CompletionOptions:
        """Client support combined with the user's settings."""
        caps = self.client.completion
        members = self.settings.completion_members
        beside_main_server = self.client.hints.python_server is not None
        return CompletionOptions(
            snippets=self.settings.completion_snippets,
            members=members == "on" or (members == "auto" and not beside_main_server),
            snippet_support=caps.snippet_support,
            as_is_support=caps.as_is_support,
        )

    @property
    def snippet_actions(self) -> bool:
        """Whether to offer "Insert PyTorch snippet" code actions (on explicit request)."""
        setting = self.settings.code_action_snippets
        return setting == "on" or (setting == "auto" and not self.client.hints.snippet_commands)

    # -- corpus ------------------------------------------------------------------

    def _user_paths(self) -> list[tuple[str, Path]]:
        """Every user note path with where it was given: ``--notes`` first, then
        ``torchNotes.extraPaths`` (``~``, ``${env:NAME}`` and on Windows ``%USERPROFILE%``
        expanded, relative ones against the workspace root)."""
        paths = [("--notes", Path(path)) for path in self.command_line_paths]
        for raw in self.settings.extra_paths:
            path = expand_user_path(
                raw, root=self.root, home=os.path.expanduser("~"), env=os.environ
            )
            paths.append((f"{SECTION}.extraPaths", Path(path)))
        return paths

    def extra_paths(self) -> tuple[Path, ...]:
        """The user's note paths that can hold notes (directories, ``.yaml``/``.yml`` files,
        or paths that do not exist yet), each directory once however its name is cased where
        case is ignored: loaded and watched."""
        usable: list[PurePath] = [
            path for _, path in self._user_paths() if note_path_problem(path) is None
        ]
        return tuple(Path(path) for path in unique_paths(usable))

    def _refused_paths(self) -> list[CorpusError]:
        """An error for each user path that is neither a directory nor a note file (never read)."""
        from torch_notes.corpus.model import CorpusError

        return [
            CorpusError(path, 0, f"{origin}: {problem}")
            for origin, path in self._user_paths()
            if (problem := note_path_problem(path)) is not None
        ]

    def note_roots(self) -> tuple[Path, ...]:
        """Where the note files being written live: the user's note paths, and ``snippets/``
        when the workspace is this repository (the built-in corpus)."""
        roots = list(self.extra_paths())
        root = self.root
        if (
            root is not None
            and (root / "snippets" / "schema.json").is_file()
            and (root / "server" / "torch_notes").is_dir()
        ):
            roots.append(root / "snippets")
        return tuple(roots)

    def load(self, *, force: bool = False) -> list[CorpusError]:
        """(Re)load the corpus when the extra paths changed (or ``force``); new user errors."""
        from torch_notes.corpus.index import CorpusIndex
        from torch_notes.corpus.loader import load_corpus
        from torch_notes.corpus.model import Corpus
        from torch_notes.corpus.verified import (
            load_local_record,
            load_record,
            local_versions,
            verified_versions,
        )

        paths = self.extra_paths()
        if not force and paths == self.loaded_paths:
            return []
        refused = self._refused_paths()
        corpus = load_corpus(paths)
        corpus = Corpus(notes=corpus.notes, errors=(*refused, *corpus.errors))
        self.loaded_index = CorpusIndex.build(corpus)
        local = local_versions(corpus, load_local_record(self.local_record))
        self.verified = {**local, **verified_versions(corpus, load_record(verified_record_path()))}
        self.loaded_paths = paths
        for error in corpus.errors:
            logger.warning("note problem: %s", error)
        logger.info(
            "loaded %d notes (%d snippets) from the built-in corpus%s",
            len(corpus.notes),
            len(self.index.snippets),
            "".join(f", {p}" for p in paths),
        )
        user_errors = refused + [
            e for e in corpus.errors[len(refused) :] if is_within(e.path, paths)
        ]
        keys = tuple(str(error) for error in user_errors)
        if keys == self.reported_errors:
            return []
        self.reported_errors = keys
        return user_errors

    # -- documents ---------------------------------------------------------------

    def analysis(self, uri: str, text: str, version: int | None) -> Analysis:
        """The analysis of a document's current text, cached per version."""
        from torch_notes.analysis.analysis import Analysis
        from torch_notes.analysis.document import SourceDocument

        cached = self.documents.get(uri)
        if cached is not None and cached.doc.version == version and cached.doc.text == text:
            return cached
        analysis = Analysis.of(
            SourceDocument.parse(text, encoding=self.client.encoding, version=version)
        )
        self.documents[uri] = analysis
        return analysis

    def changed(self, uri: str, changes: Sequence[TextChange], version: int | None) -> None:
        """Re-parse incrementally after ``changes`` (when the previous version is cached)."""
        cached = self.documents.get(uri)
        if cached is None:
            return
        if len(cached.doc.text) > MAX_DOCUMENT_CHARS // 2:  # it may grow past the limit
            self.documents.pop(uri, None)  # the next request decides, from the full text
            return
        from torch_notes.analysis.analysis import Analysis

        try:
            self.documents[uri] = Analysis.of(cached.doc.apply(changes, version))
        except Exception:  # a stale cache is rebuilt from the full text on the next request
            logger.debug("incremental re-parse failed for %s", uri, exc_info=True)
            self.documents.pop(uri, None)

    def closed(self, uri: str) -> None:
        """Forget a closed document."""
        self.documents.pop(uri, None)
