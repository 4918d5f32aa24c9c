"""Reads a catalog folder, checks it and builds the :class:`~bhxh_catalog.models.Catalog`.

The folder holds ``legal_basis.yaml``, ``sources.yaml``, ``parameters.yaml``,
``retirement_ages.yaml`` (optional: needed once a condition reads the retirement age) and
``procedures/<id>.yaml``. :func:`load_catalog` refuses a catalog with any schema error (the
:class:`~bhxh_catalog.errors.CatalogError` lists them all) and caches the result per folder.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import yaml

from bhxh_catalog import config
from bhxh_catalog._build import build_catalog
from bhxh_catalog.errors import CatalogError
from bhxh_catalog.models import Catalog
from bhxh_catalog.schema import RawCatalog, RawFile, SchemaIssue, check_catalog, errors_only

__all__ = [
    "check_catalog_dir",
    "clear_cache",
    "load_catalog",
    "read_catalog_dir",
    "read_yaml_file",
]

PROCEDURES_DIR = "procedures"
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML has it (ten times faster), else the pure-Python one."""
_REGISTRIES = ("legal_basis.yaml", "sources.yaml", "parameters.yaml", "retirement_ages.yaml")


def load_catalog(path: str | os.PathLike[str] | None = None) -> Catalog:
    """Loads (once per folder) and returns the catalog.

    Args:
        path: the catalog folder; default ``$BHXH_CATALOG_DIR`` or ``catalog/data``.

    Raises:
        CatalogError: the folder is missing or a file has schema errors (all are listed).
    """
    root = Path(path) if path is not None else config.catalog_dir()
    return _load_cached(_resolved(root))


def clear_cache() -> None:
    """Forgets loaded catalogs, so the next :func:`load_catalog` re-reads the files."""
    _load_cached.cache_clear()
    _resolved.cache_clear()


@functools.lru_cache(maxsize=32)
def _resolved(root: Path) -> Path:
    # the actions ask for the catalog many times per message; resolving asks the file system
    return root.resolve()


@functools.lru_cache(maxsize=8)
def _load_cached(root: Path) -> Catalog:
    raw, issues = read_catalog_dir(root)
    issues.extend(check_catalog(raw))
    errors = errors_only(issues)
    if errors:
        raise CatalogError(f"Danh mục thủ tục tại {root} có {len(errors)} lỗi:", errors)
    return build_catalog(raw, root)


def check_catalog_dir(path: str | os.PathLike[str] | None = None) -> list[SchemaIssue]:
    """Reads and checks a catalog folder without building it; returns errors and warnings.

    Raises:
        CatalogError: the folder does not exist.
    """
    root = Path(path) if path is not None else config.catalog_dir()
    raw, issues = read_catalog_dir(root)
    issues += check_catalog(raw)
    if not errors_only(issues):  # the topics are checked against a sound catalog
        from bhxh_catalog.topics_schema import check_topics, read_topic_files

        files, topic_issues = read_topic_files(root)
        issues += topic_issues + check_topics(files, build_catalog(raw, root))
    return issues


def read_catalog_dir(root: Path) -> tuple[RawCatalog, list[SchemaIssue]]:
    """Parses every YAML file of a catalog folder.

    Returns:
        The raw files and the problems met while reading (unreadable YAML, duplicate keys).

    Raises:
        CatalogError: the folder does not exist.
    """
    if not root.is_dir():
        raise CatalogError(f"Không tìm thấy thư mục danh mục thủ tục: {root}")
    issues: list[SchemaIssue] = []
    registries = [_read_optional(root / name, name, issues) for name in _REGISTRIES]
    procedures: list[RawFile] = []
    folder = root / PROCEDURES_DIR
    for file in sorted(folder.iterdir()) if folder.is_dir() else []:
        name = f"{PROCEDURES_DIR}/{file.name}"
        if file.suffix == ".yml":
            issues.append(SchemaIssue(name, "", "đuôi tệp phải là .yaml"))
        elif file.suffix == ".yaml":
            raw = _read_file(file, name, issues)
            if raw is not None:
                procedures.append(raw)
    legal, sources, parameters, retirement_ages = registries
    return RawCatalog(legal, sources, parameters, tuple(procedures), retirement_ages), issues


def _read_optional(path: Path, name: str, issues: list[SchemaIssue]) -> RawFile | None:
    return _read_file(path, name, issues) if path.is_file() else None


def read_yaml_file(path: Path, name: str, issues: list[SchemaIssue]) -> RawFile | None:
    """Parses one YAML file with the line of each field; problems are added to *issues*.

    Returns:
        The file, or None when it is not UTF-8 or not valid YAML.
    """
    return _read_file(path, name, issues)


def _read_file(path: Path, name: str, issues: list[SchemaIssue]) -> RawFile | None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        issues.append(SchemaIssue(name, "", "tệp không ở mã UTF-8"))
        return None
    try:
        node = yaml.compose(text, Loader=_SAFE_LOADER)
        data = yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as error:
        issues.append(_yaml_issue(name, error))
        return None
    lines: dict[str, int] = {"": 1}
    if node is not None:
        _index_lines(node, "", lines, name, issues)
    return RawFile(name, data, lines)


def _yaml_issue(name: str, error: yaml.YAMLError) -> SchemaIssue:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    line = mark.line + 1 if mark is not None else None
    return SchemaIssue(name, "", f"YAML không hợp lệ: {problem}", line)


def _index_lines(
    node: yaml.Node, path: str, lines: dict[str, int], name: str, issues: list[SchemaIssue]
) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            sub = f"{path}.{key}" if path else key
            if key in seen:
                line = key_node.start_mark.line + 1
                issues.append(SchemaIssue(name, sub, "khóa bị lặp lại", line))
            seen.add(key)
            lines[sub] = key_node.start_mark.line + 1
            _index_lines(value_node, sub, lines, name, issues)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            sub = f"{path}[{index}]"
            lines[sub] = item.start_mark.line + 1
            _index_lines(item, sub, lines, name, issues)
