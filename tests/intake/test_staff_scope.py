"""A staff account of one province sees only that province's dossiers (issue 17, item 12)."""

from __future__ import annotations

from pathlib import Path

from intake_service.bootstrap import create_user
from intake_service.db import Database
from intake_service.models import User

from .conftest import ADMIN, API_KEY, build_client, make_settings, prepare_database, submit
from .test_console import login

HANOI_STAFF = ("canbohanoi", "Tiepnhan-HN-2026")


def test_a_scoped_account_sees_its_province_only(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'scope.db'}"
    prepare_database(url)
    db = Database(url)
    create_user(db, *HANOI_STAFF, "staff", "Cán bộ Hà Nội")
    db.dispose()
    with build_client(make_settings(tmp_path, url)) as client:
        hanoi = submit(client, fields={"tinh_nop_ho_so": "Hà Nội"})["receipt_code"]
        danang = submit(client, fields={"tinh_nop_ho_so": "Đà Nẵng"})["receipt_code"]
        headers = {"X-API-Key": API_KEY}
        province = client.get(f"/api/v1/dossiers/{hanoi}", headers=headers).json()["province"]
        db = Database(url)
        with db.transaction() as session:
            session.query(User).filter_by(username=HANOI_STAFF[0]).one().province = province
        db.dispose()
        assert client.get(f"/api/v1/dossiers/{danang}", headers=headers).status_code == 200
        login(client, HANOI_STAFF)
        listing = client.get("/console/dossiers").text
        assert hanoi in listing and danang not in listing
        assert client.get(f"/console/dossiers/{danang}").status_code == 404
        assert client.get(f"/console/dossiers/{hanoi}").status_code == 200
        assert danang not in client.get("/console/export.csv").text
        api = client.get(f"/api/v1/dossiers/{danang}", auth=HANOI_STAFF)
        assert api.status_code == 404
        client.cookies.clear()
        login(client, ADMIN)
        assert client.get(f"/console/dossiers/{danang}").status_code == 200  # admin: all
