import copy
import dataclasses
import shutil
import unicodedata
from pathlib import Path

import pytest

from bhxh_catalog import load_catalog
from bhxh_catalog.loader import check_catalog_dir, read_catalog_dir
from bhxh_catalog.rules import evaluate
from bhxh_catalog.schema import SchemaIssue, check_catalog, errors_only
from tests.catalog.fixtures import MINI

REAL = Path(__file__).resolve().parents[2] / "catalog" / "data"
MOT_LAN = "procedures/huong_bhxh_mot_lan.yaml"


def issues_after(mutate, file=MOT_LAN, severity="error"):
    """Checks the mini catalog after ``mutate(data)`` changed the raw data of ``file``."""
    raw, read_issues = read_catalog_dir(MINI)
    assert read_issues == []

    def changed(raw_file):
        if raw_file is None or raw_file.name != file:
            return raw_file
        data = copy.deepcopy(raw_file.data)
        mutate(data)
        return dataclasses.replace(raw_file, data=data)

    raw = dataclasses.replace(
        raw, legal_basis=changed(raw.legal_basis), sources=changed(raw.sources),
        parameters=changed(raw.parameters), procedures=tuple(map(changed, raw.procedures)),
    )
    return [i for i in check_catalog(raw) if i.severity == severity]


def only(issues):
    assert len(issues) == 1, "\n".join(map(str, issues))
    return issues[0]


def rule(data, index=0):
    return data["eligibility"]["rules"][index]


def question(data, index=0):
    return data["eligibility"]["questions"][index]


def test_the_mini_catalog_is_valid():
    assert issues_after(lambda data: None) == []
    assert issues_after(lambda data: None, severity="warning") == []


