"""The owners' register and vote sheets read from CSV (proposals.owners.register_csv)."""
from __future__ import annotations

import pytest

from proposals.owners.register_csv import (
    RegisterError, UnitRow, VoteRow, decode, parse_area, parse_units, parse_votes,
)

HEADER = "unit,building,area_m2,owner_id,developer_unsold\n"


def refused(parse, text: str, **kwargs) -> RegisterError:
    with pytest.raises(RegisterError) as caught:
        parse(text, **kwargs)
    return caught.value


def units(*rows: str) -> str:
    return HEADER + "".join(row + "\n" for row in rows)


def votes(*rows: str) -> str:
    return "owner_id,choice,sheet_ref\n" + "".join(row + "\n" for row in rows)


# --- decoding ---------------------------------------------------------------------------

def test_decode_reads_utf8_with_and_without_bom_and_gb18030():
    text = units("101,1号楼,85.50,张-01,0")
    assert decode(text.encode("utf-8")) == text
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8")) == text
    assert decode(text.encode("gb18030")) == text


def test_decode_names_the_line_of_the_first_bad_byte():
    raw = units("101,1号楼,85.5,A1,0", "102,1号楼,60,A2,0").encode("gb18030") + b"103,\xff,1,A3,0\n"
    error = refused(lambda text: decode(text), raw)
    assert error.line == 4
    assert str(error).startswith("line 4: ") and "0xFF" in str(error)


def test_a_file_with_a_utf8_bom_is_held_to_utf8():
    raw = b"\xef\xbb\xbf" + HEADER.encode() + "101,1号楼,85,A1,0\n".encode("gb18030")
    error = refused(lambda text: decode(text), raw)
    assert error.line == 2 and "UTF-8" in str(error)


def test_decode_counts_crlf_and_cr_line_ends():
    assert refused(lambda r: decode(r), b"a\r\nb\r\n\xff").line == 3
    assert refused(lambda r: decode(r), b"a\rb\r\xff").line == 3


@pytest.mark.parametrize("raw, words, line", [
    (b"PK\x03\x04rest", "workbook", None),
    (b"\xff\xfeu\x00n\x00", "UTF-16", None),
    (b"unit,building\n1\x00", "NUL", 2),
])
def test_decode_explains_files_that_are_not_csv_text(raw, words, line):
    error = refused(lambda r: decode(r), raw)
    assert words in str(error) and error.line == line


# --- units: columns, encodings, line numbers --------------------------------------------

def test_gb18030_file_with_chinese_building_names_parses():
    text = units("101,1号楼,85.5,张伟,0", "102,东区2号楼,60,李秀英,0")
    rows = parse_units(decode(text.encode("gb18030")))
    assert rows == [UnitRow(2, "1号楼", "101", 8550, "张伟", False),
                    UnitRow(3, "东区2号楼", "102", 6000, "李秀英", False)]


def test_bom_is_accepted_in_bytes_and_in_text():
    text = units("101,1号楼,85.5,A1,0")
    assert parse_units(decode(b"\xef\xbb\xbf" + text.encode()))[0].unit == "101"
    assert parse_units("\ufeff" + text)[0].unit == "101"


def test_header_in_any_order_any_case_with_spaces_and_extra_columns():
    text = (" Owner_ID , 备注, AREA_M2,Building ,unit, Developer_Unsold\n"
            "A1,南向,85.55,1号楼,101,\n")
    assert parse_units(text) == [UnitRow(2, "1号楼", "101", 8555, "A1", False)]


def test_chinese_header_names_of_the_units_import_are_accepted():
    text = "楼组,房号,面积,业主编号,开发商未售\n1号楼,101,85,A1,否\n"
    assert parse_units(text)[0].area_centi == 8500


@pytest.mark.parametrize("column", ["unit", "building", "area_m2", "owner_id",
                                    "developer_unsold"])
