"""The one domain error: input or a state that a rule refuses, naming the field and the rule.

Features raise it (or a subclass that says where it came from); the edges translate it once
each: GraphQL in credit/api/errors.py (BAD_USER_INPUT, NOT_FOUND or FORBIDDEN by rule), HTTP
in the app factory (400/404/403 with the same three parts), the CLI in credit/cli.py (one
line, exit 65). Resolvers and commands therefore need no try/except of their own."""

from __future__ import annotations


class DomainError(ValueError):
    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.field, self.rule, self.message = field, rule, message

    def describe(self) -> str:
        """`field: rule: message`, the form every edge shows."""
        return f"{self.field}: {self.rule}: {self.message}"
