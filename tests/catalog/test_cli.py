import shutil
import subprocess
from pathlib import Path

import pytest

from bhxh_catalog.cli import main
from tests.catalog.fixtures import MINI

ROOT = Path(__file__).resolve().parents[2]
DIR = ["--dir", str(MINI)]


def run(capsys, *args):
    code = main([*DIR, *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_list_groups_procedures_by_category(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert "2 thủ tục" in out
    assert "Chế độ bảo hiểm xã hội\n  huong_bhxh_mot_lan" in out
    assert "Bảo hiểm xã hội tự nguyện" in out


def test_show_overview(capsys):
    code, out, _ = run(capsys, "show", "huong_bhxh_mot_lan")
    assert code == 0
    assert out.startswith("Hưởng bảo hiểm xã hội một lần  [huong_bhxh_mot_lan]")
    assert "Thời hạn giải quyết: 07 ngày làm việc kể từ ngày nhận đủ hồ sơ" in out


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("documents", "2. Văn bản đề nghị hưởng BHXH một lần (mẫu 14-HSB) — Bản chính "
                      "(chưa xác minh)"),
        ("documents", 'Chỉ khi: ly_do là "Ra nước ngoài định cư"'),
        ("eligibility", "[áp dụng … – 30/06/2025]"),
        ("eligibility", "Mặc định → Cần cán bộ BHXH xem xét"),
        ("fields", "[so_cccd] Ông/bà cho biết số CCCD (12 chữ số). (cccd, bắt buộc, nhạy cảm"),
        ("submission", "Phong bì: Ghi ngoài phong bì"),
        ("legal", "Điều 70, Luật Bảo hiểm xã hội số 41/2024/QH15 [law41_art70] — hiệu lực "
                  "01/07/2025 – nay"),
    ],
)
def test_show_sections(capsys, section, expected):
    code, out, _ = run(capsys, "show", "huong_bhxh_mot_lan", section)
    assert code == 0
    assert expected in out


def test_show_unknown_procedure_exits_2(capsys):
    code, _, err = run(capsys, "show", "huong_bhxh_motlan")
    assert code == 2
    assert "Lỗi: Không có thủ tục 'huong_bhxh_motlan'" in err


def test_check_passes_on_a_valid_catalog(capsys):
    code, out, _ = run(capsys, "check")
    assert code == 0
    assert out.startswith("Không có lỗi: 2 thủ tục, 11 căn cứ pháp lý, 2 nguồn, 2 tham số")


def test_check_lists_problems_and_exits_1(capsys, tmp_path):
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    path = folder / "procedures" / "dang_ky_bhxh_tu_nguyen.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("form_code: TK1-TS",
                                                             "form_code: Mẫu TK1-TS"),
                    encoding="utf-8")
    code = main(["--dir", str(folder), "check"])
    out = capsys.readouterr().out
    assert code == 1
    assert "procedures/dang_ky_bhxh_tu_nguyen.yaml dòng" in out
    assert "documents[0].form_code" in out
    assert "Có 1 lỗi" in out


def test_eligibility_decides(capsys):
    code, out, _ = run(capsys, "eligibility", "huong_bhxh_mot_lan", "ly_do=dinh_cu",
                       "--as-of", "2026-01-01")
    assert code == 0
    assert "Ngày xét: 01/01/2026" in out
    assert "Kết quả: ĐỦ ĐIỀU KIỆN" in out
    assert "Giấy tờ cần chuẩn bị:" in out
    assert "Bản dịch có chứng thực hộ chiếu" in out


def test_eligibility_shows_the_next_question(capsys):
    code, out, _ = run(capsys, "eligibility", "huong_bhxh_mot_lan", "ly_do=4",
                       "--as-of", "2026-01-01")
    assert code == 0
    assert "Kết quả: CẦN THÊM THÔNG TIN" in out
    assert "[ngay_bat_dau_dong]" in out
    assert "Trả lời bằng: ngay_bat_dau_dong=…" in out


def test_eligibility_date_dependent_and_alternatives(capsys):
    code, out, _ = run(capsys, "eligibility", "huong_bhxh_mot_lan", "ly_do=nghi_viec",
                       "ngay_bat_dau_dong=01/08/2025", "--as-of", "2026-01-01")
    assert code == 0
    assert "Kết quả: CHƯA ĐỦ ĐIỀU KIỆN" in out
    assert "Có thể tham khảo: Đăng ký tham gia bảo hiểm xã hội tự nguyện" in out


def test_eligibility_bad_answer_exits_2_with_the_question(capsys):
    code, _, err = run(capsys, "eligibility", "dang_ky_bhxh_tu_nguyen", "tuoi=nhiều")
    assert code == 2
    assert "Lỗi: [tuoi] Chưa đọc được số trong “nhiều”" in err


def test_pairs_must_be_key_value(capsys):
    code, _, err = run(capsys, "eligibility", "huong_bhxh_mot_lan", "dinh_cu")
    assert code == 2
    assert "mã=giá_trị" in err


def test_estimate_prints_lines_and_total(capsys):
    code, out, _ = run(capsys, "estimate", "dang_ky_bhxh_tu_nguyen", "muc_dong",
                       "thu_nhap=1.500.000", "dien_ho_tro=khac", "so_thang=1",
                       "--as-of", "2026-06-01")
    assert code == 0
    assert "330.000 đ  Mức đóng: 22% × 1.500.000 đ × 1 tháng" in out
    assert "-66.000 đ  Nhà nước hỗ trợ" in out
    assert "264.000 đ  TỔNG CỘNG" in out


def test_estimate_out_of_range_exits_2(capsys):
    code, _, err = run(capsys, "estimate", "dang_ky_bhxh_tu_nguyen", "muc_dong",
                       "thu_nhap=1.500.000", "dien_ho_tro=khac", "so_thang=1",
                       "--as-of", "2027-01-01")
    assert code == 2
    assert "2.200.000 đ" in err


def test_find(capsys):
    code, out, _ = run(capsys, "find", "rút bảo hiểm xã hội 1 lần")
    assert code == 0
    assert "huong_bhxh_mot_lan" in out.splitlines()[1]
    code, out, _ = run(capsys, "find", "xin chào")
    assert "Không tìm thấy" in out


def test_bad_date_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as caught:
        main([*DIR, "eligibility", "huong_bhxh_mot_lan", "--as-of", "01/07/2025"])
    assert caught.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_bin_catalog_wrapper_runs_the_module():
    result = subprocess.run([str(ROOT / "bin" / "catalog"), *DIR, "list"], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "huong_bhxh_mot_lan" in result.stdout
