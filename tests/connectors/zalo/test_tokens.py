"""Zalo token store: refreshed before expiry, single-flight across connections and processes."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from connectors.common.database import ConnectorDatabase
from connectors.zalo.errors import ZaloAuthError
from connectors.zalo.tokens import ZaloTokens

REPO_ROOT = Path(__file__).resolve().parents[3]
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def make_tokens(settings, url, clock=None) -> ZaloTokens:
    """A token manager with its own engine (its own connections), like another process."""
    return ZaloTokens(settings, ConnectorDatabase(url), clock=clock or Clock())


async def test_first_use_refreshes_once_then_reuses_the_token(
    zalo_settings, common_settings, fake_zalo
):
    tokens = make_tokens(zalo_settings, common_settings.database_url)

    first = await tokens.access_token()
    second = await tokens.access_token()

    assert first == second
    assert len(fake_zalo.refresh_calls) == 1
    form = fake_zalo.refresh_calls[0].form()
    assert form == {
        "refresh_token": zalo_settings.refresh_token,
        "app_id": zalo_settings.app_id,
        "grant_type": "refresh_token",
    }
    assert fake_zalo.refresh_calls[0].header("secret_key") == zalo_settings.app_secret


async def test_token_is_refreshed_before_it_expires(zalo_settings, common_settings, fake_zalo):
    clock = Clock()
    tokens = make_tokens(zalo_settings, common_settings.database_url, clock)
    first = await tokens.access_token()

    clock.now += 90000 - zalo_settings.refresh_margin_seconds - 60  # still well within margin
    assert await tokens.access_token() == first
    clock.now += 120  # now inside the refresh margin (25 h token, refreshed at ~20 h)
    second = await tokens.access_token()

    assert second != first
    assert len(fake_zalo.refresh_calls) == 2


async def test_new_pair_is_stored_so_a_restart_does_not_reuse_the_dead_refresh_token(
    zalo_settings, common_settings, fake_zalo
):
    clock = Clock()
    await make_tokens(zalo_settings, common_settings.database_url, clock).access_token()

    restarted = make_tokens(zalo_settings, common_settings.database_url, clock)
    token = await restarted.access_token()

    assert len(fake_zalo.refresh_calls) == 1
    assert token.startswith("at-")
    stored = await asyncio.to_thread(restarted.read)
    assert stored.refresh_token != zalo_settings.refresh_token
    assert stored.generation == 1


async def test_a_new_configured_refresh_token_seeds_the_store_again(
    zalo_settings, common_settings, fake_zalo
):
    clock = Clock()
    await make_tokens(zalo_settings, common_settings.database_url, clock).access_token()
    reconsented = replace(zalo_settings, refresh_token=fake_zalo.issue_refresh_token())

    tokens = make_tokens(reconsented, common_settings.database_url, clock)
    await tokens.refresh(None)

    assert fake_zalo.refresh_calls[-1].form()["refresh_token"] == reconsented.refresh_token


async def test_refused_refresh_token_raises_and_keeps_the_stored_pair(
    zalo_settings, common_settings, fake_zalo
):
    dead = replace(zalo_settings, refresh_token="rt-never-issued")
    tokens = make_tokens(dead, common_settings.database_url)

    with pytest.raises(ZaloAuthError) as caught:
        await tokens.access_token()

    assert caught.value.code == -14014
    stored = await asyncio.to_thread(tokens.read)
    assert stored.refresh_token == "rt-never-issued"
    assert stored.access_token is None


def concurrent_refreshes(settings, url, fake, count: int = 2) -> list[str]:
    """``count`` managers, each with its own engine, refresh the same stale token in threads."""
    managers = [make_tokens(settings, url) for _ in range(count)]
    for manager in managers:
        manager.seed()
    fake.refresh_delay = 0.4  # the first refresher is still waiting for Zalo when the others come
    barrier = threading.Barrier(count)
    results: list[str] = []

    def refresh(manager: ZaloTokens) -> None:
        barrier.wait()
        results.append(str(manager.refresh_locked(None).access_token))

    threads = [threading.Thread(target=refresh, args=(m,)) for m in managers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_refreshers_with_separate_connections_call_zalo_once(
    zalo_settings, common_settings, fake_zalo
):
    results = concurrent_refreshes(zalo_settings, common_settings.database_url, fake_zalo, 3)

    assert len(fake_zalo.refresh_calls) == 1
    assert len(results) == 3
    assert len(set(results)) == 1


@pytest.mark.postgres
def test_two_refreshers_on_postgresql_call_zalo_once(zalo_settings, fake_zalo):
    sqlalchemy = pytest.importorskip("sqlalchemy")
    engine = sqlalchemy.create_engine(POSTGRES_URL)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS connector_oauth_tokens")
    except sqlalchemy.exc.OperationalError:
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    finally:
        engine.dispose()

    results = concurrent_refreshes(zalo_settings, POSTGRES_URL, fake_zalo)

    assert len(fake_zalo.refresh_calls) == 1
    assert len(set(results)) == 1


REFRESHER_SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys
    from connectors.common.config import ZaloSettings
    from connectors.common.database import ConnectorDatabase
    from connectors.zalo.tokens import ZaloTokens

    settings = ZaloSettings(**json.loads(sys.argv[1]))
    tokens = ZaloTokens(settings, ConnectorDatabase(sys.argv[2]))
    print(asyncio.run(tokens.access_token()))
    """
)


def test_two_processes_starting_together_refresh_once(zalo_settings, common_settings, fake_zalo):
    fake_zalo.refresh_delay = 0.4
    settings_json = json.dumps(zalo_settings.__dict__)
    env = {**os.environ, "PYTHONPATH": f"{REPO_ROOT}:{REPO_ROOT / 'catalog'}"}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", REFRESHER_SCRIPT, settings_json, common_settings.database_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=REPO_ROOT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=60) for process in processes]

    assert [p.returncode for p in processes] == [0, 0], [err for _, err in outputs]
    tokens = {out.strip() for out, _ in outputs}
    assert len(fake_zalo.refresh_calls) == 1
    assert len(tokens) == 1
