"""End-to-end fixtures: the real server over stdio, driven by pytest-lsp client profiles."""

from __future__ import annotations

import pytest_lsp
from lsp_support import CONFIG, PROFILES, start_session
from pytest_lsp import LanguageClient


@pytest_lsp.fixture(config=CONFIG, params=PROFILES, scope="module")
async def client(lsp_client: LanguageClient, request):
    """One server per profile, shared by a test module (no settings, English)."""
    await start_session(lsp_client, request.param)
    yield
    await lsp_client.shutdown_session()
