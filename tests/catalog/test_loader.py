import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bhxh_catalog import CatalogError, load_catalog
from bhxh_catalog.config import CATALOG_DIR_ENV, catalog_dir, default_catalog_dir
from bhxh_catalog.loader import clear_cache
from tests.catalog.fixtures import MINI

ROOT = Path(__file__).resolve().parents[2]


def test_loads_the_procedures_and_registries(cat):
    assert list(cat.procedures) == ["dang_ky_bhxh_tu_nguyen", "huong_bhxh_mot_lan"]
    assert len(cat.legal_bases) == 11
    assert set(cat.sources) == {"law41_fulltext", "huengaynay_161540"}
    assert set(cat.parameters) == {"muc_tham_chieu", "chuan_ngheo_nong_thon"}
    assert cat.path == MINI


def test_loading_is_cached_per_folder(cat):
    assert load_catalog(MINI) is cat
    assert load_catalog(str(MINI / ".." / "mini")) is cat
    clear_cache()
    fresh = load_catalog(MINI)
    assert fresh is not cat
    assert fresh.get("huong_bhxh_mot_lan") == cat.get("huong_bhxh_mot_lan")


def test_environment_variable_chooses_the_folder(monkeypatch, cat):
    monkeypatch.setenv(CATALOG_DIR_ENV, str(MINI))
    assert catalog_dir() == MINI
    assert load_catalog() is load_catalog(MINI)
    monkeypatch.delenv(CATALOG_DIR_ENV)
    assert catalog_dir() == default_catalog_dir() == ROOT / "catalog" / "data"


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CatalogError, match="Không tìm thấy thư mục danh mục"):
        load_catalog(tmp_path / "khong_co")


def test_invalid_catalog_lists_every_problem(tmp_path):
    folder = tmp_path / "cat"
    (folder / "procedures").mkdir(parents=True)
    for name in ("legal_basis.yaml", "sources.yaml", "parameters.yaml"):
        (folder / name).write_text((MINI / name).read_text(encoding="utf-8"), encoding="utf-8")
    text = (MINI / "procedures" / "huong_bhxh_mot_lan.yaml").read_text(encoding="utf-8")
    text = text.replace("short_name:", "shortname:").replace("category: che_do_bhxh",
                                                             "category: che_do")
    (folder / "procedures" / "huong_bhxh_mot_lan.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(folder)
    message = str(caught.value)
    assert "shortname" in message and "category" in message
    assert len(caught.value.issues) >= 3  # unknown key, missing short_name, bad category
    assert all(issue.file == "procedures/huong_bhxh_mot_lan.yaml" for issue in caught.value.issues)


def test_importing_the_package_reads_no_file():
    env = {**os.environ, CATALOG_DIR_ENV: "/khong/ton/tai",
           "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'catalog'}"}
    code = "import bhxh_catalog, bhxh_catalog.cli, bhxh_catalog.rules, bhxh_catalog.amounts"
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


# ---------------------------------------------------------------------------- get / find


def test_get_unknown_procedure_suggests_the_closest(cat):
    with pytest.raises(CatalogError, match=r"Không có thủ tục 'huong_bhxh_motlan'.*"
                                           r"huong_bhxh_mot_lan"):
        cat.get("huong_bhxh_motlan")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rút bhxh 1 lần", "huong_bhxh_mot_lan"),
        ("tôi muốn rút bảo hiểm xã hội một lần", "huong_bhxh_mot_lan"),
        ("RUT BHXH MOT LAN", "huong_bhxh_mot_lan"),
        ("nhận bhxh 1 lần được không", "huong_bhxh_mot_lan"),
        ("đóng bhxh tự nguyện", "dang_ky_bhxh_tu_nguyen"),
        ("tham gia bảo hiểm xã hội tn", "dang_ky_bhxh_tu_nguyen"),
        ("dang ky tham gia bao hiem xa hoi tu nguyen", "dang_ky_bhxh_tu_nguyen"),
        ("huong_bhxh_mot_lan", "huong_bhxh_mot_lan"),
    ],
)
def test_find_ranks_the_matching_procedure_first(cat, text, expected):
    found = cat.find(text)
    assert found and found[0].id == expected


@pytest.mark.parametrize("text", ["xin chào", "", "bhxh", "thời tiết hôm nay"])
def test_find_returns_nothing_for_unrelated_text(cat, text):
    assert cat.find(text) == []


def test_find_scored_gives_scores_best_first(cat):
    hits = cat.find_scored("rút bhxh 1 lần")
    assert hits[0][1] == 2.0
    assert [score for _, score in hits] == sorted((score for _, score in hits), reverse=True)


def test_registry_lookups(cat):
    assert cat.legal_basis("law41_art70").article == "Điều 70"
    assert cat.legal_basis("law58_art60").in_force(date(2025, 6, 30))
    assert not cat.legal_basis("law58_art60").in_force(date(2025, 7, 1))
    assert cat.source("law41_fulltext").publisher == "Quốc hội"
    with pytest.raises(CatalogError, match="căn cứ pháp lý 'law41_art7'"):
        cat.legal_basis("law41_art7")
    with pytest.raises(CatalogError, match="nguồn"):
        cat.source("x")
    assert [p.id for p in cat.by_category("tu_nguyen")] == ["dang_ky_bhxh_tu_nguyen"]