@pytest.mark.parametrize(
    ("mutate", "path", "words"),
    [
        (lambda d: d.pop("summary"), "summary", "thiếu khóa bắt buộc"),
        (lambda d: rule(d).update(lega_basis=rule(d).pop("legal_basis")),
         "eligibility.rules[0].lega_basis", "có phải ý là 'legal_basis'"),
        (lambda d: rule(d).update(id="Dinh-Cu"), "eligibility.rules[0].id", "viết thường"),
        (lambda d: d.update(id="huong_bhxh_1_lan"), "id", "trùng với tên tệp"),
        (lambda d: rule(d).update(legal_basis=["law41_art7O"]),
         "eligibility.rules[0].legal_basis[0]", "không có trong legal_basis.yaml"),
        (lambda d: rule(d).update(legal_basis=[]), "eligibility.rules[0].legal_basis",
         "không được rỗng"),
        (lambda d: d["documents"][0].pop("legal_basis"), "documents[0].legal_basis",
         "thiếu khóa bắt buộc"),
        (lambda d: d.update(sources=["law41"]), "sources[0]", "không có trong sources.yaml"),
        (lambda d: rule(d).update(when={"q": "lydo", "eq": "dinh_cu"}),
         "eligibility.rules[0].when.q", "có phải ý là 'ly_do'"),
        (lambda d: rule(d).update(when={"q": "ly_do", "eq": "dinhcu"}),
         "eligibility.rules[0].when.eq", "không phải giá trị lựa chọn"),
        (lambda d: rule(d).update(when={"q": "so_nam_dong", "before": "2025-07-01"}),
         "eligibility.rules[0].when.before", "không dùng được"),
        (lambda d: rule(d).update(when={"q": "hinh_thuc_nhan", "eq": "tai_khoan"}),
         "eligibility.rules[0].when.q", "không phải câu hỏi"),
        (lambda d: question(d, 1).update(ask_if={"q": "so_nam_dong", "lt": 2}),
         "eligibility.questions[1].ask_if.q", "không phải câu hỏi"),
        (lambda d: rule(d).update(alternatives=["dang_ky_bhxh_tn"]),
         "eligibility.rules[0].alternatives[0]", "không có trong danh mục thủ tục"),
        (lambda d: rule(d).update(alternatives=["huong_bhxh_mot_lan"]),
         "eligibility.rules[0].alternatives", "chính thủ tục này"),
        (lambda d: rule(d).update(when=None), "eligibility.rules[0].when", "cần một điều kiện"),
        (lambda d: rule(d).update(outcome="eligble"), "eligibility.rules[0].outcome",
         "có phải ý là 'eligible'"),
        (lambda d: rule(d).update(effective_from="2025-13-01"),
         "eligibility.rules[0].effective_from", "YYYY-MM-DD"),
        (lambda d: rule(d).update(effective_from="2026-01-01", effective_to="2025-01-01"),
         "eligibility.rules[0].effective_to", "phải sau"),
        (lambda d: d["eligibility"]["questions"].append(copy.deepcopy(question(d, 4))),
         "eligibility.questions[5].id", "bị trùng"),
        (lambda d: rule(d, 1).update(id="dinh_cu"), "eligibility.rules[1].id", "bị trùng"),
        (lambda d: d["fields"][0].update(id="ly_do"), "fields[0].id", "đã là mã một câu hỏi"),
        (lambda d: d["fields"][0].update(type="ho_ten"), "fields[0].type", "không hợp lệ"),
        (lambda d: d["fields"][2]["options"][1].update(value=False),
         "fields[2].options[1].value", "dấu ngoặc kép"),
        (lambda d: question(d).pop("options"), "eligibility.questions[0].options",
         "cần danh sách options"),
        (lambda d: question(d)["options"].append({"value": "dinh_cu", "label": "X"}),
         "eligibility.questions[0].options[4].value", "bị trùng"),
        (lambda d: question(d, 1).update(options=[{"value": "a", "label": "A"}]),
         "eligibility.questions[1].options", "chỉ câu hỏi dạng choice"),
        (lambda d: question(d, 3).update(min=10, max=5), "eligibility.questions[3].max", "min"),
        (lambda d: d["documents"][1].update(form_code="Mẫu 14-HSB"), "documents[1].form_code",
         "để null"),
        (lambda d: d["documents"][1].update(copy="ban_sao"), "documents[1].copy", "không hợp lệ"),
        (lambda d: d.update(short_name="Hưởng bảo hiểm xã hội một lần (BHXH)"), "short_name",
         "tối đa 30"),
        (lambda d: d["submission"]["processing_time"].update(text="7 ngày"),
         "submission.processing_time", "đúng một trong"),
        (lambda d: d["submission"]["channels"][0].update(kind="zalo"),
         "submission.channels[0].kind", "không hợp lệ"),
        (lambda d: d["amounts"][0].update(formula="bhxh_1_lan"), "amounts[0].formula",
         "không hợp lệ"),
        (lambda d: d["amounts"][0]["inputs"].pop(2), "amounts[0].inputs",
         "cần thông tin 'luong_binh_quan'"),
        (lambda d: d["amounts"][0]["inputs"][2].update(kind="number"), "amounts[0].inputs",
         "phải có dạng money"),
        (lambda d: d.update(name=unicodedata.normalize("NFD", d["name"])), "name", "NFC"),
        (lambda d: d.update(summary=""), "summary", "không rỗng"),
        (lambda d: d["fields"][1].update(example=56160001234), "fields[1].example",
         "dấu ngoặc kép"),
        (lambda d: d.update(updated="22/11/2026"), "updated", "YYYY-MM-DD"),
        (lambda d: d.update(verified="yes"), "verified", "true hoặc false"),
        (lambda d: d["documents"].append(copy.deepcopy(d["documents"][0])), "documents[5].id",
         "bị trùng"),
        (lambda d: d["fields"][3].update(ask_if={"q": "quoc_gia_dinh_cu", "answered": True}),
         "fields[3].ask_if.q", "không phải câu hỏi"),
    ],
)
def test_each_problem_names_the_field_and_what_is_wrong(mutate, path, words):
    issue = only(issues_after(mutate))
    assert issue.file == MOT_LAN
    assert issue.path == path
    assert words in issue.problem, issue.problem


def test_all_problems_are_collected_not_just_the_first():
    def break_many(data):
        data.pop("summary")
        rule(data).update(outcome="ok")
        data["documents"][0].update(copy="x")
        data["fields"][0].update(type="y")

    assert len(issues_after(break_many)) == 4


def test_more_than_five_options_is_only_a_warning():
    def six_options(data):
        question(data)["options"] += [{"value": f"x{i}", "label": f"X {i}"} for i in range(2)]

    assert issues_after(six_options) == []
    assert "Zalo" in only(issues_after(six_options, severity="warning")).problem


def test_registry_problems():
    issue = only(issues_after(lambda d: d["legal_basis"]["law41_art70"].update(source="x"),
                              file="legal_basis.yaml"))
    assert issue.path == "legal_basis.law41_art70.source"

    def overlap(data):
        data["parameters"]["chuan_ngheo_nong_thon"]["values"][1]["effective_from"] = "2026-06-01"

    issue = only(issues_after(overlap, file="parameters.yaml"))
    assert issue.path == "parameters.chuan_ngheo_nong_thon.values[1]"
    assert "chồng lên" in issue.problem

    issue = only(issues_after(lambda d: d["parameters"]["muc_tham_chieu"]["values"][0].update(
        value="2.340.000"), file="parameters.yaml"))
    assert issue.path == "parameters.muc_tham_chieu.values[0].value"


