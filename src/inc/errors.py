"""Error types and exit codes.

Core code raises these; only ``inc.cli`` turns them into exit codes and messages.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The process exit codes of ``inc`` (DESIGN.md section 4)."""

    OK = 0
    CHECK_FAILED = 1
    USAGE = 2
    INTERNAL = 3
    INTERRUPTED = 130


ML_EXTRA_HINT = "this command needs the ml extra: pip install 'inc-ml[ml]'"


class IncError(Exception):
    """Base error: a message a person can act on, and the exit code it maps to."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, exit_code: ExitCode | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class UserError(IncError):
    """Bad input, configuration or usage (exit 2)."""


class ConfigError(UserError):
    """A config or metadata file is malformed; the message names the file and field."""


class NotFoundError(UserError):
    """An increment, run or file that does not exist."""


class MissingExtraError(UserError):
    """An optional dependency group is not installed."""

    def __init__(self, detail: str = "") -> None:
        message = ML_EXTRA_HINT if not detail else f"{ML_EXTRA_HINT} ({detail})"
        super().__init__(message)


class TrackingError(UserError):
    """The tracking server is unreachable or refused a request."""


class InternalError(IncError):
    """A bug or broken installation (exit 3)."""

    exit_code = ExitCode.INTERNAL


class CheckFailed(IncError):
    """A gate or check found a problem (exit 1)."""

    exit_code = ExitCode.CHECK_FAILED


def require_ml(module: str) -> None:
    """Raise MissingExtraError unless ``module`` can be imported."""
    import importlib.util

    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a broken or half-removed installation
        found = False
    if not found:
        raise MissingExtraError(f"{module} is not installed")
