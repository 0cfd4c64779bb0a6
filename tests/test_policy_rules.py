"""How policy problems are reported and policy versions found (pure: no database); the rules
of a policy's content are tested in tests/test_scoring_rules.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from credit.policy import Policy, PolicyError, load_policy
from credit.standing.scoring import compute_score
from tests.test_scoring_rules import AS_OF, DEFAULT_TOML, POLICY, banned_sister, policy_data


def test_an_unknown_category_key_names_the_keys_expected() -> None:
    data = policy_data()
    data["supplier"]["points"]["NO_SUCH"] = data["supplier"]["points"]["OTHER"]
    with pytest.raises(PolicyError) as caught:
        Policy.parse(data)
    (problem,) = caught.value.problems
    assert problem.startswith("supplier.points.NO_SUCH: is not a known key (expected 'FALSE_MAT")
    assert problem.endswith("'AGENCY_IRREGULAR_PROCEDURE' or 'OTHER')")


def test_a_statutory_range_is_cited_in_full() -> None:
    data = policy_data()
    data["supplier"]["publication_months"]["BRIBERY"]["GENERAL"] = 24
    with pytest.raises(PolicyError) as caught:
        Policy.parse(data)
    assert caught.value.problems == (
        "supplier.publication_months.BRIBERY.GENERAL: must be between 3 and 12 months for "
        "GENERAL records (NDRC Order No. 58 of 2023)",
    )


def test_the_packaged_policy_carries_its_earlier_versions_by_name() -> None:
    assert [v.version for v in load_policy().versions] == ["2026.1", "2026.2"]


def test_a_directory_without_versions_and_problems_of_several_files_name_the_file(
    tmp_path: Path,
) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(tmp_path)
    assert caught.value.problems == (f"{tmp_path}: no policy version (*.toml) in this directory",)
    text = DEFAULT_TOML.read_text(encoding="utf-8")
    (tmp_path / "a.toml").write_text(
        text.replace("base = 100", "base = 100\nbogus = 1", 1), "utf-8"
    )
    (tmp_path / "b.toml").write_text(
        text.replace('version = "2026.2"', 'version = "2027.1"').replace(
            "effective_from = 2026-12-06", "effective_from = 2027-01-01"
        ),
        encoding="utf-8",
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(tmp_path)
    assert caught.value.problems == ("a.toml: supplier.bogus: is not a known key",)
    (tmp_path / "a.toml").write_text(text, encoding="utf-8")
    (tmp_path / "c.toml").write_text(
        text.replace("effective_from = 2026-12-06", "effective_from = 2028-01-01"),
        encoding="utf-8",
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(tmp_path)
    assert caught.value.problems == ("2026.2.version: is used by more than one file",)
    (tmp_path / "c.toml").unlink()
    (tmp_path / "notes.txt").write_text("not a version", encoding="utf-8")
    assert [v.version for v in load_policy(tmp_path).versions] == ["2026.2", "2027.1"]


def test_one_file_reports_its_problems_without_its_name(tmp_path: Path) -> None:
    text = DEFAULT_TOML.read_text(encoding="utf-8").replace("base = 100", "base = 100\nx = 1", 1)
    (tmp_path / "one.toml").write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(tmp_path / "one.toml")
    assert caught.value.problems == ("supplier.x: is not a known key",)
    assert str(caught.value) == "supplier.x: is not a known key"


def test_the_errors_text_is_its_problems_one_per_line() -> None:
    data = policy_data()
    data["supplier"]["contracts"]["bonus"] = 3
    data["agency"]["points"]["OTHER"]["GENERAL"] = 1
    with pytest.raises(PolicyError) as caught:
        Policy.parse(data)
    assert str(caught.value) == (
        "supplier.contracts.bonus: is not a known key\nagency.points.OTHER.GENERAL: must be <= 0"
    )


def test_missing_entries_are_named_in_full_with_the_first_as_the_key() -> None:
    data = policy_data()
    del data["supplier"]["points"]["TAX_VIOLATION"]
    del data["supplier"]["points"]["BRIBERY"]
    del data["expert"]["min_repair_months"]["MAJOR"]
    with pytest.raises(PolicyError) as caught:
        Policy.parse(data)
    assert caught.value.problems == (
        "supplier.points.BRIBERY: is required: every ViolationCategory needs an entry "
        "(missing: BRIBERY, TAX_VIOLATION)",
        "expert.min_repair_months.MAJOR: is required: every Severity needs an entry "
        "(missing: MAJOR)",
    )


def test_a_link_kind_without_a_network_rule_has_no_effect() -> None:
    """NetworkRules: a missing rule means that kind of link caps nothing and decides nothing."""
    data = policy_data()
    del data["supplier"]["network"]["control_with_banned"]
    rules = Policy.parse(data).supplier.network
    assert rules.rule_for("CONTROLS") is None and rules.rule_for("CONTROLLED_BY") is None
    found = rules.rule_for("SAME_CONTROLLER")
    assert found is not None and found[0] == "same_controller_with_banned"
    assert (found[1].grade_cap, found[1].decision) == ("C", "REVIEW")
    policy = POLICY.model_copy(update={"supplier": Policy.parse(data).supplier})
    link = banned_sister(AS_OF, kind="CONTROLS")
    result = compute_score("supplier", [], AS_OF, policy, [link])
    assert (result.grade, result.capped_by) == ("A", ())