def test_formula_needs_its_parameters_in_the_registry():
    issues = issues_after(lambda d: d["parameters"].pop("chuan_ngheo_nong_thon"),
                          file="parameters.yaml")
    assert any("cần tham số 'chuan_ngheo_nong_thon'" in i.problem for i in issues)


def copy_mini(tmp_path):
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    return folder


def edit(folder, name, old, new):
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_issues_carry_the_line_number(tmp_path):
    folder = copy_mini(tmp_path)
    edit(folder, MOT_LAN, '      reason: "Người ra nước', '      reson: "Người ra nước')
    lines = (folder / MOT_LAN).read_text(encoding="utf-8").splitlines()
    expected = next(n for n, line in enumerate(lines, 1) if "reson:" in line)
    issues = errors_only(check_catalog_dir(folder))
    typo = next(i for i in issues if i.path.endswith("reson"))
    assert typo.line == expected
    assert str(typo).startswith(f"{MOT_LAN} dòng {expected}: eligibility.rules[0].reson:")


def test_yaml_syntax_errors_and_duplicate_keys_are_reported(tmp_path):
    folder = copy_mini(tmp_path)
    edit(folder, MOT_LAN, 'short_name: "BHXH một lần"', 'short_name: "A"\nshort_name: "B"')
    edit(folder, "procedures/dang_ky_bhxh_tu_nguyen.yaml", "summary: \"", "summary: [\"")
    issues = errors_only(check_catalog_dir(folder))
    assert any(i.file == MOT_LAN and i.path == "short_name" and "lặp" in i.problem and i.line == 4
               for i in issues)
    assert any(i.file.endswith("tu_nguyen.yaml") and "YAML" in i.problem and i.line
               for i in issues)


def test_missing_registry_file(tmp_path):
    folder = copy_mini(tmp_path)
    (folder / "sources.yaml").unlink()
    issues = errors_only(check_catalog_dir(folder))
    assert SchemaIssue("sources.yaml", "", "thiếu tệp này trong thư mục danh mục") in issues


def test_issue_text_for_staff():
    issue = SchemaIssue("procedures/x.yaml", "eligibility.rules[2].when", "sai", line=12)
    assert str(issue) == "procedures/x.yaml dòng 12: eligibility.rules[2].when: sai"
    warning = SchemaIssue("sources.yaml", "", "chú ý", severity="warning")
    assert str(warning) == "sources.yaml: ⚠ chú ý"


# --------------------------------------------------------------------------- real data


def _real_procedures():
    folder = REAL / "procedures"
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


@pytest.mark.skipif(
    not _real_procedures(),
    reason="catalog/data/procedures is still empty: the real procedure files are not written yet",
)
def test_real_catalog_passes_the_schema_check():
    issues = errors_only(check_catalog_dir(REAL))
    assert not issues, "\n".join(map(str, issues))
    cat = load_catalog(REAL)
    assert len(cat.procedures) == len(_real_procedures())
    for proc in cat.procedures.values():
        verdict = evaluate(proc, {})
        first = proc.questions[0].id if proc.questions else None
        assert verdict.next_question is None or verdict.next_question.id == first


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*prefix, index))


def test_checker_never_crashes_and_what_it_accepts_builds():
    """Any field replaced by a wrong value gives issues, never an exception."""
    from bhxh_catalog._build import build_catalog

    raw, _ = read_catalog_dir(MINI)
    target = next(f for f in raw.procedures if f.name == MOT_LAN)
    for path in [p for p in _paths(target.data) if p]:
        for value in (None, [], {"a": 1}):
            data = copy.deepcopy(target.data)
            node = data
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
            changed = dataclasses.replace(target, data=data)
            trial = dataclasses.replace(raw, procedures=tuple(
                changed if f.name == MOT_LAN else f for f in raw.procedures
            ))
            if not errors_only(check_catalog(trial)):
                build_catalog(trial)


def test_texts_may_cite_known_parameters_only():
    def cite(name):
        return lambda d: question(d).update(help=f"Mức hiện là {{{name}}}.")

    assert issues_after(cite("muc_tham_chieu")) == []
    assert issues_after(cite("muc_tham_chieu|tu_ngay")) == []
    issue = only(issues_after(cite("muc_tham_chieux")))
    assert issue.path == "eligibility.questions[0].help"
    assert "'{muc_tham_chieux}' không có trong parameters.yaml" in issue.problem
    assert "muc_tham_chieu" in issue.problem.split("có phải ý là")[1]
    issue = only(issues_after(cite("muc_tham_chieu|nam")))
    assert "tu_ngay" in issue.problem
    issue = only(issues_after(lambda d: d["fields"][0].update(question="Lương {luong}?")))
    assert issue.path == "fields[0].question"
