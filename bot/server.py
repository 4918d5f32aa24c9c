"""Rasa's command line with one speed fix: `python -m bot.server run …` (arguments as `rasa`).

Rasa 3.6 checks every action-server response with `jsonschema.validate`, which re-checks the
large event schema itself and builds a new validator on every call (about 30 ms per custom action
on this project's machines — half of a message's processing time). `install_cached_validation`
replaces that check with one validator built once; what is accepted and refused stays the same.
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["install_cached_validation", "main"]


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


def main() -> None:
    """Runs Rasa's command line after installing the fix."""
    from rasa.__main__ import main as rasa_main

    install_cached_validation()
    rasa_main()


if __name__ == "__main__":
    main()
