from bhxh_catalog.validators._data import load_reference


def test_reference_files_fall_back_to_the_shipped_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("BHXH_CATALOG_DIR", str(tmp_path))
    load_reference.cache_clear()
    try:
        provinces = load_reference("provinces.yaml")
        assert isinstance(provinces, dict) and len(provinces["legacy"]) == 63
    finally:
        load_reference.cache_clear()


def test_reference_files_in_the_configured_folder_win(tmp_path, monkeypatch):
    (tmp_path / "banks.yaml").write_text("banks: []\n", encoding="utf-8")
    monkeypatch.setenv("BHXH_CATALOG_DIR", str(tmp_path))
    load_reference.cache_clear()
    try:
        assert load_reference("banks.yaml") == {"banks": []}
    finally:
        load_reference.cache_clear()
