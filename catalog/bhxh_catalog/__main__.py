"""``python -m bhxh_catalog``: the office command line (see ``bhxh_catalog.cli``)."""

from bhxh_catalog.cli import main

raise SystemExit(main())
