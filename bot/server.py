"""Rasa's command line with two speed fixes: `python -m bot.server run …` (arguments as `rasa`).

* Rasa 3.6 checks every action-server response with `jsonschema.validate`, which re-checks the
  large event schema itself and builds a new validator on every call (about 30 ms per custom
  action on this project's machines — half of a message's processing time).
  `install_cached_validation` replaces that check with one validator built once; what is
  accepted and refused stays the same.
* Reading a conversation from the tracker store turns each stored event back into an object,
  and Rasa finds the event's class by walking every subclass of `Event` again, for every event
  (`Event.resolve_by_type`; about 8 % of a message's time in a profile of this project).
  `install_cached_event_types` looks the class up in a table built once (and rebuilt when a
  name is not found, so a class defined later is still found); the first match wins, as in Rasa.
* Python's full garbage collection walks every object of the process, and a Rasa server holds
  millions once the model is loaded: one collection stopped the server for about 300 ms under the
  benchmark's load. `install_gc_freeze_after_load` freezes what exists once the model is loaded
  (:mod:`bot.gc_freeze`): later collections look only at what the conversations create.

Before anything of Rasa is imported, :func:`main` also switches Rasa's telemetry and its Sentry
error reports off (``RASA_TELEMETRY_ENABLED=false``, whatever ``~/.config/rasa/global.yml``
says: nothing of a citizen's conversation may leave the system) and refuses to start when a
secret of the bot is set to a weak value (:mod:`connectors.common.secrets`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import MutableMapping
from typing import Any

from bot.gc_freeze import freeze_loaded_objects
from connectors.common.masking import install_record_masking
from connectors.common.secrets import refuse_weak_secrets

__all__ = [
    "TELEMETRY_OFF",
    "disable_telemetry",
    "install_cached_event_types",
    "install_cached_validation",
    "install_gc_freeze_after_load",
    "main",
]


TELEMETRY_OFF = {"RASA_TELEMETRY_ENABLED": "false"}
"""Rasa's telemetry and its Sentry error reporting both obey this variable (rasa/telemetry.py)."""


def disable_telemetry(environ: MutableMapping[str, str] | None = None) -> None:
    """Switches Rasa's telemetry and error reports off for this process and its children."""
    target = os.environ if environ is None else environ
    target.update(TELEMETRY_OFF)
    target.pop("RASA_TELEMETRY_WRITE_KEY", None)
    target.pop("RASA_EXCEPTION_WRITE_KEY", None)


@functools.lru_cache(maxsize=1)
def _response_validator() -> Any:
    """The validator of Rasa's action-response schema, built once."""
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """Same contract as RemoteAction._validate_action_result, with the cached validator."""
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(_response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install_cached_validation() -> None:
    """Makes Rasa validate action-server responses with a validator built once."""
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = _validate_action_result


@functools.lru_cache(maxsize=1)
def _event_types() -> dict[str, type]:
    """Event classes by ``type_name``, in Rasa's order (the first class with a name wins)."""
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    table: dict[str, type] = {}
    for cls in all_subclasses(Event):
        table.setdefault(cls.type_name, cls)
    return table


def _resolve_event_type(type_name: str, default: type | None = None) -> type | None:
    """Same contract as ``Event.resolve_by_type``, with the classes looked up in a table."""
    found = _event_types().get(type_name)
    if found is None:
        _event_types.cache_clear()
        found = _event_types().get(type_name)
    if found is not None:
        return found
    if type_name == "topic":
        return None  # Rasa's backwards compatibility with old TopicSet events
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


def install_cached_event_types() -> None:
    """Makes Rasa find an event's class by its name in a table built once."""
    from rasa.shared.core.events import Event

    Event.resolve_by_type = staticmethod(_resolve_event_type)  # type: ignore[method-assign]


def _freezing_after(load: Any) -> Any:
    """``load`` (Rasa's ``load_agent_on_start``), then the objects it made frozen."""

    @functools.wraps(load)
    async def load_then_freeze(
        model_path: Any, endpoints: Any, remote_storage: Any, app: Any, loop: Any
    ) -> Any:
        agent = await load(model_path, endpoints, remote_storage, app, loop)
        freeze_loaded_objects()
        return agent

    load_then_freeze.__wrapped_load__ = load  # type: ignore[attr-defined]
    return load_then_freeze


def install_gc_freeze_after_load() -> None:
    """Makes the Rasa server freeze its objects for the collector once the model is loaded."""
    import rasa.core.run as rasa_run

    if not hasattr(rasa_run.load_agent_on_start, "__wrapped_load__"):
        rasa_run.load_agent_on_start = _freezing_after(rasa_run.load_agent_on_start)


def main() -> None:
    """Runs Rasa's command line after installing the fixes."""
    os.umask(0o077)  # databases, uploads, token store: 0600 files, 0700 folders
    disable_telemetry()
    refuse_weak_secrets()
    install_record_masking()
    from rasa.__main__ import main as rasa_main

    install_cached_validation()
    install_cached_event_types()
    install_gc_freeze_after_load()
    rasa_main()


if __name__ == "__main__":
    main()
