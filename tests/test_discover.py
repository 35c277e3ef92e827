"""Listing raw/: a file is hashed again exactly when it may have changed."""

import hashlib
import os
import time

import pytest

from pipelines.load import discover, hash_cache
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


@pytest.fixture
def fresh_memory(monkeypatch):
    """This test's hashes only: the process-wide memory starts empty and is put back after."""
    monkeypatch.setattr(discover, "_hashed", {})
    monkeypatch.setattr(discover, "_listed_keys", set())


def _status_key(path):
    status = path.stat()
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


def test_a_hash_kept_from_an_earlier_load_is_used_while_the_file_status_is_unchanged(tmp_path, fresh_memory):
    raw = tmp_path / "raw"
    (raw / "2024").mkdir(parents=True)
    table = raw / "2024" / "局.txt"
    table.write_bytes(b"version A")
    cache = tmp_path / ".budget.duckdb.hashes"
    # A recorded hash that is not the content's: seeing it proves the file was not read again.
    hash_cache.save(cache, {_status_key(table): ("ab" * 32, 9)})
    discover.remember_hashes(hash_cache.load(cache))
    [listed] = discover_raw_files(raw)
    assert listed.sha256 == "ab" * 32

    table.write_bytes(b"version B")  # any write changes the status (ctime at least)
    [listed] = discover_raw_files(raw)
    assert listed.sha256 == hashlib.sha256(b"version B").hexdigest()


def test_a_file_written_in_the_last_seconds_is_not_remembered(tmp_path, fresh_memory):
    # On a file system keeping whole seconds, a second write in the same second could keep its status.
    raw = tmp_path / "raw"
    (raw / "2024").mkdir(parents=True)
    (raw / "2024" / "局.txt").write_bytes(b"just written")
    discover_raw_files(raw)
    assert discover.remembered_hashes() == {}


def test_a_kept_cache_reads_back_what_was_saved(tmp_path):
    cache = tmp_path / "hashes"
    hashes = {(1, 2, 3, 4, 5): ("0f" * 32, 3), (2**63, 7, 0, -1, 9): ("e3" * 32, 0)}
    hash_cache.save(cache, hashes)
    assert hash_cache.load(cache) == hashes


@pytest.mark.parametrize("damage", ["cut short", "another format", "missing"])
def test_a_damaged_or_missing_cache_is_ignored_whole(tmp_path, damage):
    cache = tmp_path / "hashes"
    hash_cache.save(cache, {(1, 2, 3, 4, 5): ("0f" * 32, 3)})
    if damage == "cut short":
        cache.write_bytes(cache.read_bytes()[:-1])
    elif damage == "another format":
        cache.write_bytes(b"{}" + cache.read_bytes())
    else:
        cache.unlink()
    assert hash_cache.load(cache) == {}


def test_within_one_load_raw_is_listed_once(tmp_path):
    raw = tmp_path / "raw"
    (raw / "2024").mkdir(parents=True)
    (raw / "2024" / "a.txt").write_bytes(b"a")
    with discover.one_listing():
        first = discover.scan_raw_dir(raw)
        (raw / "2024" / "b.txt").write_bytes(b"b")  # arrives while the load runs: the next load's
        assert discover.scan_raw_dir(raw) is first
        assert [f.source_path for f in discover_raw_files(raw)] == ["2024/a.txt"]
    assert [f.source_path for f in discover_raw_files(raw)] == ["2024/a.txt", "2024/b.txt"]


def _kept_and_removed(tmp_path):
    """raw/ with two tables, and the hashes an earlier load would have kept of them."""
    raw = tmp_path / "raw"
    (raw / "2024").mkdir(parents=True)
    kept, removed = raw / "2024" / "kept.txt", raw / "2024" / "removed.txt"
    kept.write_bytes(b"kept")
    removed.write_bytes(b"removed")
    return raw, kept, removed, {_status_key(kept): ("aa" * 32, 4), _status_key(removed): ("bb" * 32, 7)}


def test_the_kept_hashes_are_those_of_the_files_listed_now(tmp_path, fresh_memory):
    raw, kept, removed, hashes = _kept_and_removed(tmp_path)
    discover.remember_hashes(hashes)
    removed.unlink()
    discover_raw_files(raw)
    assert discover.remembered_hashes() == {_status_key(kept): ("aa" * 32, 4)}


def test_the_kept_cache_grows_by_appending_and_is_rewritten_once_mostly_unused(tmp_path, fresh_memory):
    from pipelines.cli import _kept_hashes

    raw, kept, removed, hashes = _kept_and_removed(tmp_path)
    warehouse = tmp_path / "warehouse" / "budget.duckdb"
    warehouse.parent.mkdir()
    cache = hash_cache.cache_path(warehouse)
    hash_cache.save(cache, hashes)
    written = cache.stat()

    with _kept_hashes(warehouse):
        discover_raw_files(raw)  # raw/ as the cache has it: nothing to write
    assert (cache.stat().st_ino, cache.stat().st_mtime_ns) == (written.st_ino, written.st_mtime_ns)

    # One file added: its entry is appended to the same file, not the whole cache written anew.
    added = raw / "2024" / "added.txt"
    added.write_bytes(b"added")
    added_key = _status_key(added)
    discover.remember_hashes({added_key: ("cc" * 32, 5)})  # as if hashed longer ago than _RACY_NS
    with _kept_hashes(warehouse):
        discover_raw_files(raw)
    assert cache.stat().st_ino == written.st_ino
    assert cache.stat().st_size == written.st_size + hash_cache._RECORD.size
    assert hash_cache.load(cache) == {**hashes, added_key: ("cc" * 32, 5)}

    # A removed file's entry stays (it is unused, never wrong) while most entries are used ...
    removed.unlink()
    with _kept_hashes(warehouse):
        discover_raw_files(raw)
    assert hash_cache.load(cache) == {**hashes, added_key: ("cc" * 32, 5)}
    # ... and once the unused ones outnumber the used, the cache is written whole again.
    added.unlink()
    with _kept_hashes(warehouse):
        discover_raw_files(raw)
    assert cache.stat().st_ino != written.st_ino
    assert hash_cache.load(cache) == {_status_key(kept): ("aa" * 32, 4)}


def test_a_damaged_cache_is_replaced_whole_not_appended_to(tmp_path):
    cache = tmp_path / "hashes"
    cache.write_bytes(b"not a cache")
    current = {(1, 2, 3, 4, 5): ("0f" * 32, 3)}
    hash_cache.update(cache, hash_cache.load(cache), current, 0, lambda: current)
    assert hash_cache.load(cache) == current
