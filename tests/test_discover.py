"""Listing raw/: a file is hashed again exactly when it may have changed."""

import hashlib
import os
import time

from pipelines.load.discover import discover_raw_files


def test_a_rewrite_that_keeps_size_and_mtime_still_gets_its_new_hash(tmp_path):
    raw = tmp_path / "raw"
    (raw / "2024").mkdir(parents=True)
    table = raw / "2024" / "局.txt"
    table.write_bytes(b"version A")
    [first] = discover_raw_files(raw)
    assert first.sha256 == hashlib.sha256(b"version A").hexdigest()
    assert discover_raw_files(raw) == [first], "listed again unchanged: same hash"

    stat = table.stat()
    time.sleep(0.01)
    table.write_bytes(b"version B")  # same size
    os.utime(table, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the old modification time
    [second] = discover_raw_files(raw)
    assert second.sha256 == hashlib.sha256(b"version B").hexdigest()
    assert second.size_bytes == 9


def test_a_replaced_file_gets_the_hash_of_its_new_content(tmp_path):
    raw = tmp_path / "raw"
    (raw / "2024").mkdir(parents=True)
    table = raw / "2024" / "局.txt"
    table.write_bytes(b"old")
    discover_raw_files(raw)
    replacement = raw / "2024" / ".局.txt.partial"
    replacement.write_bytes(b"new")
    os.replace(replacement, table)
    [listed] = discover_raw_files(raw)
    assert listed.sha256 == hashlib.sha256(b"new").hexdigest()
