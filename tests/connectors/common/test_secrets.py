"""The secret rule of the bot's processes (issue 17: placeholder secrets were accepted)."""

from __future__ import annotations

import pytest

from connectors.common.secrets import (
    WeakSecrets,
    bearer_ok,
    refuse_weak_secrets,
    secret_problem,
    weak_secrets,
)

STRONG = "Qm3v-8xZ_tL2pR9sKw4YcN7bH1dF6gJ0aE5uO"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "missing"),
        ("change-me", "placeholder"),
        ("CHANGE-ME-" + STRONG, "placeholder"),
        ("example-" + STRONG, "placeholder"),
        ("short-but-random-9x", "shorter than 32 bytes"),
        ("ab" * 20, "fewer than 8 different characters"),
    ],
)
def test_weak_secrets_are_named(value, problem):
    assert problem in (secret_problem("BOT_WEBHOOK_SECRET", value) or "")


def test_a_random_token_passes():
    assert secret_problem("BOT_WEBHOOK_SECRET", STRONG) is None


def test_only_secrets_that_are_set_are_checked():
    env = {"BOT_WEBHOOK_SECRET": "change-me", "INTAKE_API_KEY": STRONG}
    assert weak_secrets(["BOT_WEBHOOK_SECRET", "INTAKE_API_KEY", "REST_CHANNEL_KEY"], env) == [
        "BOT_WEBHOOK_SECRET is a placeholder (change-me)"
    ]
    with pytest.raises(WeakSecrets, match="Refusing to start: BOT_WEBHOOK_SECRET"):
        refuse_weak_secrets(environ=env)
    refuse_weak_secrets(environ={"INTAKE_API_KEY": STRONG})


def test_bearer_keys_are_compared_whole():
    assert bearer_ok(f"Bearer {STRONG}", STRONG)
    assert bearer_ok(f"bearer {STRONG}", STRONG)
    assert not bearer_ok(STRONG, STRONG)
    assert not bearer_ok(f"Bearer {STRONG[:-1]}", STRONG)
    assert not bearer_ok("Bearer ", "")
    assert not bearer_ok(None, STRONG)
