"""Topics: the loader, the schema check and the placeholders read for the day asked."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from bhxh_catalog import CatalogError, check_catalog_dir, load_catalog
from bhxh_catalog.config import catalog_dir
from bhxh_catalog.topics import PLACEHOLDERS, clear_topics_cache, fill_answer, load_topics

REAL = catalog_dir()


def _copy_catalog(tmp_path: Path, reference_2026: bool = True) -> Path:
    root = tmp_path / "data"
    shutil.copytree(REAL, root)
    if reference_2026:  # the value issue 13 announces, written here only (not the real file)
        path = root / "parameters.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        values = data["parameters"]["muc_tham_chieu"]["values"]
        last = values[-1]
        if last["effective_from"] < date(2026, 7, 1):
            last["effective_to"] = date(2026, 6, 30)
            values.append({"value": 2530000, "effective_from": date(2026, 7, 1),
                           "effective_to": None, "legal_basis": last["legal_basis"],
                           "verified": True})
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return root


_GOOD = """\
topics:
  - id: mai_tang_test
    title: "Trợ cấp mai táng bao nhiêu tiền"
    button: "Tiền mai táng"
    procedures: [che_do_tu_tuat]
    tone: bereavement
    phrasings: [{phrasings}]
    answer: "{answer}"
    calculator: {calculator}
    legal_basis: [law41_art85]
    verified: true
    review_by: {review_by}
    follow_ups: [{follow_ups}]
    related: [{related}]
