"""Rasa SDK actions of Trợ lý BHXH (run with ``rasa run actions --actions bot.actions``).

Actions are thin: they read the tracker, ask the procedure catalog (through
:mod:`bot.actions.catalog_access`, the one seam to ``bhxh_catalog``) and say the result. The texts
are built by the ``render_*`` modules, which are pure functions of catalog objects.
"""
