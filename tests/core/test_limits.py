"""Read limits, YAML alias expansion, bounded messages, writes inside the workspace (in-process)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from inc import limits
from inc.config import Config
from inc.errors import ConfigError, UserError
from inc.fsutil import atomic_write_text, guard_write, safe_unlink, sweep_temp_files
from inc.scaffold import slugify
from inc.workspace import Workspace
from inc.yamlio import parse_yaml, shown, validate


@pytest.fixture(autouse=True)
def _default_limits() -> None:
    limits.configure(None)


def test_json_depth_nan_and_huge_integers_are_limit_errors() -> None:
    assert limits.parse_json('{"a": [1, 2.5, {"b": null}]}', "x.json") == {"a": [1, 2.5, {"b": None}]}
    for text, needle in (
        ("[" * 10_000 + "]" * 10_000, "depth limit"),
        ("[" * 70 + "]" * 70, "depth limit of 64"),
        ('{"m": NaN}', "NaN"),
        ('{"m": -Infinity}', "-Infinity"),
        ('{"m": 1e999}', "finite"),
        ('{"m": ' + "9" * 5001 + "}", "5001 digits"),
    ):
        with pytest.raises(limits.LimitError, match=needle):
            limits.parse_json(text, "x.json")


def test_only_regular_files_inside_the_root_are_read(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    (root / "ok.md").write_text("fine")
    (root / "inner.md").symlink_to(root / "ok.md")
    (root / "out.md").symlink_to(outside)
    (root / "dev.md").symlink_to("/dev/zero")
    (root / "dir.md").mkdir()
    os.mkfifo(root / "fifo.md")
    assert limits.read_text(root / "inner.md", "markdown", root) == "fine"
    for name, needle in (
        ("out.md", "symlink leading outside"),
        ("dev.md", "system file"),
        ("dir.md", "folder"),
        ("fifo.md", "not a regular file"),
    ):
        with pytest.raises(limits.LimitError, match=needle):
            limits.read_text(root / name, "markdown", root)
    (root / "big.md").write_bytes(b"x" * (5 * limits.MB + 1))
    with pytest.raises(limits.LimitError, match="markdown read limit of 5 MB"):
        limits.read_text(root / "big.md", "markdown", root)
    (root / "latin1.md").write_bytes(b"caf\xe9")
    with pytest.raises(limits.LimitError, match="not UTF-8.*byte 3"):
        limits.read_text(root / "latin1.md", "markdown", root)


def test_limits_come_from_inc_yaml_and_have_ceilings() -> None:
    config = Config.model_validate({"limits": {"markdown_mb": 0.5, "json_depth": 10}})
    limits.configure(config.limits)
    assert limits.active().cap("markdown") == 500_000 and limits.active().json_depth == 10
    with pytest.raises(ValueError, match="less than or equal"):
        Config.model_validate({"limits": {"json_mb": 10_000}})


def test_living_docs_dir_cannot_be_the_root_or_git(workspace: Workspace) -> None:
    original = (workspace.root / "inc.yaml").read_text()
    for value in ('"."', '"./"', ".git", ".git/site"):
        config = re.sub(r"^living_docs_dir:.*$", f"living_docs_dir: {value}", original, flags=re.M)
        assert config != original
        (workspace.root / "inc.yaml").write_text(config)
        with pytest.raises(ConfigError, match="living_docs_dir.*not its root or .git"):
            Workspace.discover(workspace.root)


def _bomb(levels: int) -> str:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, levels + 1)]
    return "\n".join(lines)


def test_yaml_alias_bomb_is_refused_in_linear_time_and_merge_keys_still_work() -> None:
    start = time.process_time()
    with pytest.raises(ConfigError, match="aliases.*limits.yaml_nodes"):
        parse_yaml(_bomb(9), "bomb.yaml")
    assert time.process_time() - start < 5  # linear in the file, not in the expansion
    assert parse_yaml(_bomb(3), "small.yaml")["a3"][0][0][0][0] == "x"  # 7,381 nodes: fine
    shared = (
        "base: &b {warn: 0.1, alert: 0.25}\nfeatures:\n  - {<<: *b, name: amount}\n  - {<<: *b, name: hour}\n"
    )
    assert parse_yaml(shared, "monitoring.yaml")["features"][1] == {
        "warn": 0.1,
        "alert": 0.25,
        "name": "hour",
    }


def test_validation_messages_are_bounded_and_redacted() -> None:
    data = {f"key_{i}": "v" * 500 for i in range(100)} | {"tracking_uri": ["http://alice:pw-123@h:5000"]}
    with pytest.raises(ConfigError) as info:
        validate(Config, data, "inc.yaml")
    message = info.value.message
    assert len(message) < 4000 and "more problems" in message
    assert "pw-123" not in message
    assert "pw-123" not in shown({"u": "https://bob:pw-123@x/y" + "z" * 100})
    assert len(shown("x" * 10**6)) < 100


def test_writes_and_deletes_resolve_inside_the_workspace(workspace: Workspace, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "0001-x.md").write_text("keep")
    link = workspace.root / "linked"
    link.symlink_to(outside)
    with pytest.raises(UserError, match="outside the workspace"):
        atomic_write_text(link / "page.md", "x")
    with pytest.raises(UserError, match="inside"):
        atomic_write_text(workspace.root / ".git" / "evil", "x")
    assert not safe_unlink(link / "0001-x.md", workspace.root)
    assert (outside / "0001-x.md").read_text() == "keep" and not (outside / "page.md").exists()
    guard_write(tmp_path / "elsewhere.txt")  # named outside the workspace: the user's choice
    atomic_write_text(workspace.root / "inside" / "page.md", "ok")
    assert safe_unlink(workspace.root / "inside" / "page.md", workspace.root)


def test_old_temp_files_are_swept_young_ones_kept(tmp_path: Path) -> None:
    old, young = tmp_path / ".a.md.1.tmp", tmp_path / "sub" / ".b.md.2.tmp"
    young.parent.mkdir()
    old.write_text("")
    young.write_text("")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    assert sweep_temp_files(tmp_path) == [old]
    assert young.exists()


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("détection-fraude", "detection-fraude"),
        ("Straße", "strasse"),
        ("Ærø Øl", "aero-ol"),
        ("fraud 🚀 v2", "fraud-v2"),
        ("0042", "0042"),
        ("Crème brûlée", "creme-brulee"),
    ],
)
def test_slugs_are_transliterated(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_names_without_ascii_letters_are_refused_clearly() -> None:
    for name in ("🚀🔥", "мошенничество"):
        with pytest.raises(UserError, match="ASCII"):
            slugify(name)


def test_an_override_template_with_a_bare_slug_still_gets_a_string_slug(workspace: Workspace) -> None:
    from inc.scaffold import new_increment
    from inc.templating import packaged_templates_dir

    packaged = (packaged_templates_dir() / "increment.yaml.j2").read_text()
    (workspace.root / "templates").mkdir(exist_ok=True)
    (workspace.root / "templates" / "increment.yaml.j2").write_text(
        packaged.replace('slug: "{{ slug }}"', "slug: {{ slug }}   # bare, as older templates had it")
    )
    for name in ("0042", "null", "yes", "2024-01-01"):
        assert new_increment(workspace, name).increment.meta.slug == name


def test_folder_real_paths_are_realpath_through_symlinks(tmp_path: Path) -> None:
    real = tmp_path / "real"
    (real / "a" / "b").mkdir(parents=True)
    (tmp_path / "link").symlink_to(real)
    (real / "a" / "jump").symlink_to(tmp_path)
    folders = [
        real / "a" / "b",
        tmp_path / "link" / "a" / "b",  # a symlinked parent
        tmp_path / "link" / "a" / "jump" / "real" / "a",  # symlinks twice on the way
        real / "a" / "missing" / "deeper",
        tmp_path / "link",  # the folder itself a symlink
        Path("/"),
    ]
    for folder in folders:
        assert limits._real_dir(str(folder)) == os.path.realpath(folder), folder


def test_a_file_reached_through_a_symlinked_parent_leading_out_is_refused(tmp_path: Path) -> None:
    root, outside = tmp_path / "ws", tmp_path / "outside"
    (root / "increments").mkdir(parents=True)
    (outside / "0001-x").mkdir(parents=True)
    (outside / "0001-x" / "tasks.md").write_text("- [ ] T-001 secret\n")
    (root / "increments" / "0001-x").symlink_to(outside / "0001-x")
    (root / "increments" / "ok").mkdir()
    (root / "increments" / "ok" / "tasks.md").write_text("fine")
    assert limits.read_text(root / "increments" / "ok" / "tasks.md", "markdown", root) == "fine"
    with pytest.raises(limits.LimitError, match="symlink leading outside"):
        limits.read_text(root / "increments" / "0001-x" / "tasks.md", "markdown", root)


def test_a_fifo_swapped_in_after_the_check_is_refused_without_blocking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = tmp_path / "plain.md"
    plain.write_text("fine")
    os.mkfifo(tmp_path / "fifo.md")  # nobody writes to it: a blocking open would never return
    monkeypatch.setattr(limits, "check_regular", lambda path, root=None: os.stat(plain))
    with pytest.raises(limits.LimitError, match="not a regular file"):
        limits.read_bytes(tmp_path / "fifo.md", "markdown")


def test_a_file_growing_while_read_is_read_whole_but_never_past_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "grows.md"
    path.write_bytes(b"0123456789")
    for cap, expected in ((1000, 110), (50, 51)):
        fd = os.open(path, limits.READ_FLAGS)
        try:
            size = os.fstat(fd).st_size
            with open(path, "ab") as more:
                more.write(b"x" * 100)
            assert len(limits.read_fd(fd, size, cap)) == expected  # 51: the caller refuses it
        finally:
            os.close(fd)
        path.write_bytes(b"0123456789")
    (tmp_path / "empty.md").write_bytes(b"")
    assert limits.read_bytes(tmp_path / "empty.md", "markdown") == b""


def test_caps_are_read_only_values() -> None:
    caps = limits.Caps(markdown_mb=0.5)
    assert caps == limits.Caps(markdown_mb=0.5) != limits.Caps()
    assert hash(caps) == hash(limits.Caps(markdown_mb=0.5)) and caps.cap("markdown") == 500_000
    assert caps.yaml_mb == 1 and "markdown_mb=0.5" in repr(caps)
    with pytest.raises(AttributeError):
        caps.markdown_mb = 99
    with pytest.raises(TypeError, match="unknown"):
        limits.Caps(markdwn_mb=1)