def test_a_missing_column_is_refused_on_line_1_by_name(column):
    header = [c for c in HEADER.strip().split(",") if c != column]
    error = refused(parse_units, ",".join(header) + "\n1,2,3,4\n")
    assert error.line == 1 and column in str(error) and str(error).startswith("line 1: ")


def test_a_column_named_twice_is_refused():
    error = refused(parse_units, "unit,房号,building,area_m2,owner_id,developer_unsold\n")
    assert error.line == 1 and "unit twice" in str(error)


def test_empty_file_and_header_only_file_are_refused_as_wholes():
    assert refused(parse_units, "").line is None
    error = refused(parse_units, HEADER + "\n,,,,\n")
    assert error.line is None and "no units" in str(error)


def test_empty_lines_are_skipped_and_lines_stay_physical():
    text = HEADER + "\n101,1号楼,85,A1,0\n\n,,,,\n\"10\n2\",1号楼,60,A2,0\n103,1号楼,x,A3,0\n"
    error = refused(parse_units, text)
    assert error.line == 8 and "'x' is not a number" in str(error)
    rows = parse_units(text.replace(",x,", ",70,"))
    assert [(r.line, r.unit) for r in rows] == [(3, "101"), (6, "10\n2"), (8, "103")]


def test_cells_are_trimmed_and_quoted_fields_allowed():
    rows = parse_units(HEADER + ' 101 ," 1号楼, 东区",  "1,085.25",A1 , 0 \n')
    assert rows == [UnitRow(2, "1号楼, 东区", "101", 108525, "A1", False)]
    rows = parse_units(HEADER + '101,"1号楼 ""东""",85,A1,0\n')
    assert rows[0].building == '1号楼 "东"'


def test_text_after_a_closing_quote_is_refused_on_its_line():
    error = refused(parse_units, units("101,1号楼,85,A1,0", '102,"1号楼" ,60,A2,0'))
    assert error.line == 3 and "closing quote" in str(error)


def test_an_unclosed_quote_names_the_line_where_it_opens():
    error = refused(parse_units, units("101,1号楼,85,A1,0", '102,"1号楼,60,A2,0',
                                       "103,1号楼,70,A3,0"))
    assert error.line == 3 and "is missing" in str(error)


def test_values_beyond_the_header_are_refused_but_trailing_empty_cells_are_not():
    assert parse_units(units("101,1号楼,85,A1,0,,"))[0].area_centi == 8500
    error = refused(parse_units, units("101,1号楼,85,A1,0", "102,1号楼,1,085.25,A2,0"))
    assert error.line == 3 and "quoted" in str(error)


# --- units: areas -----------------------------------------------------------------------

@pytest.mark.parametrize("written, centi", [
    ("85.5", 8550), ("85.50", 8550), ("85.500", 8550), ("85", 8500), ("85.", 8500),
    ("0.01", 1), (".5", 50), ("1,085.25", 108525), ("12,345", 1234500),
    ("８５．５", 8550), ("100000", 10_000_000),
])
def test_areas_are_exact_hundredths(written, centi):
    assert parse_area(written) == centi
    assert parse_units(units(f'101,1号楼,"{written}",A1,0'))[0].area_centi == centi


@pytest.mark.parametrize("written, words", [
    ("85.555", "more than two decimals"), ("0", "zero"), ("0.00", "zero"),
    ("-0", "zero"), ("-85", "negative"), ("abc", "not a number"), ("NaN", "not a number"),
    ("1e3", "not a number"), ("85,5", "only separate thousands"),
    ("1,08.5", "not a number"), ("+85", "not a number"), ("85 m2", "not a number"),
    ("100000.01", "too large"), ("", "area_m2 is empty"),
])
def test_bad_areas_are_refused_on_their_line(written, words):
    error = refused(parse_units, units("101,1号楼,85,A1,0", "102,1号楼,60,A2,0",
                                       f'103,1号楼,"{written}",A3,0'))
    assert error.line == 4 and words in str(error) and str(error).startswith("line 4: ")


