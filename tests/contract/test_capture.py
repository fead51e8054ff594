"""The one reader of the proxy's capture file, used by the grader, progress, the board and the tests."""

import lab_contract
import pytest
from lab_contract import read_capture


def write(tmp_path, text: str):
    path = tmp_path / "cookies.jsonl"
    path.write_text(text, encoding="ascii")
    return path


def test_no_file_yet_is_no_records(tmp_path):
    capture = read_capture(tmp_path / "none.jsonl")
    assert (capture.records, capture.skipped) == ([], 0)


def test_lines_that_are_not_records_are_skipped_and_counted(tmp_path):
    path = write(
        tmp_path,
        '{"flow_id": "a"}\n'
        "\n"
        "[1, 2]\n"
        '{"flow_id": "b", "time": 12345}\n'  # a time that is no text: no record the proxy writes
        '{"flow_id": ["c"]}\n'
        '{"flow_id": "d", "time": null}\n'
        '{"flow_id": "e", "solved": [',  # a half line from a crash
    )
    capture = read_capture(path)
    assert [r["flow_id"] for r in capture.records] == ["a", "d"]
    assert capture.skipped == 5


def test_strict_reading_refuses_a_half_line_and_a_line_that_is_no_record(tmp_path):
    assert read_capture(write(tmp_path, '{"flow_id": "a"}\n'), strict=True).records == [{"flow_id": "a"}]
    with pytest.raises(ValueError, match=r"ends in a half line"):
        read_capture(write(tmp_path, '{"flow_id": "a"}\n{"flow_id": "b"}'), strict=True)
    with pytest.raises(ValueError, match=r"cookies.jsonl, line 2: not a capture record: '\[1\]\\n'"):
        read_capture(write(tmp_path, '{"flow_id": "a"}\n[1]\n'), strict=True)


def test_a_byte_that_is_not_ascii_spoils_only_its_own_text(tmp_path):
    path = tmp_path / "cookies.jsonl"
    path.write_bytes(b'{"flow_id": "caf\xc3\xa9"}\n')
    (record,) = read_capture(path).records
    assert record["flow_id"].startswith("caf")


def test_a_capture_path_that_is_a_directory_is_the_callers_error(tmp_path):
    with pytest.raises(IsADirectoryError):
        read_capture(tmp_path)


def test_a_reader_has_skipped_nothing_before_it_reads(tmp_path):
    path = tmp_path / "cookies.jsonl"
    path.write_text('{"flow_id": "a"}\n', encoding="ascii")
    assert lab_contract.CaptureReader(path).skipped == 0


def test_strict_refuses_a_byte_that_is_not_ascii_even_in_valid_utf8(tmp_path):
    """The recorder writes ASCII only (non-UTF-8 bytes as \\udcXX escapes): any other byte is a hand edit."""
    path = tmp_path / "cookies.jsonl"
    path.write_bytes('{"flow_id": "café"}\n'.encode())
    with pytest.raises(UnicodeDecodeError):
        list(lab_contract.CaptureReader(path, strict=True))
    # Not strict: the byte is replaced, the record kept.
    assert [r["flow_id"] for r in lab_contract.CaptureReader(path)] == ["caf\ufffd\ufffd"]


def test_a_carriage_return_inside_a_line_does_not_split_it(tmp_path):
    """Only "\\n" ends a record: a stray CR (a hand edit) leaves one broken line, not two records."""
    path = tmp_path / "cookies.jsonl"
    path.write_bytes(b'{"flow_id": "a"}\r{"flow_id": "b"}\n{"flow_id": "c"}\n')
    reader = lab_contract.CaptureReader(path)
    assert [r["flow_id"] for r in reader] == ["c"] and reader.skipped == 1
