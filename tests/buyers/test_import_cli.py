"""`crm import-buyers` / `crm export-buyers`: output, error report and exit codes."""
from __future__ import annotations

import csv

import pytest
from sqlalchemy import func, select

from crossborder_crm.buyers.cli import export_buyers_cmd, import_buyers_cmd
from crossborder_crm.buyers.models import Buyer
from crossborder_crm.cli import crm


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def count(services):
    with services.db.reading() as s:
        return s.scalar(select(func.count()).select_from(Buyer))


def write(tmp_path, text, name="buyers.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


GOOD = "name,email,country\nA,a@example.com,DE\nB,b@example.com,FR\n"
MIXED = "name,email,country\nA,a@example.com,DE\nB,b@example.com,XX\nC,c@example.com,ES\n"


def test_the_crm_group_has_both_commands():
    assert crm.commands.get("import-buyers") is import_buyers_cmd
    assert crm.commands.get("export-buyers") is export_buyers_cmd


def test_all_rows_imported_is_exit_0(runner, services, seller_a, tmp_path):
    r = runner.invoke(import_buyers_cmd, [write(tmp_path, GOOD), "--seller-id", str(seller_a.seller_id)])
    assert r.exit_code == 0, r.output
    assert "buyers created: 2" in r.stdout
    assert count(services) == 2


def test_seller_key_works_too(runner, services, seller_a, tmp_path):
    r = runner.invoke(import_buyers_cmd, [write(tmp_path, GOOD), "--seller-key", seller_a.seller_key])
    assert r.exit_code == 0, r.output
    assert count(services) == 2


def test_some_rows_with_errors_is_exit_1_with_row_column_reason(runner, services, seller_a, tmp_path):
    r = runner.invoke(import_buyers_cmd, [write(tmp_path, MIXED), "--seller-id", str(seller_a.seller_id)])
    assert r.exit_code == 1
    assert "row 3, country: unknown country code 'XX'" in r.stderr
    assert "with errors: 1" in r.stdout
    assert count(services) == 2


def test_strict_with_errors_is_exit_2_and_writes_nothing(runner, services, seller_a, tmp_path):
    r = runner.invoke(import_buyers_cmd, [write(tmp_path, MIXED), "--seller-id", str(seller_a.seller_id), "--strict"])
    assert r.exit_code == 2
    assert "nothing written" in r.stdout and "row 3, country" in r.stderr
    assert count(services) == 0


def test_dry_run_writes_nothing_exit_0_when_clean_and_2_with_errors(runner, services, seller_a, tmp_path):
    sid = str(seller_a.seller_id)
    r = runner.invoke(import_buyers_cmd, [write(tmp_path, GOOD), "--seller-id", sid, "--dry-run"])
    assert r.exit_code == 0 and "dry run" in r.stdout and "buyers created: 2" in r.stdout
    r = runner.invoke(import_buyers_cmd, [write(tmp_path, MIXED), "--seller-id", sid, "--dry-run"])
    assert r.exit_code == 2
    assert count(services) == 0


def test_first_50_errors_shown_then_a_count_and_report_has_all(runner, services, seller_a, tmp_path):
    lines = ["name,country"] + [f"B{i},XX" for i in range(60)] + ["Ok,DE"]
    report = tmp_path / "errors.csv"
    r = runner.invoke(import_buyers_cmd, [write(tmp_path, "\n".join(lines)), "--seller-id",
                                          str(seller_a.seller_id), "--report", str(report)])
    assert r.exit_code == 1
    shown = [ln for ln in r.stderr.splitlines() if ln.startswith("row ")]
    assert len(shown) == 50 and shown[0].startswith("row 2, country:")
    assert "… and 10 more" in r.stderr
    rows = list(csv.reader(report.open(encoding="utf-8")))
    assert rows[0] == ["row", "column", "reason"] and len(rows) == 61
    assert rows[-1][:2] == ["61", "country"]
    assert count(services) == 1


@pytest.mark.parametrize("args", [[], ["--seller-id", "1", "--seller-key", "x"], ["--seller-key", "nope"],
                                  ["--seller-id", "999999"]])
def test_seller_usage_errors_are_exit_2(runner, seller_a, tmp_path, args):
    r = runner.invoke(import_buyers_cmd, [write(tmp_path, GOOD), *args])
    assert r.exit_code == 2


def test_missing_file_is_a_usage_error(runner, seller_a, tmp_path):
    r = runner.invoke(import_buyers_cmd, [str(tmp_path / "nope.csv"), "--seller-id", str(seller_a.seller_id)])
    assert r.exit_code == 2


def test_unreadable_file_is_exit_2(runner, services, seller_a, tmp_path):
    path = tmp_path / "b.xlsx"
    path.write_bytes(b"not a workbook")
    r = runner.invoke(import_buyers_cmd, [str(path), "--seller-id", str(seller_a.seller_id)])
    assert r.exit_code == 2
    assert "row 1: not a readable .xlsx workbook" in r.stderr
    assert count(services) == 0


@pytest.mark.parametrize("setting, value", [("IMPORT_MAX_BYTES", 10), ("IMPORT_MAX_ROWS", 1)])
def test_a_file_over_a_configured_limit_is_exit_2_naming_the_setting(runner, services, seller_a, tmp_path,
                                                                      setting, value):
    services.settings[setting] = value
    r = runner.invoke(import_buyers_cmd, [write(tmp_path, GOOD), "--seller-id", str(seller_a.seller_id)])
    assert r.exit_code == 2
    assert f"over the import limit of {value}" in r.stderr and f"CRM_{setting}" in r.stderr
    assert "nothing imported" in r.stderr and count(services) == 0


def test_format_option_overrides_the_extension(runner, services, seller_a, tmp_path):
    path = write(tmp_path, GOOD, "buyers.txt.xlsx")
    r = runner.invoke(import_buyers_cmd, [path, "--seller-id", str(seller_a.seller_id), "--format", "csv"])
    assert r.exit_code == 0, r.output


def test_export_to_a_file_and_to_stdout(runner, services, seller_a, tmp_path):
    sid = str(seller_a.seller_id)
    runner.invoke(import_buyers_cmd, [write(tmp_path, GOOD), "--seller-id", sid])
    out = tmp_path / "out.csv"
    r = runner.invoke(export_buyers_cmd, ["--seller-id", sid, "-o", str(out)])
    assert r.exit_code == 0 and "2 buyers exported" in r.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert [x["email"] for x in rows] == ["a@example.com", "b@example.com"]
    r = runner.invoke(export_buyers_cmd, ["--seller-key", seller_a.seller_key, "--country", "FR"])
    assert r.exit_code == 0
    assert r.stdout.splitlines()[0].startswith("id,name,email") and "b@example.com" in r.stdout
    assert "a@example.com" not in r.stdout


def test_export_with_a_bad_filter_is_a_usage_error(runner, seller_a):
    r = runner.invoke(export_buyers_cmd, ["--seller-id", str(seller_a.seller_id), "--country", "XX"])
    assert r.exit_code == 2 and "--country" in r.output


def test_commands_run_through_the_crm_group(app, runner, seller_a, tmp_path):
    assert {"import-buyers", "export-buyers"} <= set(crm.commands)
    r = runner.invoke(args=["crm", "import-buyers", write(tmp_path, GOOD), "--seller-id", str(seller_a.seller_id)])
    assert r.exit_code == 0, r.output
