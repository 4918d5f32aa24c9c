"""The staff console: sign-in, CSRF, rate limiting, search, masking, status, export, audit."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from intake_service.db import Database
from intake_service.models import AuditEntry, Dossier

from .conftest import ADMIN, API_KEY, STAFF, build_client, make_settings, submit
from .test_api import PNG

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client: TestClient, user: tuple[str, str] = STAFF) -> str:
    token = csrf_of(client.get("/console/login").text)
    response = client.post(
        "/console/login",
        data={"username": user[0], "password": user[1], "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/console/dossiers").text)


@pytest.fixture
def console(tmp_path: Path, sqlite_url: str) -> Iterator[TestClient]:
    with build_client(make_settings(tmp_path, sqlite_url)) as client:
        yield client


def audit_actions(url: str, actor: str) -> list[str]:
    with Database(url).session() as session:
        return list(session.scalars(select(AuditEntry.action).where(AuditEntry.actor == actor)))


def test_pages_need_a_login(console: TestClient) -> None:
    response = console.get("/console/dossiers?status=received", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login?next=/console/dossiers")


def test_login_without_csrf_token_is_refused(console: TestClient) -> None:
    console.get("/console/login")
    response = console.post("/console/login", data={"username": STAFF[0], "password": STAFF[1]})
    assert response.status_code == 403
    assert "Xin tải lại trang" in response.text


def test_wrong_password_then_rate_limit(console: TestClient) -> None:
    token = csrf_of(console.get("/console/login").text)
    for _ in range(5):
        wrong = console.post(
            "/console/login",
            data={"username": STAFF[0], "password": "sai-mat-khau", "csrf_token": token},
        )
        assert wrong.status_code == 401
        assert "không đúng" in wrong.text
    blocked = console.post(
        "/console/login",
        data={"username": STAFF[0], "password": STAFF[1], "csrf_token": token},
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "quá nhiều lần" in blocked.text


def test_open_redirect_is_not_followed(console: TestClient) -> None:
    token = csrf_of(console.get("/console/login").text)
    response = console.post(
        "/console/login",
        data={
            "username": STAFF[0],
            "password": STAFF[1],
            "csrf_token": token,
            "next": "https://evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/console/dossiers"


def test_search_by_receipt_cccd_and_bhxh_code_with_masked_list(
    console: TestClient, sqlite_url: str
) -> None:
    created = submit(console)
    code = created["receipt_code"]
    detail = console.get(
        f"/api/v1/dossiers/{code}", headers={"X-API-Key": API_KEY}
    ).json()
    cccd, bhxh = detail["fields"]["so_cccd"], detail["fields"]["ma_so_bhxh"]
    login(console)
    spaced_cccd = f"{cccd[:3]} {cccd[3:6]} {cccd[6:]}"
    for query in (code.lower(), spaced_cccd, bhxh):
        page = console.get("/console/dossiers", params={"q": query}).text
        assert code in page, query
        assert "1 hồ sơ" in page
        assert cccd not in page  # masked in the list
    assert "search" in audit_actions(sqlite_url, STAFF[0])
    assert (
        f"{cccd[:3]}******{cccd[-3:]}" in console.get("/console/dossiers", params={"q": code}).text
    )
    nothing = console.get("/console/dossiers", params={"q": "000000000000"}).text
    assert "Không có hồ sơ nào khớp" in nothing


def test_filters(console: TestClient) -> None:
    code = submit(console, channel="telegram", province="Bình Dương")["receipt_code"]
    login(console)
    hit = console.get(
        "/console/dossiers",
        params={"channel": "telegram", "province": "TP Hồ Chí Minh", "status": "received"},
    ).text
    assert code in hit
    miss = console.get("/console/dossiers", params={"channel": "telegram", "status": "approved"})
    assert code not in miss.text
    bad_date = console.get("/console/dossiers", params={"date_from": "31/02/2026"})
    assert bad_date.status_code == 200


def test_detail_and_status_change_with_note(console: TestClient, sqlite_url: str) -> None:
    code = submit(console)["receipt_code"]
    token = login(console)
    page = console.get(f"/console/dossiers/{code}").text
    assert "Thông tin trong hồ sơ" in page
    assert "Nguyễn Văn An" in page
    no_note = console.post(
        f"/console/dossiers/{code}/status",
        data={"status": "needs_info", "note": "", "csrf_token": token},
    )
    assert no_note.status_code == 422
    assert "Cần ghi chú" in no_note.text
    # the drop-down keeps the choice: staff only add the note (issue 16, item 6)
    assert re.search(r'<option value="needs_info" selected>', no_note.text)
    assert not re.search(r'<option value="in_review" selected>', no_note.text)
    no_csrf = console.post(f"/console/dossiers/{code}/status", data={"status": "in_review"})
    assert no_csrf.status_code == 403
    done = console.post(
        f"/console/dossiers/{code}/status",
        data={"status": "in_review", "note": "Đang kiểm tra", "csrf_token": token},
    )
    assert done.status_code == 200
    assert "Đã chuyển hồ sơ sang “Đang xem xét”" in done.text
    assert "Đang kiểm tra" in done.text
    actions = audit_actions(sqlite_url, STAFF[0])
    assert {"login", "view_dossier", "change_status"} <= set(actions)


def test_csv_export_has_no_personal_numbers(console: TestClient, sqlite_url: str) -> None:
    created = submit(console, channel="webchat")
    login(console)
    response = console.get("/console/dossiers.csv", params={"channel": "webchat"})
    assert response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Mã hồ sơ"
    assert created["receipt_code"] in {row[0] for row in rows[1:]}
    assert not re.search(r"\d{12}", text)
    assert "export_csv" in audit_actions(sqlite_url, STAFF[0])


def test_statistics_page(console: TestClient) -> None:
    submit(console, province="Khánh Hòa")
    submit(console, channel="counter", province="Ninh Thuận")
    console.post(
        "/api/v1/ratings",
        json={"channel": "zalo", "sender_id": "zalo:1", "score": 4},
        headers={"X-API-Key": API_KEY},
    )
    login(console)
    page = console.get("/console/stats").text
    assert "<svg" in page
    assert "Tỷ lệ hồ sơ điện tử theo tỉnh" in page
    assert "Khánh Hòa" in page
    assert "Năm 2019" in page
    assert "chỉ số hài lòng" in page
    assert "Hộp thư hỗ trợ" in page  # the handoff inbox has its place in the navigation


def rating_count(page: str) -> int:
    found = re.search(r"\((\d+) đánh giá", page)
    assert found is not None, page[:2000]
    return int(found.group(1))


def test_ratings_without_a_comment_are_counted(console: TestClient) -> None:
    """The bot sends ``comment: null`` after "Không góp ý" (issue 16: "0 đánh giá")."""
    login(console)
    before = rating_count(console.get("/console/stats").text)
    for score, comment in ((5, None), (2, "Chờ lâu")):
        answer = console.post(
            "/api/v1/ratings",
            json={"channel": "webchat", "sender_id": "web-1", "score": score, "comment": comment},
            headers={"X-API-Key": API_KEY},
        )
        assert answer.status_code == 201, answer.text
    assert rating_count(console.get("/console/stats").text) == before + 2


def test_staff_cannot_manage_accounts_but_admin_can(console: TestClient) -> None:
    login(console, STAFF)
    assert console.get("/console/users").status_code == 403
    console.cookies.clear()
    token = login(console, ADMIN)
    created = console.post(
        "/console/users",
        data={"username": "canbo2", "full_name": "Lê Thị B", "role": "staff", "csrf_token": token},
    )
    assert created.status_code == 200
    assert "Mật khẩu tạm thời" in created.text
    assert "canbo2" in console.get("/console/users").text
    assert "login" in console.get("/console/audit").text


def test_logout_ends_the_session(console: TestClient) -> None:
    token = login(console)
    console.post("/console/logout", data={"csrf_token": token})
    assert console.get("/console/dossiers", follow_redirects=False).status_code == 303


def test_unknown_console_page_is_a_vietnamese_page(console: TestClient) -> None:
    login(console)
    response = console.get("/console/dossiers/HS-2222-2223")
    assert response.status_code == 404
    assert "Không tìm thấy hồ sơ" in response.text


def test_attachments_only_for_signed_in_staff(console: TestClient) -> None:
    from .test_api import PNG

    code = submit(console)["receipt_code"]
    uploaded = console.post(
        f"/api/v1/dossiers/{code}/attachments",
        files={"file": ("anh.png", PNG, "image/png")},
        headers={"X-API-Key": API_KEY},
    ).json()
    url = f"/console/attachments/{uploaded['id']}"
    assert console.get(url, follow_redirects=False).status_code == 303
    login(console)
    assert console.get(url).content == PNG


def test_paper_dossier_is_recorded_with_the_same_checks(console: TestClient) -> None:
    token = login(console)
    form = console.get("/console/paper", params={"procedure": "huong_bhxh_mot_lan"}).text
    assert 'name="f_so_cccd"' in form
    key = re.search(r'name="form_key" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    data = {
        "csrf_token": token,
        "form_key": key,
        "procedure": "huong_bhxh_mot_lan",
        "channel": "post",
        "province": "",
        "f_ho_ten": "Trần Thị Bình",
        "f_ngay_sinh_nguoi_de_nghi": "20/08/1975",
        "f_so_cccd": "056175001234",
        "f_ma_so_bhxh": "7912345678",
        "f_so_dien_thoai": "0912345678",
        "f_tinh_nop_ho_so": "Khánh Hòa",
        "f_hinh_thuc_nhan": "tien_mat",
    }
    wrong = console.post("/console/paper", data={**data, "f_so_cccd": "123"})
    assert wrong.status_code == 422
    assert "12 chữ số" in wrong.text
    done = console.post("/console/paper", data=data)
    assert done.status_code == 200
    assert "Đã ghi nhận hồ sơ giấy HS-" in done.text
    assert "Bưu điện (giấy)" in done.text
    again = console.post("/console/paper", data=data)  # double click: same dossier
    assert re.findall(r"HS-[2-9A-Z]{4}-[2-9A-Z]{4}", again.text)[0] in done.text


# ---------------------------------------------------------------------- issue 16
def test_dossiers_are_found_by_phone_or_full_name(console: TestClient) -> None:
    phone = "09" + uuid.uuid4().int.__str__()[:8]
    created = submit(console, fields={"ho_ten": "Phạm Thị Thu Hà", "so_dien_thoai": phone})
    login(console)
    for typed in (phone, f"+84 {phone[1:]}", "pham thi thu ha", "PHẠM THỊ THU HÀ"):
        page = console.get("/console/dossiers", params={"q": typed}).text
        assert created["receipt_code"] in page, typed
    assert created["receipt_code"] not in console.get(
        "/console/dossiers", params={"q": "Phạm Thị"}
    ).text  # the whole name, as indexed: part of it finds nothing
    listed = console.get("/console/dossiers").text
    assert "<th>Số CCCD / mã số BHXH</th>" in listed and "<th>Giấy tờ</th>" not in listed


def test_due_dates_the_overdue_filter_and_the_csv(console: TestClient, sqlite_url: str) -> None:
    late = submit(console, fields={"ho_ten": "Lê Văn Trễ"})["receipt_code"]
    fresh = submit(console)["receipt_code"]
    with Database(sqlite_url).transaction() as session:
        dossier = session.scalar(select(Dossier).where(Dossier.receipt_code == late))
        assert dossier is not None
        dossier.created_at = dossier.created_at - timedelta(days=30)
    login(console)
    page = console.get(f"/console/dossiers/{late}").text
    assert 'id="due-date"' in page and "quá hạn" in page  # 07 ngày làm việc, 30 days ago
    overdue = console.get("/console/dossiers", params={"overdue": "1"}).text
    assert late in overdue and fresh not in overdue
    rows = list(
        csv.reader(
            io.StringIO(
                console.get("/console/dossiers.csv", params={"q": late}).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    header, row = rows[0], rows[1]
    assert header[:2] == ["Mã hồ sơ", "Người nộp"] and "Hạn giải quyết" in header
    assert row[1] == "Lê Văn Trễ" and row[header.index("Quá hạn")] == "có"
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", row[header.index("Hạn giải quyết")])


def test_documents_sent_after_needs_info_are_flagged(console: TestClient) -> None:
    code = submit(console)["receipt_code"]
    token = login(console)
    console.post(
        f"/console/dossiers/{code}/status",
        data={"status": "needs_info", "note": "Xin ảnh CCCD", "csrf_token": token},
    )
    assert code not in console.get("/console/dossiers", params={"new_docs": "1"}).text
    answer = console.post(
        f"/api/v1/dossiers/{code}/attachments",
        files={"file": ("cccd.png", PNG, "image/png")},
        headers={"X-API-Key": API_KEY},
    )
    assert answer.status_code == 201, answer.text
    flagged = console.get("/console/dossiers", params={"new_docs": "1"}).text
    assert code in flagged and "có giấy tờ mới" in flagged
    assert 'id="new-documents"' in console.get(f"/console/dossiers/{code}").text


def test_the_audit_log_reads_in_vietnamese(console: TestClient) -> None:
    code = submit(console)["receipt_code"]
    token = login(console)
    console.post(
        f"/console/dossiers/{code}/status",
        data={"status": "needs_info", "note": "Xin ảnh", "csrf_token": token},
    )
    console.cookies.clear()
    login(console, ADMIN)
    page = console.get("/console/audit").text
    assert "Đổi trạng thái hồ sơ" in page and "Cần bổ sung thông tin: Xin ảnh" in page
    assert ">change_status<" not in page and "needs_info:" not in page
