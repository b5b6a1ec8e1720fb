"""Schemathesis hooks for tests/test_api_fuzz.py, loaded by `st run` through SCHEMATHESIS_HOOKS.

Real ids: the test passes the ids of what it set up (a connected workspace, synced lists,
customers, a property) in FUZZ_REAL_IDS. Path ids are drawn from them about half the time, so
examples reach past the 404 of an unknown id into the handlers; the other half stay generated.
Deleting operations get ids set aside for them, never the ones the other operations read: an
early DELETE would otherwise turn the rest of the run into 404s.

Refusals no schema can foresee: a schema-valid request the API refuses with a 422 is a failure
(`positive_data_acceptance`), except where the rule is about state or secrets the schema cannot
know, listed below with the reason. A `validation_failed` 422 is never exempt: it comes from the
same models the schema is generated from, so it means the schema says less than they check.
"""

from __future__ import annotations

import json
import os
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis.core.failures import Failure
from schemathesis.openapi.checks import RejectedPositiveData

REAL_IDS: dict[str, dict[str, list[str]]] = json.loads(os.environ.get("FUZZ_REAL_IDS", "{}"))
KEPT = REAL_IDS.get("kept", {})
DISPOSABLE = REAL_IDS.get("disposable", {})


def _deletes(context: schemathesis.HookContext) -> bool:
    return context.operation is not None and context.operation.method.upper() == "DELETE"


@schemathesis.hook
def flatmap_path_parameters(
    context: schemathesis.HookContext, path_parameters: dict[str, Any] | None
) -> st.SearchStrategy[dict[str, Any] | None]:
    if not path_parameters or not _valid_path_parameters(context, path_parameters):
        # None to replace, or a negative case: its wrong id stays, as its record of what it
        # negated says.
        return st.just(path_parameters)
    pools = DISPOSABLE if _deletes(context) else KEPT
    real = {name: pools[name] for name in path_parameters if pools.get(name)}
    if not real:
        return st.just(path_parameters)
    drawn_from_real = st.fixed_dictionaries(
        {name: st.sampled_from(ids) for name, ids in real.items()}
    ).map(lambda ids: {**path_parameters, **ids})
    return st.one_of(st.just(path_parameters), drawn_from_real)


def _valid_path_parameters(
    context: schemathesis.HookContext, path_parameters: dict[str, Any]
) -> bool:
    assert context.operation is not None
    return all(
        parameter.is_valid(path_parameters[parameter.name])
        for parameter in context.operation.path_parameters
        if parameter.name in path_parameters
    )


@schemathesis.hook
def before_call(
    context: schemathesis.HookContext, case: schemathesis.Case[Any], kwargs: dict[str, Any]
) -> None:
    # Ids a response showed (Schemathesis reuses them, and follows links in its stateful phase)
    # may be kept ones: a DELETE gets a disposable one instead.
    if not _deletes(context) or not case.path_parameters:
        return
    for name, value in case.path_parameters.items():
        if value in KEPT.get(name, ()) and DISPOSABLE.get(name):
            case.path_parameters[name] = DISPOSABLE[name][0]


# Problem codes of rules over state or secrets, by the reason no schema can say them.
BEYOND_THE_SCHEMA = {
    "intercom_token_rejected": "only Intercom knows which access tokens it accepts",
    "oauth_redirect_not_allowed": "the redirects a deployment allows are its configuration",
    "oauth_state_invalid": "a state must be one this API signed",
    "oauth_state_unknown": "a state must be one this API signed for the account",
    "oauth_state_expired": "a state expires",
    "oauth_state_used": "a state is used once",
    "oauth_code_rejected": "only Intercom knows the codes it issued",
}
# `invalid_input` (a rule past the schema, app/errors.py) by the field at fault, for those rules.
FIELDS_BEYOND_THE_SCHEMA = {
    "query.cursor": "a cursor is opaque: only one this API returned is valid",
    "body.groups": "filters apply to the properties the list maps, and fit their types",
    "body.entries": "a mapping names the workspace's attributes and the account's properties",
}


@schemathesis.hook
def filter_failure(
    context: schemathesis.HookContext,
    failure: Failure,
    case: schemathesis.Case[Any],
    response: schemathesis.Response,
) -> bool:
    if not isinstance(failure, RejectedPositiveData):
        return True
    # A negative case whose negated path id was replaced by a real one (ours, or one Schemathesis
    # captured) is relabelled positive, though its header or body are still generated to be
    # wrong: only a case positive in every part is a schema-valid request.
    meta = case.meta
    if meta is not None and any(part.mode.is_negative for part in meta.components.values()):
        return False
    if response.status_code != 422:
        return True
    try:
        problem = json.loads(response.content)
    except ValueError:
        return True
    if problem.get("code") in BEYOND_THE_SCHEMA:
        return False
    if problem.get("code") == "invalid_input":
        fields = [error.get("field", "") for error in problem.get("errors") or []]
        return not fields or not all(
            field.startswith(tuple(FIELDS_BEYOND_THE_SCHEMA)) for field in fields
        )
    return True
