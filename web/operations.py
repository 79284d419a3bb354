"""Every operation in the OpenAPI document gets an `operationId`: its view's name in camelCase
(`take_roll_call` -> `takeRollCall`), so views are named in the staff's words and a client
generated from the document calls `take_roll_call(...)`, not `put_api_v1_sessions_...`.

The ids are part of the contract clients are generated from: tests/web/test_api_openapi.py
lists them, so renaming a view is a visible change."""

from __future__ import annotations

from typing import Any

from apispec import BasePlugin


def camel(name: str) -> str:
    """`get_program_rewards` -> `getProgramRewards`."""
    first, *rest = name.split("_")
    return first + "".join(word.capitalize() for word in rest)


class OperationIds(BasePlugin):
    """Names each operation after its view (the endpoint's last part), unless a view names its own."""

    def operation_helper(self, path: str | None = None, operations: dict | None = None, **kwargs: Any) -> None:
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        view = rule.endpoint.rsplit(".", 1)[-1]
        for operation in operations.values():
            operation.setdefault("operationId", camel(view))
