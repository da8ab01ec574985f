"""Import limits: the file's bytes, an .xlsx unpacked, its parts, and data rows; over any, nothing is written."""
from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from sqlalchemy import func, select

from config import load_config
from crossborder_crm.accounts.service import create_seller
from crossborder_crm.buyers.importer import ImportLimits, import_buyers
from crossborder_crm.buyers.models import Buyer

CSV = b"name,email,country\nA,a@example.com,DE\nB,b@example.com,FR\nC,c@example.com,ES\n"


@pytest.fixture
def seller(database, clock):
    return create_seller(database, clock, "Shop", "owner@example.com", "correct horse 1").seller_id


def buyers(db) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(Buyer))


def workbook(extra: dict[str, bytes] | None = None) -> bytes:
    """A small valid .xlsx of three buyers, with `extra` parts added (a shared-strings part is declared)."""
    wb = openpyxl.Workbook()
    for row in ([c.decode() for c in line.split(b",")] for line in CSV.splitlines()):
        wb.active.append(row)
    plain = io.BytesIO()
    wb.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for part in src.infolist():
            data = src.read(part)
            if part.filename == "[Content_Types].xml" and extra and "xl/sharedStrings.xml" in extra:
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            dst.writestr(part, data)
        for name, data in (extra or {}).items():
            dst.writestr(name, data)
    return out.getvalue()


def shared_strings(text: bytes) -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            b'2006/main" count="1" uniqueCount="1"><si><t>' + text + b"</t></si></sst>")


@pytest.fixture
def openpyxl_never_opens(monkeypatch):
    def refuse(*a, **kw):
        raise AssertionError("openpyxl opened a workbook that should have been refused before")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def refused_for(report, setting: str) -> str:
    assert report.fatal and not report.committed
    [reason] = [e.reason for e in report.errors if setting in e.reason]
    return reason


def test_file_over_the_byte_limit_is_refused_naming_size_limit_and_setting(database, clock, seller, tmp_path):
    path = tmp_path / "buyers.csv"
    path.write_bytes(CSV)
    report = import_buyers(database, clock, seller, path, limits=ImportLimits(max_bytes=len(CSV) - 1))
    reason = refused_for(report, "IMPORT_MAX_BYTES")
    assert f"{len(CSV):,} bytes" in reason and f"{len(CSV) - 1:,} bytes" in reason
    assert "CRM_IMPORT_MAX_BYTES" in reason and buyers(database) == 0


def test_stream_over_the_byte_limit_is_refused_without_reading_it_all(database, clock, seller):
    stream = io.BytesIO(CSV)
    report = import_buyers(database, clock, seller, stream, fmt="csv", limits=ImportLimits(max_bytes=10))
    refused_for(report, "IMPORT_MAX_BYTES")
    assert stream.tell() == 11 and buyers(database) == 0


def test_file_of_exactly_the_byte_limit_is_imported(database, clock, seller):
    report = import_buyers(database, clock, seller, io.BytesIO(CSV), fmt="csv", limits=ImportLimits(max_bytes=len(CSV)))
    assert report.committed and buyers(database) == 3


def test_xlsx_unpacking_beyond_the_limit_is_refused_before_openpyxl_opens_it(database, clock, seller,
                                                                              openpyxl_never_opens):
    data = workbook()
    unpacked = sum(p.file_size for p in zipfile.ZipFile(io.BytesIO(data)).infolist())
    report = import_buyers(database, clock, seller, io.BytesIO(data), fmt="xlsx",
                           limits=ImportLimits(max_uncompressed_bytes=unpacked - 1))
    reason = refused_for(report, "IMPORT_MAX_UNCOMPRESSED_BYTES")
    assert f"{unpacked:,} bytes" in reason and buyers(database) == 0


def test_xlsx_part_that_unpacks_absurdly_is_refused_before_openpyxl_opens_it(database, clock, seller,
                                                                             openpyxl_never_opens):
    bomb = workbook({"xl/sharedStrings.xml": shared_strings(b"A" * (4 << 20))})  # 4 MiB in a few KB
    report = import_buyers(database, clock, seller, io.BytesIO(bomb), fmt="xlsx")
    reason = refused_for(report, "IMPORT_MAX_COMPRESSION_RATIO")
    assert "xl/sharedStrings.xml" in reason and buyers(database) == 0


def test_xlsx_part_within_the_ratio_limit_is_imported(database, clock, seller):
    text = b"".join(b"%08x" % (n * 2654435761 % 2**32) for n in range(200_000))  # 1.6 MB, packs 1.8 to 1
    data = workbook({"xl/sharedStrings.xml": shared_strings(text)})
    report = import_buyers(database, clock, seller, io.BytesIO(data), fmt="xlsx",
                           limits=ImportLimits(max_compression_ratio=2))
    assert report.committed and buyers(database) == 3


def test_xlsx_of_thousands_of_parts_is_refused_before_the_zip_is_read(database, clock, seller, monkeypatch):
    data = workbook({f"junk/{n}": b"" for n in range(10_001)})
    monkeypatch.setattr(zipfile, "ZipFile", lambda *a, **kw: pytest.fail("the zip directory was parsed"))
    report = import_buyers(database, clock, seller, io.BytesIO(data), fmt="xlsx")
    assert report.fatal and "10,000 parts" in report.errors[0].reason and buyers(database) == 0


def test_rows_over_the_limit_are_refused_and_nothing_is_written(database, clock, seller):
    report = import_buyers(database, clock, seller, io.BytesIO(CSV), fmt="csv", limits=ImportLimits(max_rows=2))
    reason = refused_for(report, "IMPORT_MAX_ROWS")
    assert report.errors[0].reason == reason and "more than 2 data rows" in reason
    assert buyers(database) == 0


def test_xlsx_rows_over_the_limit_are_refused_too(database, clock, seller):
    report = import_buyers(database, clock, seller, io.BytesIO(workbook()), fmt="xlsx",
                           limits=ImportLimits(max_rows=2))
    refused_for(report, "IMPORT_MAX_ROWS")
    assert buyers(database) == 0


def test_blank_lines_do_not_count_toward_the_row_limit(database, clock, seller):
    data = CSV.replace(b"\n", b"\n\n")
    report = import_buyers(database, clock, seller, io.BytesIO(data), fmt="csv", limits=ImportLimits(max_rows=3))
    assert report.committed and buyers(database) == 3


def test_limits_default_to_the_configured_settings_and_follow_them():
    assert ImportLimits.from_settings(load_config("test")) == ImportLimits()
    settings = load_config("test", environ={"CRM_IMPORT_MAX_ROWS": "5", "CRM_IMPORT_MAX_BYTES": "1000"})
    assert ImportLimits.from_settings(settings) == ImportLimits(max_bytes=1000, max_rows=5)
