"""Intake service of Trợ lý BHXH: receives dossiers, tracks their status, serves the staff console.

Run ``python -m intake_service bootstrap`` once (creates var/, secrets, the database and the
first administrator), then ``python -m intake_service serve``. See intake/README.md.
"""

__version__ = "0.1.0"