# --- units: owners ----------------------------------------------------------------------

def test_a_co_owned_unit_is_one_row_and_one_owner_and_a_buyer_of_three_units_repeats():
    rows = parse_units(units(
        "101,1号楼,85.5,王李夫妇,0",   # co-owned by two people: one row, one owner_id
        "102,1号楼,60,B7,0", "201,1号楼,60,B7,0", "101,2号楼,120.25,B7,0"))
    assert len(rows) == 4
    assert [r.owner_id for r in rows].count("B7") == 3
    assert len({r.owner_id for r in rows}) == 2


def test_a_unit_twice_is_refused_naming_both_lines():
    error = refused(parse_units, units("101,1号楼,85,A1,0", "102,1号楼,60,A2,0",
                                       "101,1号楼,85,A3,0"))
    assert error.line == 4 and "already on line 2" in str(error)


def test_a_unit_written_twice_in_another_width_is_still_the_same_unit():
    error = refused(parse_units, units("101,1号楼,85,A1,0", "１０１,１号楼,85,A2,0"))
    assert error.line == 3 and "already on line 2" in str(error) and "written" in str(error)


def test_an_owner_id_spelled_two_ways_is_refused():
    error = refused(parse_units, units("101,1号楼,85,A001,0", "102,1号楼,60,a001,0"))
    assert error.line == 3 and "'A001' on line 2" in str(error)


@pytest.mark.parametrize("row, words", [
    (",1号楼,85,A3,0", "unit is empty"), ("103,,85,A3,0", "building is empty"),
    ("103,1号楼,85,,0", "owner_id is empty"), ("103,1号楼,85", "owner_id is empty"),
    ("103,1号楼,85,A3,maybe", "developer_unsold 'maybe'"),
    ("103," + "楼" * 101 + ",85,A3,0", "longer than 100"),
])
def test_empty_and_bad_fields_are_refused_on_their_line(row, words):
    error = refused(parse_units, units("101,1号楼,85,A1,0", "102,1号楼,60,A2,0", row))
    assert error.line == 4 and words in str(error)


@pytest.mark.parametrize("written, unsold", [
    ("1", True), ("0", False), ("", False), ("TRUE", True), ("false", False),
    ("是", True), ("否", False), ("yes", True), ("１", True),
])
def test_developer_unsold_values(written, unsold):
    assert parse_units(units(f"101,1号楼,85,DEV,{written}"))[0].developer_unsold is unsold


def test_developer_unsold_units_share_the_developers_one_owner_id():
    rows = parse_units(units("101,1号楼,85,DEV,1", "102,1号楼,60,A2,0", "103,1号楼,70,DEV,1"))
    assert [r.developer_unsold for r in rows] == [True, False, True]


def test_unsold_rows_with_another_owner_id_are_refused_naming_the_developers_line():
    error = refused(parse_units, units("101,1号楼,85,A1,0", "102,1号楼,60,DEV,1",
                                       "103,1号楼,70,DEV,1", "104,1号楼,70,开发商,1"))
    assert error.line == 5 and "line 3" in str(error) and "'DEV'" in str(error)


def test_the_developers_owner_id_on_a_sold_row_is_refused():
    error = refused(parse_units, units("101,1号楼,85,DEV,1", "102,1号楼,60,A2,0",
                                       "103,1号楼,70,DEV,0"))
    assert error.line == 4 and "developer's" in str(error) and "line 2" in str(error)
    # the same when the sold row comes first
    error = refused(parse_units, units("103,1号楼,70,DEV,0", "101,1号楼,85,DEV,1"))
    assert error.line == 2


def test_developer_rules_hold_even_when_the_row_has_another_problem():
    error = refused(parse_units, units("101,1号楼,85,DEV,1", "102,1号楼,85.555,DEV,0"))
    assert error.line == 3
    assert "two decimals" in error.message and "developer's" in error.message


