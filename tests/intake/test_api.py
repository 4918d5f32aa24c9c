"""The HTTP contract (docs/contracts.md) against real SQLite and PostgreSQL databases."""

from __future__ import annotations

import hashlib
import threading
import uuid

import pytest
from fastapi.testclient import TestClient

from intake_service import receipt

from .conftest import API_KEY, STAFF, bot_headers, make_payload, submit

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def errors_by_field(response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    return {item["field"]: item["message"] for item in response.json()["detail"]}


def test_health(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_submission_gives_a_readable_receipt_and_processing_time(client: TestClient) -> None:
    body = submit(client)
    assert receipt.is_valid(body["receipt_code"])
    assert body["status"] == "received"
    assert body["status_label"] == "Đã tiếp nhận"
    assert "ngày làm việc" in body["processing_time"]
    assert body["province"] == "TP Đà Nẵng"
    assert body["office"] == "BHXH TP Đà Nẵng"


def test_same_key_same_body_returns_the_same_dossier(client: TestClient) -> None:
    payload, headers = make_payload(), bot_headers()
    first = client.post("/api/v1/dossiers", json=payload, headers=headers)
    again = client.post("/api/v1/dossiers", json=payload, headers=headers)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["receipt_code"] == first.json()["receipt_code"]
    listed = client.get(
        "/api/v1/dossiers", params={"sender_id": payload["sender_id"]}, headers=headers
    ).json()
    assert len(listed["items"]) == 1


def test_same_key_other_body_is_a_conflict(client: TestClient) -> None:
    headers = bot_headers()
    assert client.post("/api/v1/dossiers", json=make_payload(), headers=headers).status_code == 201
    other = client.post("/api/v1/dossiers", json=make_payload(), headers=headers)
    assert other.status_code == 409
    assert "Idempotency-Key" in other.json()["detail"]


def test_concurrent_retries_with_one_key_make_one_dossier(client: TestClient) -> None:
    payload, headers = make_payload(), bot_headers()
    results: list[tuple[int, str]] = []

    def post() -> None:
        response = client.post("/api/v1/dossiers", json=payload, headers=headers)
        results.append((response.status_code, response.json().get("receipt_code", "")))

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(code for code, _ in results).count(201) == 1
    assert {code for code, _ in results} <= {200, 201}
    assert len({number for _, number in results}) == 1


def test_idempotency_key_is_required(client: TestClient) -> None:
    response = client.post("/api/v1/dossiers", json=make_payload(), headers={"X-API-Key": API_KEY})
    assert errors_by_field(response) == {"Idempotency-Key": "Thiếu thông tin bắt buộc."}


def test_field_errors_are_vietnamese_and_per_field(client: TestClient) -> None:
    payload = make_payload(fields={"so_cccd": "12345", "so_dien_thoai": "abc", "bi_danh": "x"})
    errors = errors_by_field(client.post("/api/v1/dossiers", json=payload, headers=bot_headers()))
    assert "12 chữ số" in errors["fields.so_cccd"]
    assert "Ví dụ" in errors["fields.so_cccd"]
    assert "fields.so_dien_thoai" in errors
    assert errors["fields.bi_danh"] == "Thông tin này không thuộc hồ sơ của thủ tục đã chọn."


def test_missing_required_field_is_named(client: TestClient) -> None:
    payload = make_payload()
    del payload["fields"]["ma_so_bhxh"]
    errors = errors_by_field(client.post("/api/v1/dossiers", json=payload, headers=bot_headers()))
    assert errors == {"fields.ma_so_bhxh": "Còn thiếu thông tin bắt buộc: Mã số BHXH."}


def test_ask_if_decides_which_fields_are_needed(client: TestClient) -> None:
    by_account = make_payload(fields={"hinh_thuc_nhan": "tai_khoan"})
    errors = errors_by_field(
        client.post("/api/v1/dossiers", json=by_account, headers=bot_headers())
    )
    assert set(errors) == {"fields.ngan_hang", "fields.so_tai_khoan", "fields.tai_khoan_chinh_chu"}

    complete = make_payload(
        fields={
            "hinh_thuc_nhan": "tai_khoan",
            "ngan_hang": "Vietcombank",
            "so_tai_khoan": "0011001234567",
            "tai_khoan_chinh_chu": True,
        }
    )
    assert client.post("/api/v1/dossiers", json=complete, headers=bot_headers()).status_code == 201

    # In cash: bank fields do not apply and are not stored.
    cash = make_payload(fields={"hinh_thuc_nhan": "tien_mat", "so_tai_khoan": "0011001234567"})
    created = client.post("/api/v1/dossiers", json=cash, headers=bot_headers()).json()
    stored = client.get(
        f"/api/v1/dossiers/{created['receipt_code']}", headers=bot_headers()
    ).json()
    assert "so_tai_khoan" not in stored["fields"]


def test_unknown_procedure_and_province(client: TestClient) -> None:
    response = client.post(
        "/api/v1/dossiers",
        json=make_payload(procedure_id="khong_co_thu_tuc_nay"),
        headers=bot_headers(),
    )
    assert "procedure_id" in errors_by_field(response)
    response = client.post(
        "/api/v1/dossiers", json=make_payload(province="Xyzxyz"), headers=bot_headers()
    )
    assert "province" in errors_by_field(response)


def test_old_province_is_routed_to_the_current_one(client: TestClient) -> None:
    body = submit(client, province="Bình Dương")
    assert body["province"] == "TP Hồ Chí Minh"
    assert body["office"] == "BHXH TP Hồ Chí Minh"


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "wrong"}])
def test_api_needs_the_key(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/dossiers",
        json=make_payload(),
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code == 401
    assert client.get("/api/v1/dossiers/HS-2222-2222", headers=headers).status_code == 401


def test_read_back_full_for_the_bot_and_masked_on_request(client: TestClient) -> None:
    payload = make_payload()
    code = client.post("/api/v1/dossiers", json=payload, headers=bot_headers()).json()[
        "receipt_code"
    ]
    spoken = code.lower().replace("-", " ")
    full = client.get(f"/api/v1/dossiers/{spoken}", headers=bot_headers()).json()
    assert full["receipt_code"] == code
    assert full["fields"]["so_cccd"] == payload["fields"]["so_cccd"]
    assert full["fields"]["ngay_sinh_nguoi_de_nghi"] == "1975-08-20"
    assert full["history"][0]["status"] == "received"
    masked = client.get(
        f"/api/v1/dossiers/{code}", params={"view": "masked"}, headers=bot_headers()
    ).json()
    assert masked["fields"]["so_cccd"] != payload["fields"]["so_cccd"]
    assert masked["fields"]["so_cccd"].endswith(payload["fields"]["so_cccd"][-3:])
    assert masked["fields"]["ho_ten"] == "Nguyễn Văn An"


def test_unknown_or_mistyped_code_is_404(client: TestClient) -> None:
    code = submit(client)["receipt_code"]
    typo = code[:-1] + ("2" if code[-1] != "2" else "3")
    for wrong in (typo, "HS-0000-0000", "nonsense"):
        response = client.get(f"/api/v1/dossiers/{wrong}", headers=bot_headers())
        assert response.status_code == 404
        assert response.json()["detail"] == "Không tìm thấy hồ sơ có mã này."


def test_list_by_conversation(client: TestClient) -> None:
    sender = f"telegram:{uuid.uuid4().hex[:8]}"
    first = submit(client, sender_id=sender, channel="telegram")["receipt_code"]
    second = submit(client, sender_id=sender, channel="telegram")["receipt_code"]
    submit(client, sender_id=sender, channel="zalo")
    items = client.get(
        "/api/v1/dossiers",
        params={"sender_id": sender, "channel": "telegram"},
        headers=bot_headers(),
    ).json()["items"]
    assert [item["receipt_code"] for item in items] == [second, first]


def test_status_lifecycle_by_staff(client: TestClient, bot) -> None:
    code = submit(client)["receipt_code"]
    url = f"/api/v1/dossiers/{code}/status"
    assert client.post(url, json={"status": "in_review"}, headers=bot_headers()).status_code == 403
    no_note = client.post(url, json={"status": "needs_info"}, auth=STAFF)
    assert "note" in errors_by_field(no_note)
    wrong = client.post(url, json={"status": "result_sent"}, auth=STAFF)
    assert wrong.status_code == 409
    assert "Không thể chuyển" in wrong.json()["detail"]
    asked = client.post(
        url, json={"status": "needs_info", "note": "Xin bổ sung giấy ra viện."}, auth=STAFF
    )
    assert asked.status_code == 200, asked.text
    history = asked.json()["history"]
    assert [h["status"] for h in history] == ["received", "needs_info"]
    assert history[-1]["actor"] == STAFF[0]
    assert history[-1]["note"] == "Xin bổ sung giấy ra viện."


def test_attachments(client: TestClient) -> None:
    code = submit(client)["receipt_code"]
    url = f"/api/v1/dossiers/{code}/attachments"
    headers = {"X-API-Key": API_KEY}
    first = client.post(
        url, files={"file": ("../../anh cccd.png", PNG, "image/png")}, headers=headers
    )
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert body["content_type"] == "image/png"
    assert "/" not in body["filename"]
    again = client.post(url, files={"file": ("x.png", PNG, "image/png")}, headers=headers)
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert (body["already_attached"], again.json()["already_attached"]) == (False, True)
    text = client.post(
        url, files={"file": ("a.pdf", b"hello", "application/pdf")}, headers=headers
    )
    assert "file" in errors_by_field(text)
    assert client.get(body["url"]).status_code == 401
    download = client.get(body["url"], headers=headers)
    assert download.content == PNG
    detail = client.get(f"/api/v1/dossiers/{code}", headers=headers).json()
    assert [a["id"] for a in detail["attachments"]] == [body["id"]]


def test_ratings(client: TestClient) -> None:
    code = submit(client)["receipt_code"]
    rating = {"receipt_code": code, "channel": "zalo", "sender_id": "zalo:1", "score": 5}
    headers = bot_headers()
    first = client.post("/api/v1/ratings", json=rating, headers=headers)
    assert first.status_code == 201
    assert (
        client.post("/api/v1/ratings", json=rating, headers=headers).json()["id"]
        == (first.json()["id"])
    )
    bad = client.post("/api/v1/ratings", json={**rating, "score": 7}, headers=bot_headers())
    assert errors_by_field(bad) == {"score": "Giá trị phải từ 5 trở xuống."}
    unknown = client.post(
        "/api/v1/ratings", json={**rating, "receipt_code": "HS-2222-2222"}, headers=bot_headers()
    )
    assert "receipt_code" in errors_by_field(unknown)


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[]", b'{"procedure_id": 5}', b"\xff\xfe", b'{"fields": "x"}'],
)
def test_malformed_bodies_are_422_not_500(client: TestClient, body: bytes) -> None:
    response = client.post(
        "/api/v1/dossiers",
        content=body,
        headers={**bot_headers(), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert all(item["message"] for item in response.json()["detail"])


def test_oversized_body_is_refused(client: TestClient) -> None:
    body = b'{"procedure_id": "' + b"x" * 300_000 + b'"}'
    response = client.post(
        "/api/v1/dossiers",
        content=body,
        headers={**bot_headers(), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert "quá lớn" in response.json()["detail"]


def test_security_headers(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_nul_characters_are_refused_not_crashing_postgresql(client: TestClient) -> None:
    payload = make_payload(sender_id="zalo:\x00abc")
    response = client.post("/api/v1/dossiers", json=payload, headers=bot_headers())
    assert "sender_id" in errors_by_field(response)
    listed = client.get("/api/v1/dossiers", params={"sender_id": "a\x00b"}, headers=bot_headers())
    assert listed.status_code == 422
    comment = {"channel": "zalo", "sender_id": "z", "score": 3, "comment": "x\x00"}
    assert client.post("/api/v1/ratings", json=comment, headers=bot_headers()).status_code == 422


def test_attachment_too_large(tmp_path, sqlite_url: str) -> None:
    from .conftest import build_client, make_settings

    settings = make_settings(tmp_path, sqlite_url, INTAKE_MAX_UPLOAD_MB="0.01")
    with build_client(settings) as small:
        code = submit(small)["receipt_code"]
        url = f"/api/v1/dossiers/{code}/attachments"
        big = PNG + b"\x00" * 100_000
        response = small.post(
            url, files={"file": ("a.png", big, "image/png")}, headers={"X-API-Key": API_KEY}
        )
        assert response.status_code == 413
        assert "quá lớn" in response.json()["detail"]
        almost = PNG + b"\x00" * 11_000
        response = small.post(
            url, files={"file": ("a.png", almost, "image/png")}, headers={"X-API-Key": API_KEY}
        )
        assert "lớn hơn" in errors_by_field(response)["file"]
