"""The fake platforms for the running system, and how to tell that Rasa finished a turn.

The system itself (intake service, action server, ``python -m bot.server run``) is started by
:func:`stack.running_stack` with the Zalo OA, Messenger and Telegram channels open
(``StackConfig(messaging=True)``) and their settings from :meth:`Platforms.environment`, every
base URL pointing at a fake platform server (:mod:`tests.connectors.fakes`) running in the test
process.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from stack import RunningStack
from stack.endpoints import SQLiteTrackerStore
from stack.system import REPLY_SECONDS
from tests.connectors.fakes.meta import FakeGraph
from tests.connectors.fakes.telegram import FakeTelegram
from tests.connectors.fakes.zalo import FakeZalo

ZALO_OA_SECRET_KEY = "e2e-oa-secret-key"
MESSENGER_APP_SECRET = "e2e-meta-app-secret"
MESSENGER_APP_ID = "555000111"
MESSENGER_VERIFY_TOKEN = "e2e-verify-token"
TELEGRAM_SECRET_TOKEN = "e2e-Telegram_secret-0123456789-abcdefXYZ"


@dataclass
class Platforms:
    """The three fake platform servers."""

    zalo: FakeZalo
    graph: FakeGraph
    telegram: FakeTelegram

    @classmethod
    def start(cls) -> Platforms:
        """Starts the three fakes on free ports of 127.0.0.1."""
        zalo = FakeZalo()
        zalo.start()
        graph = FakeGraph()
        graph.start()
        telegram = FakeTelegram()
        telegram.start()
        return cls(zalo, graph, telegram)

    def stop(self) -> None:
        """Stops the three fakes."""
        for fake in (self.zalo, self.graph, self.telegram):
            fake.stop()

    def environment(self) -> dict[str, str]:
        """The channels' settings, as the Rasa process reads them (connectors/README.md)."""
        return {
            "ZALO_APP_ID": self.zalo.app_id,
            "ZALO_APP_SECRET": self.zalo.app_secret,
            "ZALO_OA_SECRET_KEY": ZALO_OA_SECRET_KEY,
            "ZALO_REFRESH_TOKEN": self.zalo.issue_refresh_token(),
            "ZALO_API_URL": self.zalo.url,
            "ZALO_OAUTH_URL": self.zalo.url,
            "MESSENGER_APP_SECRET": MESSENGER_APP_SECRET,
            "MESSENGER_VERIFY_TOKEN": MESSENGER_VERIFY_TOKEN,
            "MESSENGER_PAGE_ACCESS_TOKEN": self.graph.page_token,
            "MESSENGER_APP_ID": MESSENGER_APP_ID,
            "MESSENGER_GRAPH_URL": self.graph.url,
            "MESSENGER_GRAPH_VERSION": self.graph.version,
            "TELEGRAM_BOT_TOKEN": self.telegram.token,
            "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET_TOKEN,
            "TELEGRAM_API_URL": self.telegram.url,
        }


def user_turns(system: RunningStack, sender_id: str) -> int:
    """How many user messages of a conversation Rasa has saved in its tracker store."""
    store = system.tracker_store
    assert isinstance(store, SQLiteTrackerStore), store
    try:
        with sqlite3.connect(store.path, timeout=10) as db:
            row = db.execute(
                "SELECT COUNT(*) FROM events WHERE sender_id = ? AND type_name = 'user'",
                (sender_id,),
            ).fetchone()
    except sqlite3.OperationalError:  # the table is created with the first tracker
        return 0
    return int(row[0])


def wait_for_turn(system: RunningStack, sender_id: str, turns_before: int) -> None:
    """Waits until Rasa has saved the turn of the next message (its replies are sent then).

    Rasa saves the tracker once per message, after the last action of the turn ran and every
    reply went out through the channel; a conversation's messages are handled one at a time.
    """
    deadline = time.monotonic() + REPLY_SECONDS
    while time.monotonic() < deadline:
        if user_turns(system, sender_id) > turns_before:
            return
        time.sleep(0.2)
    raise AssertionError(
        f"Rasa did not answer {sender_id} within {REPLY_SECONDS:.0f} s\n{system.logs()}"
    )
