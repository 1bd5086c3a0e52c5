"""Branch names read from the repository's own files: ``inc new`` numbers with one git call.

:func:`branch_names` walks up from a folder to the repository's ``.git`` (a folder, or a file
naming one, as in a worktree) and lists ``refs/heads/*`` and ``refs/remotes/*`` from the loose
ref files and ``packed-refs``. The names are only ever handed to git, whose ``cat-file``
resolves each one (a stale or broken name reads as missing there, as ``for-each-ref`` skips a
broken ref), so the commit each names is git's answer, not this module's.

It is one-sided: None whenever it is not sure to list what ``git for-each-ref`` would (a GIT_*
variable that moves or narrows the repository, the reftable format, a ``.git`` that is not
plainly a repository, a name git would refuse or one that could not travel on one line, no
branch at all); the caller then asks ``git for-each-ref`` as before.
"""

from __future__ import annotations

import os
import re

# Variables that change which repository or which refs git sees: then git is asked.
_MOVES_GIT = (
    "GIT_DIR",
    "GIT_COMMON_DIR",
    "GIT_WORK_TREE",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
    "GIT_NAMESPACE",
    "GIT_REF_STORAGE",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
)
_NAME = re.compile(r"refs/(?:heads|remotes)/[A-Za-z0-9_+@-][A-Za-z0-9._+@/-]*")
_ROOTS = ("refs/heads", "refs/remotes")


def _plain(name: str) -> bool:
    """A ref name git accepts, spelled in characters that travel safely in a batch request."""
    return (
        _NAME.fullmatch(name) is not None
        and ".." not in name
        and "//" not in name
        and "/." not in name
        and "@{" not in name
        and not name.endswith((".lock", "/", "."))
    )


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


def git_dirs(folder: str) -> tuple[str, str] | None:
    """(git dir, common dir) of the repository git finds from ``folder``, when plainly found."""
    if any(os.environ.get(name) for name in _MOVES_GIT):
        return None
    current = os.path.realpath(folder)  # git walks up the physical path
    while True:
        dot = os.path.join(current, ".git")
        if os.path.isdir(dot) and not os.path.islink(dot):
            gitdir = dot
            break
        if os.path.lexists(dot):
            text = _read(dot) if os.path.isfile(dot) and not os.path.islink(dot) else None
            if text is None or not text.startswith("gitdir: ") or text.count("\n") > 1:
                return None
            gitdir = os.path.join(current, text[len("gitdir: ") :].strip())
            break
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent
    common = gitdir
    relative = _read(os.path.join(gitdir, "commondir"))
    if relative is not None:
        common = os.path.join(gitdir, relative.strip())
    plain = (
        os.path.isfile(os.path.join(gitdir, "HEAD"))
        and os.path.isdir(os.path.join(common, "objects"))
        and os.path.isdir(os.path.join(common, "refs"))
        and not os.path.lexists(os.path.join(common, "reftable"))
    )
    config = _read(os.path.join(common, "config"))
    if not plain or config is None or "refstorage" in config.lower():
        return None
    return gitdir, common


def _loose(common: str) -> list[str] | None:
    """Names of the loose ref files (None when a link makes the layout unclear)."""
    names: list[str] = []
    folders = [os.path.join(common, root) for root in _ROOTS]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_symlink():
                        return None
                    if entry.is_dir():
                        folders.append(entry.path)
                    else:
                        names.append(os.path.relpath(entry.path, common).replace(os.sep, "/"))
        except FileNotFoundError:
            continue
        except OSError:
            return None
    return names


def _packed(common: str) -> list[str] | None:
    text = _read(os.path.join(common, "packed-refs"))
    if text is None:
        return [] if not os.path.lexists(os.path.join(common, "packed-refs")) else None
    names = []
    for line in text.splitlines():
        if line and line[0] not in "#^":
            parts = line.split(" ", 1)
            if len(parts) == 2 and parts[1].startswith(_ROOTS):
                names.append(parts[1])
    return names


def branch_names(folder: str) -> list[str] | None:
    """Every local and remote-tracking branch name of the repository containing ``folder``
    (remote ``HEAD`` links left out, as numbering always did), or None (ask git)."""
    dirs = git_dirs(folder)
    if dirs is None:
        return None
    packed, loose = _packed(dirs[1]), _loose(dirs[1])
    if packed is None or loose is None:
        return None
    names = {name for name in [*loose, *packed] if not name.endswith("/HEAD")}
    if not names or not all(_plain(name) for name in names):
        return None
    return sorted(names)
