"""Answer values and compliance rules: judged from the item's own definition, never per item."""

from __future__ import annotations

import pytest

from inspection import errors
from inspection.checklists import compliance
from inspection.models import ChecklistItem

UUID = "0f8fad5b-d9cb-469f-a165-70867728950e"


def _item(answer_type: str, rule: dict | None = None, choices: list[str] | None = None,
          code: str = "X1") -> ChecklistItem:
    return ChecklistItem(code=code, text="Mục thử", answer_type=answer_type,
                         compliant_when=rule, choices=choices)


@pytest.mark.parametrize(("answer_type", "value"), [
    ("yes_no_na", "yes"), ("yes_no_na", "no"), ("yes_no_na", "na"),
    ("number", 0), ("number", 12), ("number", 2.5), ("number", -1),
    ("text", ""), ("text", "Ý kiến giải trình"),
    ("date", "2026-02-28"), ("date", "2024-02-29"),
    ("photo", UUID), ("signature", UUID.upper()),
    ("number", None), ("date", None),
])
def test_values_of_the_item_type_are_accepted(answer_type, value):  # type: ignore[no-untyped-def]
    compliance.validate_value(_item(answer_type), value)


@pytest.mark.parametrize(("answer_type", "value"), [
    ("yes_no_na", "Có"), ("yes_no_na", True), ("yes_no_na", "YES"), ("yes_no_na", ["yes"]),
    ("number", True), ("number", False), ("number", "5"), ("number", float("nan")),
    ("number", float("inf")), ("number", [1]),
    ("text", 5), ("text", "x" * 10001),
    ("date", "2026-02-30"), ("date", "2025-02-29"), ("date", "2026-W01-1"),
    ("date", "20260101"), ("date", "2026-1-5"), ("date", 20260101),
    ("photo", "not-a-uuid"), ("photo", UUID.replace("-", "")), ("photo", "{" + UUID + "}"),
    ("signature", 42),
])
def test_values_of_another_type_are_rejected_with_errors_on_value(answer_type, value):  # type: ignore[no-untyped-def]
    with pytest.raises(errors.ValidationFailed) as caught:
        compliance.validate_value(_item(answer_type), value)
    assert set(caught.value.errors) == {"value"}


def test_a_choice_value_must_be_one_of_the_item_choices():
    item = _item("choice", choices=["đủ", "thiếu"])
    compliance.validate_value(item, "đủ")
    with pytest.raises(errors.ValidationFailed):
        compliance.validate_value(item, "khác")


def test_an_in_rule_is_compliant_only_for_listed_values():
    item = _item("yes_no_na", {"in": ["yes", "na"]})
    assert compliance.is_compliant(item, "yes", {}) is True
    assert compliance.is_compliant(item, "na", {}) is True
    assert compliance.is_compliant(item, "no", {}) is False


def test_min_and_max_rules_include_their_bound():
    at_least = _item("number", {"min": 100})
    at_most = _item("number", {"max": 0})
    assert compliance.is_compliant(at_least, 100, {}) is True
    assert compliance.is_compliant(at_least, 99.5, {}) is False
    assert compliance.is_compliant(at_most, 0, {}) is True
    assert compliance.is_compliant(at_most, 1, {}) is False


def test_gte_item_compares_with_the_other_items_number():
    vetted = _item("number", {"gte_item": "C1"}, code="C2")
    assert compliance.is_compliant(vetted, 12, {"C1": 12}) is True
    assert compliance.is_compliant(vetted, 11, {"C1": 12}) is False


@pytest.mark.parametrize("others", [{}, {"C1": None}, {"C1": "12"}, {"C1": True},
                                    {"C1": float("nan")}])
def test_gte_item_cannot_judge_without_the_other_items_number(others):  # type: ignore[no-untyped-def]
    vetted = _item("number", {"gte_item": "C1"}, code="C2")
    assert compliance.is_compliant(vetted, 3, others) is None


def test_no_rule_or_no_value_or_a_non_number_gives_no_judgement():
    assert compliance.is_compliant(_item("text"), "ý kiến", {}) is None
    assert compliance.is_compliant(_item("yes_no_na", {"in": ["yes"]}), None, {}) is None
    assert compliance.is_compliant(_item("number", {"max": 0}), True, {}) is None
    assert compliance.is_compliant(_item("number", {"max": 0}), float("nan"), {}) is None


@pytest.mark.parametrize(("rule", "answer_type"), [
    ({"in": ["yes", "na"]}, "yes_no_na"), ({"min": 1}, "number"), ({"max": 0.5}, "number"),
    ({"gte_item": "C1"}, "number"), (None, "text"),
])
def test_well_formed_rules_pass(rule, answer_type):  # type: ignore[no-untyped-def]
    compliance.validate_rule(rule, {"C1": "number", "C2": "number"}, answer_type=answer_type,
                             code="C2")


@pytest.mark.parametrize(("rule", "answer_type"), [
    ({}, "number"), ({"min": 1, "max": 2}, "number"), ({"between": [1, 2]}, "number"),
    (["in"], "yes_no_na"), ("in", "yes_no_na"),
    ({"in": "yes"}, "yes_no_na"), ({"in": []}, "yes_no_na"), ({"in": ["có"]}, "yes_no_na"),
    ({"in": ["yes"]}, "number"), ({"min": 1}, "yes_no_na"),
    ({"min": "1"}, "number"), ({"max": True}, "number"), ({"max": float("nan")}, "number"),
    ({"gte_item": "Z9"}, "number"), ({"gte_item": ["C1"]}, "number"),
    ({"gte_item": "C2"}, "number"), ({"gte_item": "Y1"}, "number"),
])
def test_malformed_rules_are_rejected_on_compliant_when(rule, answer_type):  # type: ignore[no-untyped-def]
    with pytest.raises(errors.ValidationFailed) as caught:
        compliance.validate_rule(rule, {"C1": "number", "C2": "number", "Y1": "yes_no_na"},
                                 answer_type=answer_type, code="C2")
    assert set(caught.value.errors) == {"compliant_when"}


def test_a_choice_rule_may_only_name_the_items_choices():
    compliance.validate_rule({"in": ["đủ"]}, set(), answer_type="choice", choices=["đủ", "thiếu"])
    with pytest.raises(errors.ValidationFailed):
        compliance.validate_rule({"in": ["khác"]}, set(), answer_type="choice",
                                 choices=["đủ", "thiếu"])
