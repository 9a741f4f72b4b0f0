"""`make bench` runs bench.run_all, which imports every benchmark: a module
that no longer imports (a name moved in webapp/) breaks the whole command for
the operator, though no test runs the benchmarks themselves."""

import importlib
import pkgutil

import pytest

import bench

MODULES = sorted(m.name for m in pkgutil.iter_modules(bench.__path__))


def test_every_benchmark_is_listed():
    assert {"run_all", "sms_lookup", "visit", "load"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_each_benchmark_imports(name):
    importlib.import_module(f"bench.{name}")
