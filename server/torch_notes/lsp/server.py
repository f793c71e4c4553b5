"""The language server object: pygls plumbing around one :class:`ServerState`.

It owns the session: the client's facts and settings, the corpus, the open documents
(reached only through :meth:`TorchNotesServer.document`), the registered
:class:`~torch_notes.lsp.feature.ServerFeature` objects and their background tasks.

Start-up is in two steps. ``initialize`` is answered as soon as the client's facts are
recorded: the capabilities are static (:mod:`torch_notes.lsp.capabilities`), so nothing
heavy is imported or loaded before the answer. Right after it, before any later message
is handled, :meth:`TorchNotesServer.start_up` loads the corpus, creates the features and
lets them read the client's capabilities; a hover sent at once waits for that.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
import logging
import sys
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar
from urllib.parse import unquote

from lsprotocol import types
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from torch_notes import __version__
from torch_notes.corpus.paths import MISSING_PATH, NOTE_FILE_SUFFIXES, is_within
from torch_notes.features import safe_markdown
from torch_notes.i18n import text
from torch_notes.lsp import watch
from torch_notes.lsp.feature import ServerFeature
from torch_notes.lsp.log import PACKAGE_LOGGER, ClientLogHandler, level_for_trace
from torch_notes.lsp.protocol import TorchNotesProtocol, report_server_error
from torch_notes.lsp.request_gate import RequestGate
from torch_notes.lsp.settings import SECTION, Settings
from torch_notes.lsp.state import MAX_DOCUMENT_CHARS, ClientFacts, ServerState
from torch_notes.lsp.transport import (
    DEFAULT_MAX_MESSAGE_BYTES,
    MessageDecoder,
    pump,
    stdin_chunks,
    stream_chunks,
)
from torch_notes.lsp.uris import uri_to_path

if TYPE_CHECKING:
    from torch_notes.analysis.analysis import Analysis

logger = logging.getLogger(__name__)

HEAVY_MODULES = ("torch", "torchvision", "numpy", "matplotlib")
"""Modules the server must never import (checked by ``torchNotes.serverInfo``)."""

CORPUS_CHANGED = "torchNotes/corpusChanged"
"""Notification sent after every reload of the corpus that follows ``initialize``."""

RELOAD_DELAY_S = 0.05
"""Debounce between a file-change event and the reload."""

FeatureT = TypeVar("FeatureT", bound=ServerFeature)
FeatureFactory = Callable[["TorchNotesServer"], ServerFeature]
"""Creates a feature once the server starts up (its module is imported then, not before)."""


PYTHON_SUFFIXES = (".py", ".pyi")

FIRST_DOCUMENT_MODULES = (
    "pygls.workspace",
    "torch_notes.analysis.analysis",
    "torch_notes.analysis.document",
    "torch_notes.features.hover",
    "torch_notes.features.completion",
)
"""Imported in the background right after ``initialize`` (tree-sitter, the resolver, the
hover and completion code: ~20 ms), so the first document's first hover does not pay for them."""


def _warm_up() -> None:
    """Build the Markdown parser and import what the first document needs (in a thread)."""
    safe_markdown.prepare()
    for name in FIRST_DOCUMENT_MODULES:
        importlib.import_module(name)


def _is_python(document: TextDocument) -> bool:
    """Python by its language id, or by its name when a client sends no (or an odd) id
    (Neovim without filetype detection sends ``languageId: ""``)."""
    if document.language_id in (None, "python"):
        return True
    return document.uri.lower().split("?", 1)[0].endswith(PYTHON_SUFFIXES)


