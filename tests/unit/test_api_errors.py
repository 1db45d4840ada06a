"""One table from domain errors to answers on every surface: every error class has
exactly one row (or is a subclass of one), and the REST API, the OpenAI-compatible
endpoint and the CLI read it."""

import inspect

import pytest
import typer

import service.errors as errors
from service.api.errors import BUG, TABLE, answer_for


def test_every_domain_error_has_an_answer_and_subclasses_keep_their_base_answer():
    kinds = [c for _n, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, errors.RecsError)]
    for kind in kinds:
        if kind is errors.RecsError:
            continue
        exc = kind("x")
        assert answer_for(exc) is not BUG, f"{kind.__name__} has no row in api/errors.TABLE"
    assert answer_for(errors.StoreUnavailable("db down")).status == 503  # a NotReady: retry
    assert answer_for(errors.StoreUnavailable("db down")).retry
    assert answer_for(ValueError("bug")) is BUG


def test_the_surfaces_differ_only_where_their_protocols_do():
    for kind, a in TABLE:
        if kind is errors.InvalidInput:
            assert (a.status, a.openai_status) == (422, 400)
        else:
            assert a.status == a.openai_status, kind


def test_the_cli_exits_with_the_tables_code():
    from service.cli.common import fail

    for kind, a in TABLE:
        with pytest.raises(typer.Exit) as e:
            fail(kind("x"))
        assert e.value.exit_code == a.exit_code
    assert {a.exit_code for k, a in TABLE if k in (errors.InvalidInput, errors.NotFound, errors.NotReady)} == {2, 3, 4}