"""


def _write(root: Path, **fields: str) -> Path:
    values = {
        "phrasings": ", ".join(f'"câu hỏi {n}"' for n in range(8)),
        "answer": "Trợ cấp mai táng là {mai_tang}.",
        "calculator": "mai_tang",
        "review_by": "2027-06-30",
        "follow_ups": "tinh_chi_tiet",
        "related": "",
    }
    values.update(fields)
    folder = root / "topics"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    text = _GOOD
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    (folder / "tu_tuat.yaml").write_text(text, encoding="utf-8")
    return root


def _problems(root: Path) -> list[str]:
    return [f"{issue.path}: {issue.problem}" for issue in check_catalog_dir(root)
            if issue.severity == "error"]


def test_the_real_topics_load_without_errors() -> None:
    clear_topics_cache()
    topics = load_topics(REAL)
    assert len(topics) >= 5
    assert all(topic.legal_basis or topic.tone == "scam" for topic in topics)


def test_a_good_file_has_no_error(tmp_path: Path) -> None:
    assert _problems(_write(_copy_catalog(tmp_path))) == []


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"phrasings": '"một", "hai"'}, "có 2 câu hỏi mẫu; cần từ 8 đến 15"),
        ({"answer": "Trợ cấp là {mai_tan}."}, "'{mai_tan}' không phải tên được phép"),
        ({"answer": "Trợ cấp mai táng là 23.400.000 đồng."}, "không viết số '23.400.000'"),
        ({"answer": "Mức tham chiếu là 2.340.000 đồng."}, "dùng {muc_tham_chieu}"),
        ({"calculator": "mai_tan"}, "'mai_tan' không phải máy tính"),
        ({"review_by": "2028-01-01"}, "ngày rà soát phải trước hoặc bằng 2027-12-31"),
        ({"follow_ups": "goi_dien"}, "'goi_dien' không có trong danh sách nút tiếp theo"),
        ({"related": "khong_co"}, "'khong_co' không có trong các tệp chủ đề"),
        ({"answer": "Xem mục [639] nhé."}, "có từ nội bộ '[639]'"),
    ],
)
def test_the_check_names_the_problem(
    tmp_path: Path, fields: dict[str, str], expected: str
) -> None:
    problems = _problems(_write(_copy_catalog(tmp_path, reference_2026=False), **fields))
    assert any(expected in problem for problem in problems), problems


def test_ids_are_unique_across_files(tmp_path: Path) -> None:
    root = _write(_copy_catalog(tmp_path))
    shutil.copy(root / "topics" / "tu_tuat.yaml", root / "topics" / "khac.yaml")
    assert any("đã dùng ở topics/khac.yaml" in p for p in _problems(root))


def test_a_long_title_and_a_long_button_are_refused(tmp_path: Path) -> None:
    root = _write(_copy_catalog(tmp_path))
    path = root / "topics" / "tu_tuat.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('"Tiền mai táng"', '"' + "x" * 31 + '"')
    text = text.replace('"Trợ cấp mai táng bao nhiêu tiền"', '"' + "y" * 71 + '"')
    path.write_text(text, encoding="utf-8")
    problems = _problems(root)
    assert any(p.startswith("topics[0].button: dài 31") for p in problems)
    assert any(p.startswith("topics[0].title: dài 71") for p in problems)


def test_load_refuses_a_bad_file(tmp_path: Path) -> None:
    root = _write(_copy_catalog(tmp_path), answer="Trợ cấp là {khong_co}.")
    with pytest.raises(CatalogError):
        load_topics(root)


def test_placeholders_follow_the_reference_level_of_the_day(tmp_path: Path) -> None:
    # Luật 41/2024 Điều 85 khoản 2: mai táng = 10 × mức tham chiếu; the value changes 01/7/2026
    catalog = load_catalog(_copy_catalog(tmp_path))
    text = "{mai_tang} | {muc_tham_chieu} | {muc_tham_chieu_from} | {muc_tham_chieu_sap_toi}"
    assert fill_answer(text, catalog, date(2026, 6, 30)) == (
        "23.400.000 đồng | 2.340.000 đồng | 01/07/2024 | "
        "Từ ngày 01/07/2026, mức tham chiếu là 2.530.000 đồng."
    )
    assert fill_answer(text, catalog, date(2026, 7, 1)) == (
        "25.300.000 đồng | 2.530.000 đồng | 01/07/2026 |"
    )


def test_survivor_and_bhyt_placeholders(tmp_path: Path) -> None:
    # Luật 41/2024 Điều 87: tuất 50% / 70% mức tham chiếu; BHYT hộ gia đình 4,5% người thứ nhất,
    # 70/60/50/40% người thứ 2/3/4/5 (luat_bhyt_hgd_muc_dong)
    catalog = load_catalog(_copy_catalog(tmp_path))
    day = date(2026, 7, 1)
    read = {name: PLACEHOLDERS[name].read(catalog, day) for name in
            ("tuat_50", "tuat_70", "bhyt_nguoi_1", "bhyt_nguoi_2", "bhyt_nguoi_5",
             "bhyt_nguoi_1_nam")}
    assert read == {
        "tuat_50": "1.265.000 đồng",
        "tuat_70": "1.771.000 đồng",
        "bhyt_nguoi_1": "113.850 đồng",
        "bhyt_nguoi_2": "79.695 đồng",
        "bhyt_nguoi_5": "45.540 đồng",
        "bhyt_nguoi_1_nam": "1.366.200 đồng",
    }


def test_tu_nguyen_placeholders(tmp_path: Path) -> None:
    # Luật 41/2024 Điều 31 khoản 2: thu nhập từ chuẩn nghèo nông thôn đến 20 lần mức tham chiếu,
    # đóng 22%; NĐ 159/2025 Điều 5: hỗ trợ 20% / 50% (hộ nghèo) của mức đóng trên chuẩn nghèo
    catalog = load_catalog(_copy_catalog(tmp_path))
    day = date(2026, 7, 1)
    names = ("tn_min_thu_nhap", "tn_max_thu_nhap", "tn_min_dong", "tn_max_dong",
             "tn_min_dong_sau_ho_tro", "tn_min_dong_ho_ngheo", "chuan_ngheo_nong_thon")
    assert {name: PLACEHOLDERS[name].read(catalog, day) for name in names} == {
        "tn_min_thu_nhap": "1.500.000 đồng",
        "tn_max_thu_nhap": "50.600.000 đồng",
        "tn_min_dong": "330.000 đồng",
        "tn_max_dong": "11.132.000 đồng",
        "tn_min_dong_sau_ho_tro": "264.000 đồng",
        "tn_min_dong_ho_ngheo": "165.000 đồng",
        "chuan_ngheo_nong_thon": "1.500.000 đồng",
    }
    # NĐ 351/2025: chuẩn nghèo nông thôn 2.200.000 đồng from 01/01/2027
    assert PLACEHOLDERS["tn_min_dong"].read(catalog, date(2027, 1, 1)) == "484.000 đồng"


def test_a_day_without_a_value_is_said_not_guessed(tmp_path: Path) -> None:
    catalog = load_catalog(_copy_catalog(tmp_path))
    assert fill_answer("{mai_tang}", catalog, date(2020, 1, 1)) == (
        "(chưa có số liệu áp dụng cho ngày này)"
    )


def test_every_placeholder_reads_today() -> None:
    catalog = load_catalog(REAL)
    for name, placeholder in PLACEHOLDERS.items():
        if name == "chuan_ngheo_thanh_thi":  # no value before 2027 in the catalog
            continue
        assert placeholder.read(catalog, date(2026, 3, 1)).strip() or name == (
            "muc_tham_chieu_sap_toi"
        ), name


def test_hotline_and_retirement_age() -> None:
    catalog = load_catalog(REAL)
    text = fill_answer("Gọi {hotline}; nam {tuoi_nghi_huu_nam}.", catalog, date(2026, 3, 1))
    assert text == "Gọi 1900 9068; nam 61 tuổi 6 tháng."
