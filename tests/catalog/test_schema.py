import copy
import dataclasses
import shutil
import unicodedata
from pathlib import Path

import pytest

from bhxh_catalog import load_catalog
from bhxh_catalog.loader import check_catalog_dir, read_catalog_dir
from bhxh_catalog.rules import evaluate
from bhxh_catalog.schema import RawFile, SchemaIssue, check_catalog, errors_only
from tests.catalog.fixtures import MINI

REAL = Path(__file__).resolve().parents[2] / "catalog" / "data"
MOT_LAN = "procedures/huong_bhxh_mot_lan.yaml"


def issues_after(mutate, file=MOT_LAN, severity="error", retirement=None):
    """Checks the mini catalog after ``mutate(data)`` changed the raw data of ``file``.

    *retirement* is the raw data of a ``retirement_ages.yaml`` to add (the mini catalog has none).
    """
    raw, read_issues = read_catalog_dir(MINI)
    assert read_issues == []
    if retirement is not None:
        raw = dataclasses.replace(
            raw, retirement_ages=RawFile("retirement_ages.yaml", copy.deepcopy(retirement))
        )

    def changed(raw_file):
        if raw_file is None or raw_file.name != file:
            return raw_file
        data = copy.deepcopy(raw_file.data)
        mutate(data)
        return dataclasses.replace(raw_file, data=data)

    raw = dataclasses.replace(
        raw, legal_basis=changed(raw.legal_basis), sources=changed(raw.sources),
        parameters=changed(raw.parameters), procedures=tuple(map(changed, raw.procedures)),
        retirement_ages=changed(raw.retirement_ages),
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


# ----------------------------------------------------------------------- retirement_ages.yaml

RETIREMENT_FILE = "retirement_ages.yaml"


def _table(label, rows):
    return {"label": label, "effective_from": "2021-01-01", "legal_basis": ["law41_art70"],
            "ages": [{"year": year, "years": years, "months": months}
                     for year, years, months in rows]}


RETIREMENT = {"retirement_ages": {
    "nam": _table("Nam", [(2020, 60, 0), (2021, 60, 3), (2022, 60, 6)]),
    "nu": _table("Nữ", [(2020, 55, 0), (2021, 55, 4)]),
}}


def nam_row(data, index):
    return data["retirement_ages"]["nam"]["ages"][index]


def test_the_retirement_table_is_valid():
    assert issues_after(lambda data: None, retirement=RETIREMENT) == []


@pytest.mark.parametrize(
    ("mutate", "path", "words"),
    [
        (lambda d: d["retirement_ages"].update(nu_=d["retirement_ages"].pop("nu")),
         "retirement_ages.nu_", "có phải ý là 'nu'"),
        (lambda d: nam_row(d, 1).update(year=2022), "retirement_ages.nam.ages[1].year",
         "năm phải là 2021"),
        (lambda d: nam_row(d, 2).update(year=2021), "retirement_ages.nam.ages[2].year",
         "không lặp"),
        (lambda d: nam_row(d, 1).update(years=59, months=12), "retirement_ages.nam.ages[1].months",
         "từ 0 đến 11"),
        (lambda d: nam_row(d, 2).update(years=60, months=2), "retirement_ages.nam.ages[2]",
         "không được thấp hơn năm 2021"),
        (lambda d: nam_row(d, 2).update(years=61, months=3), "retirement_ages.nam.ages[2]",
         "tăng 12 tháng so với năm 2021"),
        (lambda d: nam_row(d, 0).update(years=6), "retirement_ages.nam.ages[0].years",
         "không hợp lý"),
        (lambda d: nam_row(d, 0).update(months=-1), "retirement_ages.nam.ages[0].months",
         "không âm"),
        (lambda d: nam_row(d, 0).update(nam=2020), "retirement_ages.nam.ages[0].nam",
         "khóa không được phép"),
        (lambda d: d["retirement_ages"]["nam"].pop("ages"), "retirement_ages.nam.ages",
         "thiếu khóa bắt buộc"),
        (lambda d: d["retirement_ages"]["nam"].update(ages=[]), "retirement_ages.nam.ages",
         "không được rỗng"),
        (lambda d: d["retirement_ages"]["nam"].update(legal_basis=["blld2019"]),
         "retirement_ages.nam.legal_basis[0]", "không có trong legal_basis.yaml"),
        (lambda d: d["retirement_ages"]["nu"].update(effective_to="2020-12-31"),
         "retirement_ages.nu.effective_to", "phải sau"),
    ],
)
def test_retirement_table_problems(mutate, path, words):
    issue = only(issues_after(mutate, file=RETIREMENT_FILE, retirement=RETIREMENT))
    assert issue.file == RETIREMENT_FILE
    assert issue.path == path
    assert words in issue.problem, issue.problem


def _with_retirement_question(data, gender="gioi_tinh", kind="date"):
    questions = data["eligibility"]["questions"]
    questions.append({"id": "gioi_tinh", "text": "Ông/bà là nam hay nữ?", "kind": "choice",
                      "options": [{"value": "nam", "label": "Nam"},
                                  {"value": "nu", "label": "Nữ"}]})
    questions.append({"id": "ngay_sinh", "text": "Ông/bà sinh ngày nào?", "kind": kind,
                      "help": "Năm nay nam đủ {tuoi_nghi_huu_nam}, nữ đủ {tuoi_nghi_huu_nu}."})
    rule(data, 2)["when"]["all"].append(
        {"q": "ngay_sinh", "reached_retirement_age": {"gender": gender}}
    )


def test_a_procedure_may_use_the_retirement_age():
    assert issues_after(_with_retirement_question, retirement=RETIREMENT) == []
    assert issues_after(lambda d: _with_retirement_question(d, "nu"), retirement=RETIREMENT) == []


def test_the_retirement_age_needs_the_table():
    issues = issues_after(_with_retirement_question)
    assert [(i.path, i.problem.split(" (")[0]) for i in issues] == [
        ("eligibility.questions[6].help", "tham số '{tuoi_nghi_huu_nam}' không có trong "
                                          "parameters.yaml"),
        ("eligibility.questions[6].help", "tham số '{tuoi_nghi_huu_nu}' không có trong "
                                          "parameters.yaml"),
        ("eligibility.rules[2].when.all[2].reached_retirement_age.gender",
         "retirement_ages.yaml chưa có bảng tuổi nghỉ hưu của nam"),
        ("eligibility.rules[2].when.all[2].reached_retirement_age.gender",
         "retirement_ages.yaml chưa có bảng tuổi nghỉ hưu của nữ"),
    ]


def test_the_retirement_age_reads_a_birth_date_and_a_gender_question():
    issue = only(issues_after(lambda d: _with_retirement_question(d, kind="integer"),
                              retirement=RETIREMENT))
    assert issue.path == "eligibility.rules[2].when.all[2].reached_retirement_age"
    assert "ngày sinh" in issue.problem
    issue = only(issues_after(lambda d: _with_retirement_question(d, gender="ly_do"),
                              retirement=RETIREMENT))
    assert issue.path == "eligibility.rules[2].when.all[2].reached_retirement_age.gender"
    assert "choice với các giá trị nam, nu" in issue.problem


def test_the_retirement_age_is_cited_without_a_part():
    def cite(data):
        question(data).update(help="Tuổi nghỉ hưu: {tuoi_nghi_huu_nam|tu_ngay}.")

    issue = only(issues_after(cite, retirement=RETIREMENT))
    assert issue.path == "eligibility.questions[0].help"
    assert "chỉ viết {tuoi_nghi_huu_nam}" in issue.problem


def test_retirement_table_on_disk_is_read_with_line_numbers_and_built(tmp_path):
    folder = copy_mini(tmp_path)
    text = (REAL / RETIREMENT_FILE).read_text(encoding="utf-8")
    text = text.replace("blld2019_art169", "law41_art70")
    (folder / RETIREMENT_FILE).write_text(text, encoding="utf-8")
    assert errors_only(check_catalog_dir(folder)) == []
    assert load_catalog(folder).retirement_ages.get("nu").age_in(2026).describe() == "57 tuổi"
    edit(folder, RETIREMENT_FILE, "{year: 2026, years: 61", "{year: 2027, years: 61")
    lines = (folder / RETIREMENT_FILE).read_text(encoding="utf-8").splitlines()
    expected = next(n for n, line in enumerate(lines, 1) if "{year: 2027, years: 61" in line)
    issue = only(errors_only(check_catalog_dir(folder)))
    assert (issue.file, issue.line, issue.path) == (
        RETIREMENT_FILE, expected, "retirement_ages.nam.ages[6].year")
    assert str(issue).startswith(f"{RETIREMENT_FILE} dòng {expected}: ")


def test_retirement_checker_never_crashes_and_what_it_accepts_builds():
    from bhxh_catalog._build import build_catalog

    raw, _ = read_catalog_dir(MINI)
    for path in [p for p in _paths(RETIREMENT) if p]:
        for value in (None, [], {"a": 1}, "x", 2020):
            data = copy.deepcopy(RETIREMENT)
            node = data
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
            trial = dataclasses.replace(raw, retirement_ages=RawFile(RETIREMENT_FILE, data))
            if not errors_only(check_catalog(trial)):
                build_catalog(trial)
