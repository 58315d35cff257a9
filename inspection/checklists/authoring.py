"""Vocabulary for writing built-in checklist content as data: legal references and items.

A legal reference is `{instrument, article, status, effective_from?, effective_to?, note?}`;
`status` is `verified`, `verified-summary`, `unverified` or `superseded`; dates are ISO
(`effective_to` is the last day in force). `legal_basis` is derived from the references so the
human-readable citation always shows what is unverified or superseded, never silently as fact.
"""

from __future__ import annotations

from typing import Any

Ref = dict[str, Any]
Item = dict[str, Any]

VERIFIED = "verified"
SUMMARY = "verified-summary"
UNVERIFIED = "unverified"
SUPERSEDED = "superseded"

_STATUS_LABEL = {
    VERIFIED: "",
    SUMMARY: "xác minh qua bản tin tóm tắt",
    UNVERIFIED: "chưa xác minh",
    SUPERSEDED: "văn bản đã được thay thế",
}

YES_OR_NA = {"in": ["yes", "na"]}


def ref(instrument: str, article: str | None, status: str, *, note: str | None = None,
        effective_from: str | None = None, effective_to: str | None = None) -> Ref:
    out: Ref = {"instrument": instrument, "article": article, "status": status}
    if effective_from:
        out["effective_from"] = effective_from
    if effective_to:
        out["effective_to"] = effective_to
    if note:
        out["note"] = note
    return out


def basis(refs: list[Ref]) -> str:
    """The citation as a person reads it, e.g. `Nghị định 174/2026/NĐ-CP Đ.9(1)-(2);
    Quyết định 32/2025/QĐ-TTg (chưa xác minh)`."""
    parts = []
    for r in refs:
        text = f"{r['instrument']} {r['article']}" if r["article"] else r["instrument"]
        label = _STATUS_LABEL[r["status"]]
        parts.append(f"{text} ({label})" if label else text)
    return "; ".join(parts)


def _item(code: str, text: str, answer_type: str, *, severity: str | None,
          rule: dict[str, Any] | None, refs: list[Ref], photo: bool, required: bool) -> Item:
    return {
        "code": code, "text": text, "answer_type": answer_type, "required": required,
        "photo_required": photo, "compliant_when": rule, "severity": severity,
        "legal_basis": basis(refs), "legal_refs": refs,
    }


def yes_no(code: str, text: str, *, severity: str, refs: list[Ref],
           photo: bool = False) -> Item:
    """A judgement: compliant when the answer is `yes` or `na`."""
    return _item(code, text, "yes_no_na", severity=severity, rule=YES_OR_NA, refs=refs,
                 photo=photo, required=True)


def count(code: str, text: str, *, refs: list[Ref], severity: str | None = None,
          rule: dict[str, Any] | None = None, photo: bool = False,
          required: bool = True) -> Item:
    """A number; with `rule` (`max`, `min`, `gte_item`) and `severity` it can be a finding."""
    return _item(code, text, "number", severity=severity, rule=rule, refs=refs, photo=photo,
                 required=required)


def detail(code: str, text: str, answer_type: str, *, refs: list[Ref] | None = None,
           required: bool = False) -> Item:
    """A detail recorded alongside a judgement (a date, a text); never a finding."""
    return _item(code, text, answer_type, severity=None, rule=None, refs=refs or [],
                 photo=False, required=required)
