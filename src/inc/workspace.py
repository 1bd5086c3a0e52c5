"""The Workspace: root folder, config, paths, increment lookup and number allocation."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path, PurePosixPath

from inc.errors import ConfigError, NotFoundError, UserError
from inc.increment import Increment
from inc.settings import LoadedConfig, discover

TYPE_CHECKING = False  # typing's flag without importing typing (``inc list`` imports this)
if TYPE_CHECKING:
    from inc.config import Config
    from inc.metacache import MetaCache

_DIR_RE = re.compile(r"^(\d{4})-([a-z0-9]+(?:-[a-z0-9]+)*)$")
_STALE_CLAIM_SECONDS = 600


class Workspace:
    """One inc workspace; built once by the CLI (or by ``load_workspace``) and passed down.

    A plain class (no ``dataclasses``: its import pulls in ``inspect``, ~10 ms of ``inc list``).
    """

    def __init__(self, root: Path, loaded: LoadedConfig, notes: list[str] | None = None) -> None:
        from inc import limits

        self.root = root
        self.loaded = loaded
        self.notes: list[str] = [] if notes is None else notes
        self._check_layout()
        limits.configure(self.loaded.data.get("limits"), self.root)

    def __repr__(self) -> str:
        return f"Workspace(root={self.root!r}, config={str(self.loaded.path)!r})"

    def _check_layout(self) -> None:
        """The increments, living-docs and templates folders are sub-folders, outside ``.git``."""
        for key in ("increments_dir", "living_docs_dir", "templates_dir"):
            parts = [
                part
                for part in PurePosixPath(self.loaded.text(key).replace("\\", "/")).parts
                if part not in (".", "")
            ]
            if not parts or parts[0] == ".git":
                raise ConfigError(
                    f"{self.loaded.source or self.loaded.path}: field '{key}': must be a sub-folder of "
                    "the workspace, not its root or .git"
                )

    @classmethod
    def from_loaded(cls, loaded: LoadedConfig) -> Workspace:
        """Build from a discovered config."""
        return cls(loaded.root, loaded)

    @property
    def config(self) -> Config:
        """The settings as the ``Config`` model (built on first use; paths below need not)."""
        return self.loaded.config

    @property
    def config_path(self) -> Path:
        """The file the settings came from (inc.yaml or pyproject.toml)."""
        return self.loaded.path

    @classmethod
    def discover(cls, start: Path | None = None, cached: bool = False) -> Workspace:
        """Find the workspace containing ``start`` (default: the current folder).

        ``cached``: reuse checked YAML data from the workspace's cache (readers such as ``inc list``).
        """
        return cls.from_loaded(discover(start or Path.cwd(), cached))

    @property
    def increments_dir(self) -> Path:
        """Where increments live."""
        return self.root / self.loaded.text("increments_dir")

    @property
    def living_docs_dir(self) -> Path:
        """Where the generated living docs go."""
        return self.root / self.loaded.text("living_docs_dir")

    @property
    def templates_dir(self) -> Path:
        """The repository's template overrides (may not exist)."""
        return self.root / self.loaded.text("templates_dir")

    def increment_dirs(self) -> list[Path]:
        """Increment folders (``NNNN-slug``), sorted by name."""
        folder = self.increments_dir
        return [folder / name for name in self.increment_names()]

    def increment_names(self) -> list[str]:
        """The names of the increment folders, sorted (no path built: ``inc new`` asks 3 times)."""
        try:
            with os.scandir(self.increments_dir) as entries:  # the type from the listing: no stat
                return sorted(entry.name for entry in entries if _DIR_RE.match(entry.name) and entry.is_dir())
        except (FileNotFoundError, NotADirectoryError):
            return []

    def increments(self, cache: MetaCache | None = None) -> list[Increment]:
        """Every increment, loaded and validated, sorted by number."""
        return [Increment.load(path, cache) for path in self.increment_dirs()]

    def find(self, ref: str, cache: MetaCache | None = None) -> Increment:
        """Look an increment up by ``0001``, ``1``, ``0001-slug`` or ``slug``."""
        return Increment.load(self.find_dir(ref), cache)

    def meta_cache(self) -> MetaCache:
        """The workspace's cache of checked YAML data (``inc.metacache``), one per workspace object."""
        if self.loaded.cache is None:
            from inc.metacache import MetaCache

            object.__setattr__(self.loaded, "cache", MetaCache(self.root))
        assert self.loaded.cache is not None
        return self.loaded.cache

    def find_dir(self, ref: str) -> Path:
        """The folder of the increment ``ref`` names, without loading it."""
        ref = ref.strip().rstrip("/").split("/")[-1]
        number = f"{int(ref):04d}" if ref.isascii() and ref.isdigit() else None
        matches = []
        for path in self.increment_dirs():
            num, slug = path.name[:4], path.name[5:]
            if ref in (path.name, slug) or num == number:
                matches.append(path)
        if not matches:
            known = ", ".join(p.name for p in self.increment_dirs()[:10]) or "none yet"
            raise NotFoundError(
                f"no increment {ref!r} in {self.increments_dir} (known: {known}); see 'inc list'"
            )
        if len(matches) > 1:
            names = ", ".join(p.name for p in matches)
            raise UserError(f"increment {ref!r} is ambiguous: {names}; use the full folder name")
        return matches[0]

    def local_numbers(self) -> set[int]:
        """Numbers used by folders in ``increments/``."""
        return {int(name[:4]) for name in self.increment_names()}

    def taken_numbers(self) -> set[int]:
        """Numbers used locally and on every local and remote-tracking branch."""
        from inc import gitutil

        numbers = self.local_numbers()
        on_branches = gitutil.branch_numbers(self.increments_dir) if self.increments_dir.is_dir() else None
        if on_branches is None:
            self.notes.append(
                f"{self.root} is not a git repository: numbering from {self.increments_dir} alone"
            )
        else:
            numbers |= on_branches
        return numbers

    def claim_number(self) -> tuple[int, Path]:
        """Reserve the next free number with an exclusive mkdir; returns (number, claim dir)."""
        from inc.fsutil import ensure_inside, mark_owner

        ensure_inside(self.root, self.increments_dir)  # a symlink leading outside is refused
        self.increments_dir.mkdir(parents=True, exist_ok=True)
        self._drop_stale_claims()
        number = max(self.taken_numbers(), default=0) + 1
        for _ in range(1000):
            if number > 9999:
                break
            claim = self.increments_dir / f".{number:04d}.claim"
            try:
                claim.mkdir()
            except FileExistsError:
                number += 1
                continue
            if number in self.local_numbers():  # finished by another process meanwhile
                claim.rmdir()
                number += 1
                continue
            mark_owner(claim)
            return number, claim
        raise UserError(f"{self.increments_dir}: no free increment number below 10000")

    def _drop_stale_claims(self) -> None:
        """Remove claims (and staging folders) left by a killed ``inc new``: their owner process
        is gone, or they are older than ten minutes. The number is free again: no gap."""
        from inc.fsutil import owner_gone

        now = time.time()
        with os.scandir(self.increments_dir) as entries:  # no glob: it compiles a pattern per call
            names = [entry.name for entry in entries if entry.name.startswith(".")]
        if not any(name.endswith((".claim", ".staging")) for name in names):
            return
        for claim in self.increments_dir.glob(".*.claim"):
            try:
                if now - claim.stat().st_mtime > _STALE_CLAIM_SECONDS or owner_gone(claim):
                    import shutil  # only when something was left over: it costs ~2 ms

                    for staging in self.increments_dir.glob(f"{claim.name[:5]}-*.staging"):
                        shutil.rmtree(staging, ignore_errors=True)
                    shutil.rmtree(claim, ignore_errors=True)
            except FileNotFoundError:
                continue
        for staging in self.increments_dir.glob(".*.staging"):
            try:
                claimed = (self.increments_dir / f"{staging.name[:5]}.claim").exists()
                if not claimed and now - staging.stat().st_mtime > _STALE_CLAIM_SECONDS / 2:
                    import shutil

                    shutil.rmtree(staging, ignore_errors=True)
            except FileNotFoundError:
                continue

    def publish(self, staging: Path, final: Path) -> None:
        """Move a fully written staging folder into place (a rename: atomic)."""
        os.rename(staging, final)

    def relpath(self, path: Path) -> str:
        """``path`` relative to the workspace root, with forward slashes."""
        real, base = self._realpath(path), self._real_dir(str(self.root))
        if os.sep == "/":  # both are normalised real paths: a prefix test is what relative_to does
            if real == base:
                return "."
            prefix = base if base.endswith("/") else base + "/"
            return real[len(prefix) :] if real.startswith(prefix) else str(path)
        try:
            return Path(real).relative_to(base).as_posix()
        except ValueError:
            return str(path)

    def _realpath(self, path: Path) -> str:
        """``path.resolve()``, with the real path of its folder remembered (``inc list`` asks for
        every increment folder of the same parent)."""
        name = path.name
        if name in ("", ".", "..") or os.path.islink(path):
            return str(path.resolve())
        return os.path.join(self._real_dir(str(path.parent)), name)

    def _real_dir(self, folder: str) -> str:
        known: dict[str, str] = self.__dict__.setdefault("_real_dirs", {})
        if folder not in known:
            known[folder] = os.path.realpath(folder)
        return known[folder]


def load_workspace(start: str | os.PathLike[str] | None = None) -> Workspace:
    """Public API: the workspace containing ``start`` (default: the current folder)."""
    return Workspace.discover(Path(start) if start is not None else None)


def as_workspace(workspace: Workspace | str | os.PathLike[str] | None) -> Workspace:
    """``workspace`` itself, or the workspace containing that folder (default: the current one)."""
    return workspace if isinstance(workspace, Workspace) else load_workspace(workspace)
