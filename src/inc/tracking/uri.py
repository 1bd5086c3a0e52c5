"""Tracking URIs: precedence, the embedded store's artifact folder, and credential redaction.

Standard library only, so the core path (gate, livedocs) can redact without importing mlflow.
``inc.tracking.adapter`` re-exports these.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from inc.workspace import Workspace

EMBEDDED_DB = "mlflow.db"
ARTIFACTS_DIR = "mlartifacts"
# Bounded repetitions: the text may be hostile input (a config value), and unbounded ones
# backtrack quadratically on a long run of letters (a megabyte took minutes).
_CREDS_RE = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]{0,32}://)(?P<userinfo>[^/@\s]{0,512})@")


def resolve_tracking_uri(ws: Workspace) -> str:
    """``MLFLOW_TRACKING_URI``, then inc.yaml ``tracking_uri``, then ``sqlite:///<root>/mlflow.db``."""
    env = os.environ.get("MLFLOW_TRACKING_URI", "").strip()
    if env:
        return env
    if ws.config.tracking_uri:
        return ws.config.tracking_uri
    return f"sqlite:///{(ws.root / EMBEDDED_DB).resolve().as_posix()}"


def redact_uri(uri: str) -> str:
    """``uri`` without its ``user:password@`` part (the user name is kept, the password never)."""
    return _CREDS_RE.sub(_redact_match, uri)


def _redact_match(match: re.Match[str]) -> str:
    user = match.group("userinfo").split(":", 1)[0]
    return f"{match.group('scheme')}{user + '@' if user else ''}"


def redact_text(text: str, uri: str | None = None) -> str:
    """``text`` with any URI credentials and the password of ``uri`` (if any) removed."""
    text = redact_uri(text)
    secret = password_of(uri) if uri else None
    if secret:
        text = text.replace(secret, "***")
    return text


def password_of(uri: str) -> str | None:
    """The (decoded) password in ``uri``, if any."""
    parts = urlsplit(uri)
    return unquote(parts.password) if parts.password else None


def is_http(uri: str) -> bool:
    """True for a tracking server reached over HTTP(S)."""
    return uri.startswith(("http://", "https://"))


def artifact_location(uri: str) -> str | None:
    """Where a new experiment keeps artifacts: ``<db folder>/mlartifacts`` for a SQLite store.

    For a server (HTTP) or another database the server decides (None).
    """
    if not uri.startswith("sqlite:///"):
        return None
    db_path = Path(uri[len("sqlite:///") :].split("?", 1)[0])
    return (db_path.parent / ARTIFACTS_DIR).resolve().as_uri()
