"""What the production entry points (nginx, the Kubernetes Ingress) let in from outside.

The REST channel, the intake's events and the REST channel's notices must never be reachable
from the internet (issue 17: anyone could speak in any citizen's conversation through the REST
channel, replay events or read staff replies).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
NGINX = ROOT / "deploy" / "nginx" / "bhxh.conf"
INGRESS = ROOT / "deploy" / "kubernetes" / "ingress.yaml"

INTERNAL = (
    "/webhooks/rest/webhook",
    "/webhooks/rest/",
    "/webhooks/intake/events",
    "/webhooks/intake/notifications?sender=rest:x&after=0",
    "/webhooks/intake/",
    "/conversations/zalo:1/tracker",
    "/model",
    "/webhooks/anything",
)
PUBLIC = (
    "/webhooks/zalo/webhook",
    "/webhooks/messenger/webhook",
    "/webhooks/telegram/webhook",
    "/webhooks/webchat/message",
)


def _server_blocks(text: str) -> list[str]:
    """The bodies of the top-level ``server { … }`` blocks."""
    blocks, depth, start = [], 0, None
    for match in re.finditer(r"\bserver\s*\{|\{|\}", text):
        token = match.group(0)
        if token.startswith("server") and depth == 0:
            start, depth = match.end(), 1
        elif token == "{":
            depth += 1 if depth else 0
        elif token == "}" and depth:
            depth -= 1
            if depth == 0 and start is not None:
                blocks.append(text[start : match.start()])
                start = None
    return blocks


def _public_server() -> str:
    text = re.sub(r"#[^\n]*", "", NGINX.read_text(encoding="utf-8"))
    (public,) = [b for b in _server_blocks(text) if re.search(r"listen\s+443\b", b)]
    return public


def _nginx_answer(server: str, uri: str) -> str:
    """What nginx does with ``uri`` in a server block: its location's body (nginx's choice rules:
    exact match, else the longest prefix unless a regular expression matches first)."""
    path = uri.split("?", 1)[0]
    locations = re.findall(r"location\s+(=|~\*?|\^~)?\s*(\S+)\s*\{([^}]*)\}", server)
    for modifier, pattern, body in locations:
        if modifier == "=" and path == pattern:
            return body
    prefixes = [(p, b, m) for m, p, b in locations if m in ("", "^~") and path.startswith(p)]
    best = max(prefixes, key=lambda item: len(item[0]), default=None)
    if best is not None and best[2] == "^~":
        return best[1]
    for modifier, pattern, body in locations:
        if modifier.startswith("~") and re.search(pattern, path):
            return body
    return best[1] if best else "return 404;"


@pytest.mark.parametrize("uri", INTERNAL)
def test_nginx_keeps_the_internal_routes_internal(uri):
    assert "return 404" in _nginx_answer(_public_server(), uri)


@pytest.mark.parametrize("uri", PUBLIC)
def test_nginx_passes_the_channels_webhooks(uri):
    assert "proxy_pass http://bhxh_rasa" in _nginx_answer(_public_server(), uri)


def _ingress_paths() -> list[str]:
    paths = []
    for document in yaml.safe_load_all(INGRESS.read_text(encoding="utf-8")):
        if document and document.get("kind") == "Ingress":
            for rule in document["spec"]["rules"]:
                paths += [item["path"] for item in rule["http"]["paths"]]
    return paths


@pytest.mark.parametrize("uri", INTERNAL)
def test_the_ingress_routes_none_of_the_internal_paths(uri):
    path = uri.split("?", 1)[0]
    assert not [p for p in _ingress_paths() if path.startswith(p)]


@pytest.mark.parametrize("uri", PUBLIC)
def test_the_ingress_routes_the_channels_webhooks(uri):
    assert [p for p in _ingress_paths() if uri.startswith(p)]


def test_the_intake_runtime_image_ships_no_test_tools():
    dockerfile = (ROOT / "deploy" / "container" / "Dockerfile.intake").read_text(encoding="utf-8")
    uninstalled = dockerfile.split("pip uninstall -y", 1)[1].split("\n\n", 1)[0]
    for tool in ("pytest", "schemathesis", "hypothesis", "selenium", "mypy", "ruff"):
        assert tool in uninstalled, tool
