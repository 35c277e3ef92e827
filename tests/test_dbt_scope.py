"""The dbt arguments of an incremental build and of a full one (pipelines/defs/dbt_scope.py)."""

from pipelines.defs.dbt_scope import BuildScope


def _value(args: list[str], flag: str) -> str | None:
    return args[args.index(flag) + 1] if flag in args else None


def test_a_scoped_build_runs_four_threads_and_leaves_out_the_seeds_tests():
    args = BuildScope(full_refresh=False, scoped_tests=True).args
    assert args[0] == "build" and "--full-refresh" not in args
    assert _value(args, "--threads") == "4"
    assert _value(args, "--exclude") == "tag:seed_tests"


def test_a_full_build_keeps_the_profiles_threads_and_runs_every_test():
    for scope in (BuildScope(full_refresh=True, scoped_tests=False), BuildScope(full_refresh=False, scoped_tests=False)):
        args = scope.args
        assert "--threads" not in args and "--exclude" not in args and "--exclude-resource-type" not in args
    assert "--full-refresh" in BuildScope(full_refresh=True, scoped_tests=False).args
