"""The public-data benchmark reads PhoATIS as published and trains both pipelines alike.

Uses a few made-up utterances in PhoATIS's layout (the real data set stays outside the
repository); nothing here trains a model.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "public_intent_accuracy", ROOT / "bench" / "public_intent_accuracy.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bench = _load()


def _write_split(folder: Path, rows: list[tuple[str, str]]) -> None:
    folder.mkdir(parents=True)
    (folder / "seq.in").write_text("".join(f"{t}\n" for t, _ in rows), encoding="utf-8")
    (folder / "label").write_text("".join(f"{label}\n" for _, label in rows), encoding="utf-8")


@pytest.fixture()
def phoatis(tmp_path: Path) -> Path:
    root = tmp_path / "PhoATIS"
    syllables = root / "syllable-level"
    _write_split(
        syllables / "train",
        [
            ("giá vé từ đà nẵng đến đà lạt", "airfare#flight"),
            ("chuyến bay sáng mai đi huế", "flight"),
            ("chuyến bay sáng mai đi huế", "flight"),
            ("hãng nào bay tới vinh", "airline"),
        ],
    )
    _write_split(syllables / "test", [("vé đi hà nội bao nhiêu", "airfare")])
    return root


def test_diacritics_are_removed_as_a_keyboard_without_vietnamese_input_would() -> None:
    assert bench.strip_diacritics("Đà Lạt, đà nẵng và Huế") == "Da Lat, da nang va Hue"
    assert bench.strip_diacritics("khứ hồi 2 triệu") == "khu hoi 2 trieu"


def test_multi_intent_labels_map_to_their_first_intent_unless_kept() -> None:
    assert bench.map_label("airfare#flight", "first") == "airfare"
    assert bench.map_label("airfare#flight", "keep") == "airfare#flight"
    assert bench.map_label("flight", "first") == "flight"


def test_the_syllable_level_split_is_read_from_the_phoatis_folder_or_its_subfolder(
    phoatis: Path,
) -> None:
    split = bench.read_split(phoatis, "first")
    same = bench.read_split(phoatis / "syllable-level", "first")
    assert [u.intent for u in split.train] == ["airfare", "flight", "flight", "airline"]
    assert split.test == [bench.Utterance("vé đi hà nội bao nhiêu", "airfare")]
    assert split.digest == same.digest


def test_a_folder_without_the_data_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="syllable-level"):
        bench.read_split(tmp_path, "first")


def test_training_data_is_valid_rasa_nlu_with_each_example_once(phoatis: Path) -> None:
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    text = bench.nlu_yaml(bench.read_split(phoatis, "first").train)
    data = RasaYAMLReader().reads(text)
    examples = sorted((m.get("intent"), m.get("text")) for m in data.intent_examples)
    assert examples == [
        ("airfare", "giá vé từ đà nẵng đến đà lạt"),
        ("airline", "hãng nào bay tới vinh"),
        ("flight", "chuyến bay sáng mai đi huế"),
    ]


def test_ours_is_the_project_pipeline_up_to_diet_and_both_get_the_same_epochs_and_seed() -> None:
    project = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    ours = bench.pipeline_config("ours", project, 40, 3)["pipeline"]
    stock = bench.pipeline_config("stock", project, 40, 3)["pipeline"]
    assert ours[0]["name"] == "bot.nlu.vietnamese_tokenizer.VietnameseTokenizer"
    names = ["WhitespaceTokenizer", "CountVectorsFeaturizer", "CountVectorsFeaturizer"]
    assert [c["name"] for c in stock] == [*names, "DIETClassifier"]
    for pipeline in (ours, stock):
        assert pipeline[-1]["name"] == "DIETClassifier"
        assert (pipeline[-1]["epochs"], pipeline[-1]["random_seed"]) == (40, 3)
    assert bench.STOCK_PIPELINE[-1] == {"name": "DIETClassifier", "constrain_similarities": True}


def test_the_bar_is_reported_met_or_not_met() -> None:
    met = bench.verdict(0.950, 0.955, 0.945)
    assert met[0].endswith("— met") and met[1].endswith("— met")
    missed = bench.verdict(0.930, 0.950, 0.900)
    assert missed[0].endswith("— not met") and missed[1].endswith("— not met")


def test_data_inside_the_repository_is_refused() -> None:
    with pytest.raises(SystemExit):
        bench.main([str(ROOT / "var" / "PhoATIS")])