def test_every_bad_line_is_collected_and_the_first_is_named():
    error = refused(parse_units, units("101,1号楼,x,A1,0", "102,1号楼,60,A2,0",
                                       "103,,60,A3,0", "101,1号楼,60,A4,0"))
    assert error.line == 2
    assert [e.line for e in error.errors] == [2, 4, 5]
    assert all(str(e).startswith(f"line {e.line}: ") for e in error.errors)
    assert "2 more bad lines: 4, 5" in str(error)


def test_a_single_error_lists_only_itself():
    error = refused(parse_units, units("101,1号楼,x,A1,0"))
    assert error.errors == (error,) and "more bad" not in str(error)


# --- votes ------------------------------------------------------------------------------

def test_votes_with_chinese_and_english_choices():
    rows = parse_votes(votes("A1,同意,第1号", "A2,反对,第2号", "A3,弃权,第3号",
                             "A4,Agree,s4", "A5, AGAINST ,s5", "A6,abstain,s6"))
    assert rows == [VoteRow(2, "A1", "agree", "第1号"), VoteRow(3, "A2", "against", "第2号"),
                    VoteRow(4, "A3", "abstain", "第3号"), VoteRow(5, "A4", "agree", "s4"),
                    VoteRow(6, "A5", "against", "s5"), VoteRow(7, "A6", "abstain", "s6")]


def test_a_gb18030_vote_file_with_chinese_headers():
    raw = "业主编号,表决意见,表决票编号\n张伟,同意,1-101\n".encode("gb18030")
    assert parse_votes(decode(raw), known_owners={"张伟"}) == [
        VoteRow(2, "张伟", "agree", "1-101")]


@pytest.mark.parametrize("row, words", [
    ("A3,maybe,s3", "choice 'maybe'"), ("A3,,s3", "choice is empty"),
    ("A3,同意,", "sheet_ref is empty"), (",同意,s3", "owner_id is empty"),
])
def test_bad_vote_rows_are_refused_on_their_line(row, words):
    error = refused(parse_votes, votes("A1,同意,s1", "A2,反对,s2", row))
    assert error.line == 4 and words in str(error)


def test_an_owner_twice_is_refused_naming_both_lines():
    error = refused(parse_votes, votes("A1,同意,s1", "A2,反对,s2", "A1,反对,s3"))
    assert error.line == 4 and "already voted on line 2" in str(error)
    error = refused(parse_votes, votes("A1,同意,s1", "a1,同意,s2"))
    assert error.line == 3 and "line 2" in str(error)


def test_unknown_owner_is_refused_and_a_spelling_is_suggested():
    known = {"A1", "A2", "B7"}
    error = refused(parse_votes, votes("A1,同意,s1", "Z9,同意,s2"), known_owners=known)
    assert error.line == 3 and "'Z9' is not in the owners' register" in str(error)
    error = refused(parse_votes, votes("b7,同意,s1"), known_owners=known)
    assert error.line == 2 and "the register has 'B7'" in str(error)


def test_an_owner_out_of_scope_is_refused():
    known, scope = {"A1", "A2", "B7"}, {"A1", "A2"}
    rows = parse_votes(votes("A1,同意,s1", "A2,弃权,s2"), known_owners=known, in_scope=scope)
    assert [r.choice for r in rows] == ["agree", "abstain"]
    error = refused(parse_votes, votes("A1,同意,s1", "B7,同意,s2"),
                    known_owners=known, in_scope=scope)
    assert error.line == 3 and "scope" in str(error)
    # without a register, the scope alone is checked
    assert refused(parse_votes, votes("B7,同意,s1"), in_scope=scope).line == 2


def test_votes_file_without_a_column_or_rows_is_refused():
    error = refused(parse_votes, "owner_id,choice\nA1,同意\n")
    assert error.line == 1 and "sheet_ref" in str(error)
    assert refused(parse_votes, "owner_id,choice,sheet_ref\n").line is None


def test_register_error_is_a_value_error():
    assert issubclass(RegisterError, ValueError)
