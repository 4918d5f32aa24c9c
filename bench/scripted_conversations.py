"""Realistic scripted Vietnamese conversations for the load benchmark (bench/conversation_load.py).

Each conversation is what a citizen would type or tap on Zalo: typed questions with and without
diacritics, teencode, button payloads (``/inform{"answer":"…"}``) where a citizen taps a button,
and free-text answers (numbers, dates, names). Every step names a few words the reply must
contain, so that a benchmark run also notices wrong answers (counted as "unexpected"), not only
slow ones.

The submission conversation goes through the catalog-driven dossier form and the intake service
(``POST /api/v1/dossiers``, then a rating and a status lookup); its identifiers are random per
conversation, so every run creates new dossiers.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """One message and what its reply must contain (any one of ``expect``; empty: anything)."""

    text: str
    expect: tuple[str, ...] = ()

    def matches(self, replies: Sequence[str]) -> bool:
        """Whether the bot's reply texts contain one of the expected phrases."""
        if not self.expect:
            return bool(replies)
        joined = "\n".join(replies)
        return any(phrase in joined for phrase in self.expect)


@dataclass(frozen=True)
class Conversation:
    """A named script; ``steps(rng)`` gives its messages (random values drawn from ``rng``)."""

    name: str
    make_steps: Callable[[random.Random], list[Step]]
    uses_intake: bool = False

    def steps(self, rng: random.Random) -> list[Step]:
        """The messages of one run of the conversation."""
        return self.make_steps(rng)


def _payload(intent: str, **entities: str) -> str:
    if not entities:
        return f"/{intent}"
    inner = ",".join(f'"{k}":"{v}"' for k, v in entities.items())
    return f"/{intent}{{{inner}}}"


def _answer(value: str) -> str:
    return _payload("inform", answer=value)


def _eligibility_rut_mot_lan(rng: random.Random) -> list[Step]:
    greeting = rng.choice(["chào em", "xin chào", "alo ad oi"])
    return [
        Step(greeting, ("Xin chào",)),
        Step("cho minh hoi thu tuc rut bhxh 1 lan can giay to gi a", ("Giấy tờ cần chuẩn bị",)),
        Step(_payload("ask_eligibility", procedure="huong_bhxh_mot_lan"), ("còn đóng BHXH",)),
        Step(_answer("da_dung"), ("vì lý do nào",)),
        Step(_answer("dinh_cu"), ("ra nước ngoài định cư",)),
        Step(_answer("ho_chieu"), ("Kết quả kiểm tra",)),
        Step("bao lâu thì có kết quả", ("Thời gian giải quyết",)),
        Step("cảm ơn nhé", ("không có gì", "Cảm ơn")),
    ]


def _estimate(rng: random.Random) -> list[Step]:
    before, after = rng.randint(12, 120), rng.randint(12, 120)
    salary = rng.choice(["6,5 triệu", "8 triệu", "7.200.000", "5tr"])
    return [
        Step("rút bảo hiểm xã hội một lần được bao nhiêu tiền", ("trước năm 2014",)),
        Step(str(before), ("từ năm 2014",)),
        Step(str(after), ("bình quân tiền lương",)),
        Step(salary, ("dưới 12 tháng",)),
        Step("bỏ qua", ("Ước tính",)),
        Step("nộp ở đâu vậy", ("Nơi nộp hồ sơ",)),
    ]


def _pension_and_survivors(rng: random.Random) -> list[Step]:
    return [
        Step("e muon chuyen luong huu sang nhan qua atm thi lam ntn", ("lương hưu",)),
        Step(_payload("ask_where_to_submit", procedure="doi_hinh_thuc_nhan_luong_huu"),
             ("Nơi nộp hồ sơ",)),
        Step("Bố tôi mất tháng trước, gia đình được hưởng gì?", ("tử tuất",)),
        Step(_payload("ask_documents", procedure="che_do_tu_tuat"), ("Giấy tờ cần chuẩn bị",)),
        Step(_payload("ask_eligibility", procedure="che_do_tu_tuat"), ("Trước khi mất",)),
        Step("hủy", ("Đã hủy",)),
        Step("thẻ bhyt bị mất thì làm lại thế nào", ("thẻ bảo hiểm y tế", "BHYT")),
        Step("tạm biệt", ("Cảm ơn",)),
    ]


def _submission(rng: random.Random) -> list[Step]:
    cccd = f"056075{rng.randrange(10**6):06d}"
    bhxh_code = f"79{rng.randrange(10**8):08d}"
    return [
        Step("xin chào", ("Xin chào",)),
        Step(_payload("start_submission", procedure="huong_bhxh_mot_lan"), ("dữ liệu cá nhân",)),
        Step(_answer("consent_yes"), ("còn đóng BHXH",)),  # the privacy notice (issue 17)
        Step(_answer("da_dung"), ("vì lý do nào",)),
        Step(_answer("dinh_cu"), ("ra nước ngoài định cư",)),
        Step(_answer("ho_chieu"), ("họ và tên",)),
        Step("Nguyễn Văn An", ("sinh ngày",)),
        Step("20/08/1975", ("căn cước",)),
        Step(cccd, ("mã số BHXH",)),
        Step(bhxh_code, ("số điện thoại",)),
        Step("0912345678", ("tỉnh/thành phố",)),
        Step("Đà Nẵng", ("địa chỉ",)),
        Step("12 Lê Lợi, phường Hải Châu, TP Đà Nẵng", ("hình thức",)),
        Step(_answer("tien_mat"), ("kiểm tra lại",)),
        Step(_answer("gui_ho_so"), ("Mã hồ sơ",)),
        Step(_answer(str(rng.randint(4, 5))), ()),
        Step("hồ sơ của tôi đến đâu rồi", ("Đã tiếp nhận",)),
    ]


CONVERSATIONS: tuple[Conversation, ...] = (
    Conversation("rut_bhxh_dieu_kien", _eligibility_rut_mot_lan),
    Conversation("uoc_tinh_so_tien", _estimate),
    Conversation("luong_huu_atm_tu_tuat", _pension_and_survivors),
    Conversation("nop_ho_so", _submission, uses_intake=True),
)
"""The mix every simulated citizen cycles through (citizen k starts at conversation k mod 4)."""