class TorchNotesServer(LanguageServer):
    """pygls server holding the state of one editor session."""

    def __init__(
        self,
        *,
        poll_interval: float = 2.0,
        log_level: int | None = None,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
        notebook_document_sync: types.NotebookDocumentSyncOptions | None = None,
    ) -> None:
        super().__init__(
            "torch-notes",
            __version__,
            protocol_cls=TorchNotesProtocol,
            notebook_document_sync=notebook_document_sync,
        )
        self.state = ServerState()
        self.max_message_bytes = max_message_bytes
        self.poll_interval = poll_interval
        self.fixed_log_level = log_level
        self._poll_task: asyncio.Task[None] | None = None
        self._reload: asyncio.TimerHandle | None = None
        self._watching: tuple[Path, ...] | None = None
        self._log_handler: ClientLogHandler | None = None
        self._client_trace = "off"
        self._features: dict[type[ServerFeature], ServerFeature] = {}
        self._factories: list[FeatureFactory] = []
        self.after_start_up: list[Callable[[], None]] = []
        """Run once start-up is done (``torch-notes lsp`` freezes the heap there)."""
        self._started = False
        self._warm_up: asyncio.Future[Any] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._too_large: set[str] = set()
        self.gate = RequestGate()
        """Busy while the client's messages are handled: background analyses give way."""

    # -- transports: our framing (lsp/transport.py) where pygls reads --------------------

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve one client over stdio until it disconnects or sends ``exit``."""
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        chunks = stdin_chunks(stdin or sys.stdin.buffer, on_chunk=self.gate.busy)
        self._serve(pump(chunks, self._decoder(), self.protocol.receive, self.gate.idle))

    def start_tcp(self, host: str, port: int) -> None:
        """Listen on ``host:port`` and serve the first client that connects, until it leaves."""

        async def main() -> None:
            done = asyncio.Event()

            async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
                if done.is_set() or self.protocol.writer is not None:
                    writer.close()  # one session per server process
                    return
                self.protocol.set_writer(writer)  # type: ignore[arg-type]
                try:
                    chunks = stream_chunks(reader, on_chunk=self.gate.busy)
                    await pump(chunks, self._decoder(), self.protocol.receive, self.gate.idle)
                finally:
                    done.set()

            listener = await asyncio.start_server(connection, host, port)
            logger.info("listening on %s:%d", host, port)
            async with listener:
                await done.wait()

        self._serve(main())

    def _decoder(self) -> MessageDecoder:
        return MessageDecoder(max_message_bytes=self.max_message_bytes)

    def _serve(self, main: Coroutine[Any, Any, None]) -> None:
        try:
            asyncio.run(main)
        except BrokenPipeError:
            logger.error("the connection to the client is lost")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()

    # -- features and tasks ------------------------------------------------------------

    def add_feature(self, feature: ServerFeature) -> None:
        """Register ``feature``; it hears every lifecycle event from now on."""
        self._features[type(feature)] = feature

    def add_feature_factory(self, factory: FeatureFactory) -> None:
        """Register a feature to be created at start-up (right after ``initialize`` is
        answered), in registration order; :meth:`create_features` creates them earlier."""
        self._factories.append(factory)

    def create_features(self) -> None:
        """Create the features registered by factory (once)."""
        factories, self._factories = self._factories, []
        for factory in factories:
            self.add_feature(factory(self))

    def get_feature(self, cls: type[FeatureT]) -> FeatureT:
        """The registered feature of type ``cls``."""
        feature = self._features[cls]
        assert isinstance(feature, cls)
        return feature

    @property
    def features(self) -> tuple[ServerFeature, ...]:
        """Every feature, in registration order."""
        return tuple(self._features.values())

    def run_task(self, coroutine: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        """Run ``coroutine`` in the background; an exception it raises is logged, not lost."""
        task = asyncio.get_running_loop().create_task(coroutine, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            logger.error("background task %r failed", task.get_name(), exc_info=error)

    # -- logging -----------------------------------------------------------------

    def attach_logging(self) -> None:
        """Forward the package's log records to the client."""
        package = logging.getLogger(PACKAGE_LOGGER)
        self._log_handler = ClientLogHandler(self.window_log_message)
        package.addHandler(self._log_handler)
        package.propagate = False
        self.update_log_level()

    def update_log_level(self, trace: str | None = None) -> None:
        """Log at ``--log-level`` if given, else at the most verbose level the client asks for.

        ``trace`` is the protocol's trace value (``initialize``/``$/setTrace``); the
        ``torchNotes.trace.server`` setting counts too.
        """
        if trace is not None:
            self._client_trace = trace
        level = min(
            level_for_trace(self._client_trace), level_for_trace(self.state.settings.trace_server)
        )
        logging.getLogger(PACKAGE_LOGGER).setLevel(self.fixed_log_level or level)

    # -- documents ---------------------------------------------------------------

    def report_server_error(self, error: Exception, source: object) -> None:
        """Out-of-band errors go to the log (a malformed message gets ``ParseError``)."""
        report_server_error(self.protocol, error)

    @staticmethod
    def document_key(uri: str) -> str:
        """The one form of a document URI used as a key (pygls stores documents decoded).

        ``file:///tmp/a%20b.py`` and ``file:///tmp/a b.py`` are the same document; what
        is sent back to the client is always the URI it sent (:attr:`TextDocument.uri`).
        """
        return unquote(uri)

    def document(self, uri: str) -> TextDocument | None:
        """The open document at ``uri``, in whatever form the URI is written; never read
        from disk (``None`` when it is not open)."""
        return self.workspace.text_documents.get(self.document_key(uri))

    def open_uris(self) -> Iterator[str]:
        """The URIs of the open documents, as the client wrote them."""
        return iter([document.uri for document in self.workspace.text_documents.values()])

    def analysis(self, uri: str) -> Analysis | None:
        """The analysis of an open Python document (``None`` for other languages).

        A document that is not open is never read from disk, and one longer than
        :data:`MAX_DOCUMENT_CHARS` is not analysed: ``None``.
        """
        document = self.document(uri)
        if document is None or not _is_python(document):
            return None
        from torch_notes.lsp.notebook import NotebookFeature  # loaded at start-up

        key = self.document_key(uri)
        notebooks = self._features.get(NotebookFeature)
        notebook = notebooks.notebook_of(uri) if isinstance(notebooks, NotebookFeature) else None
        if notebook is not None:
            return notebooks.cell_analysis(notebook, uri)  # type: ignore[union-attr]
        if len(document.source) > MAX_DOCUMENT_CHARS:
            if key not in self._too_large:
                self._too_large.add(key)
                logger.info("not analysing %s: longer than %d characters", uri, MAX_DOCUMENT_CHARS)
            self.state.closed(key)
            return None
        return self.state.analysis(key, document.source, document.version)

    def document_opened(self, uri: str) -> None:
        """Tell every feature."""
        for feature in self.features:
            feature.document_opened(uri)

    def document_changed(self, uri: str, changes: list, version: int | None) -> None:
        """Re-parse incrementally, then tell every feature."""
        self.state.changed(self.document_key(uri), changes, version)
        for feature in self.features:
            feature.document_changed(uri)

    def document_closed(self, uri: str) -> None:
        """Forget the document, then tell every feature."""
        key = self.document_key(uri)
        self.state.closed(key)
        self._too_large.discard(key)
        for feature in self.features:
            feature.document_closed(uri)

    # -- session lifecycle -------------------------------------------------------

    def on_initialize(self, params: types.InitializeParams) -> None:
        """Record the client's facts; :meth:`start_up` runs right after the answer."""
        state = self.state
        state.client = ClientFacts.from_initialize(
            params, self.workspace.position_encoding or "utf-16"
        )
        root = params.root_uri or (self.workspace.folders and next(iter(self.workspace.folders)))
        if isinstance(root, str) and (path := uri_to_path(root)) is not None:
            state.root = Path(path)
        options = params.initialization_options
        if isinstance(options, dict):
            state.settings = Settings.from_json(options.get(SECTION, options))
        if params.trace is not None:
            self.update_log_level(str(getattr(params.trace, "value", params.trace)))
        try:
            # pygls writes the answer before control returns to the event loop: this runs
            # after it, and before the loop handles the client's next message.
            asyncio.get_running_loop().call_soon(self.start_up, params)
        except RuntimeError:  # no event loop (a test driving the server by hand)
            self.start_up(params)

    def start_up(self, params: types.InitializeParams) -> None:
        """Load the corpus, create the features and let them read the client's capabilities."""
        if self._started:
            return
        self._started = True
        # The Markdown parser and the analysis are imported lazily (initialize never pays
        # for them); import them now, off the event loop, while the notes load and the client
        # gets to its first didOpen, so the first hover does not wait for them.
        with contextlib.suppress(RuntimeError):  # no event loop: imported on first use instead
            self._warm_up = self.run_task(asyncio.to_thread(_warm_up), "warm up")
        self.report_errors(self.state.load(force=True))
        self.create_features()
        for feature in self.features:
            feature.initialize(params)
        for callback in self.after_start_up:
            callback()

    async def on_initialized(self) -> None:
        """Pull the settings, then watch the configuration and the user's note paths."""
        if self.state.client.dynamic_configuration:
            await self._register(
                types.Registration(
                    id=watch.CONFIGURATION_REGISTRATION_ID,
                    method=types.WORKSPACE_DID_CHANGE_CONFIGURATION,
                    register_options=types.DidChangeConfigurationRegistrationOptions(
                        section=SECTION
                    ),
                )
            )
        await self.refresh_settings()
        await self.watch_extra_paths()
        if not self.state.client.dynamic_watched_files:
            self._poll_task = self.run_task(self._poll(), "poll user notes")
        for feature in self.features:
            await feature.initialized()

    async def _register(self, registration: types.Registration) -> bool:
        """Register a capability dynamically; a refusal is logged, not raised."""
        try:
            await self.client_register_capability_async(types.RegistrationParams([registration]))
        except Exception as err:
            logger.warning("client refused to register %s: %s", registration.method, err)
            return False
        return True

    async def refresh_settings(self, pushed: object = None) -> None:
        """Pull the settings (or take pushed ones from clients that cannot be asked); apply them.

        A client with nothing configured answers ``null``: the current settings (from
        ``initializationOptions`` or defaults) stay.
        """
        raw: object = None
        if self.state.client.configuration:
            try:
                result = await self.workspace_configuration_async(
                    types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
                )
            except Exception:
                logger.warning("workspace/configuration failed", exc_info=True)
                return
            raw = result[0] if result else None
        elif isinstance(pushed, dict):
            raw = pushed.get(SECTION, pushed)
        if isinstance(raw, dict):
            await self.apply_settings(Settings.from_json(raw))

    async def apply_settings(self, settings: Settings) -> None:
        """Switch to ``settings``: log level, corpus reload, file watching."""
        self.state.settings = settings
        self.update_log_level()
        logger.debug("settings applied: %s", settings)
        self.load_corpus()
        await self.watch_extra_paths()
        for feature in self.features:
            feature.settings_applied()

    async def watch_extra_paths(self) -> None:
        """(Re-)register file watchers for the current extra paths, if the client can."""
        paths = self.state.extra_paths()
        if not self.state.client.dynamic_watched_files or paths == self._watching:
            return
        if self._watching:
            unregistration = types.Unregistration(
                id=watch.REGISTRATION_ID, method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES
            )
            try:
                await self.client_unregister_capability_async(
                    types.UnregistrationParams([unregistration])
                )
            except Exception as err:
                logger.warning("could not unregister the file watchers: %s", err)
        self._watching = paths
        if paths:
            relative = self.state.client.relative_patterns
            await self._register(watch.registration(paths, relative_patterns=relative))

    def schedule_reload(self) -> None:
        """Reload the corpus shortly (coalescing bursts of file events)."""
        if self._reload is not None:
            self._reload.cancel()
        self._reload = asyncio.get_running_loop().call_later(RELOAD_DELAY_S, self.reload)

    def reload(self) -> None:
        """Reload the corpus now and report new problems in the user's notes."""
        self._reload = None
        self.load_corpus(force=True)

    async def _poll(self) -> None:
        """For clients that cannot watch files for us: poll the extra paths' note files."""
        previous = watch.snapshot(self.state.extra_paths())
        while True:
            await asyncio.sleep(self.poll_interval)
            current = watch.snapshot(self.state.extra_paths())
            if current != previous:
                previous = current
                logger.info("user notes changed; reloading")
                self.reload()

    def shutdown(self) -> None:
        """Cancel the poller, any pending reload and every feature's background work."""
        if self._poll_task is not None:
            self._poll_task.cancel()
        if self._reload is not None:
            self._reload.cancel()
        for feature in self.features:
            feature.shutdown()

    def load_corpus(self, *, force: bool = False) -> None:
        """(Re)load the corpus after initialization; report new problems; tell the client.

        ``torchNotes/corpusChanged`` carries the new note and error counts so a
        client's status display can follow live reloads of the user's notes.
        """
        before = self.state.index
        self.report_errors(self.state.load(force=force))
        index = self.state.index
        if index is not before:
            counts = {"notes": len(index.corpus.notes), "errors": len(index.corpus.errors)}
            self.protocol.notify(CORPUS_CHANGED, counts)
            for feature in self.features:
                feature.corpus_changed()

    def report_errors(self, errors: list) -> None:
        """One ``window/showMessage`` for new problems in the user's notes (not for files open
        in the editor: their problems are diagnostics there; nor for a notes folder that does
        not exist yet: writing a note creates it)."""
        errors = [
            error
            for error in errors
            if not (error.message == MISSING_PATH and error.path.suffix not in NOTE_FILE_SUFFIXES)
        ]
        open_files = [Path(path) for uri in self.open_uris() if (path := uri_to_path(uri))]
        if open_files:
            errors = [error for error in errors if not is_within(error.path, open_files)]
        if not errors:
            return
        message = text(self.state.language, "broken_notes", count=len(errors), first=errors[0])
        self.window_show_message(types.ShowMessageParams(types.MessageType.Warning, message))

    async def warmed_up(self) -> None:
        """Wait for the start-up work that goes on after ``initialize`` in the background
        (``serverInfo`` answers after it: a client that asks is told about a ready server)."""
        if self._warm_up is not None:
            with contextlib.suppress(Exception):  # a failure is logged by run_task
                await asyncio.shield(self._warm_up)

    def info(self) -> dict[str, object]:
        """Facts for ``torchNotes.serverInfo`` (also used by the no-torch test)."""
        import os

        return {
            "name": self.name,
            "version": self.version,
            "pid": os.getpid(),
            "warmedUp": self._warm_up is None or self._warm_up.done(),
            "notes": len(self.state.index.corpus.notes),
            "snippets": len(self.state.index.snippets),
            "errors": [str(error) for error in self.state.index.corpus.errors],
            "language": self.state.language,
            "positionEncoding": self.state.client.encoding,
            "extraPaths": [str(path) for path in self.state.extra_paths()],
            "settings": dataclasses.asdict(self.state.settings),
            "heavyModules": sorted(
                name for name in list(sys.modules) if name.partition(".")[0] in HEAVY_MODULES
            ),
        }
