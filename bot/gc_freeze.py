"""Objects loaded at start-up, kept out of the garbage collector's sight.

Python's full collection walks every object of the process. A Rasa server holds millions once its
model is loaded (TensorFlow, the featurizers' vocabularies, the domain), an action server some
hundred thousand (Rasa SDK, the catalog); one full collection stopped the Rasa server for about
300 ms and the action server for 70–100 ms under the benchmark's load, every message in flight
waiting. Freezing what exists once a server is ready (``gc.freeze()``) leaves later collections
only what the conversations create: the same collection then takes a few milliseconds. Frozen
objects are never collected, which is right for what lives as long as the process.
"""

from __future__ import annotations

import gc

__all__ = ["freeze_loaded_objects"]


def freeze_loaded_objects() -> None:
    """Collects what is garbage now, then freezes every object still alive."""
    gc.collect()
    gc.freeze()
