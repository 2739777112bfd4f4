"""Query and path parameters declared once: a declaration checks a request's value and
describes itself as an OpenAPI parameter, so the API document's limits are the validator's.

A ``Param`` holds what JSON Schema can say of one parameter (type, range, enum, pattern,
required); ``Param.parse`` refuses exactly what that schema refuses, with a 400 naming the
parameter. What JSON Schema cannot say — one parameter's limit set by another (a tile's column
below 2^z, ``chunk`` only with ``zoom``) — is a ``Rule`` of the ``Query``: its text is part of
the document (in the parameter's description and the operation's ``x-rules``) and its check
runs on the parsed values. A value that is well formed but names nothing published (an unknown
slug, a year without values) is a 404, answered by the view.

An empty query value means "not given", as it always has here; optional parameters say so with
``allowEmptyValue``.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .http import BadParameter

Values = Mapping[str, Any]


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    type: Literal["string", "integer"] = "string"
    required: bool = False
    minimum: int | None = None
    maximum: int | None = None
    enum: tuple[str, ...] = ()
    pattern: str | None = None
    location: Literal["query", "path"] = "query"
    example: Any = None
    # What the view takes when the parameter is not given, where it is a fixed value.
    default: Any = None

    def parse(self, raw: str | None) -> Any:
        """The value of ``raw`` (None or "" when not given); raises BadParameter."""
        value = raw or ""
        if "\x00" in value:
            raise self._bad("enthält ungültige Zeichen", "contains invalid characters")
        if not value:
            if self.is_required:
                raise BadParameter(
                    self.name,
                    f"Parameter „{self.name}“ fehlt / parameter '{self.name}' is required",
                )
            return None
        if self.type == "integer":
            return self._integer(value)
        if self.enum and value not in self.enum:
            choices = ", ".join(self.enum)
            raise self._bad(f"muss eines von {choices} sein", f"must be one of {choices}")
        if self.pattern and not re.search(self.pattern, value):
            raise self._bad(f"hat nicht die Form {self.pattern}", f"must match {self.pattern}")
        return value

    @property
    def is_required(self) -> bool:
        return self.required or self.location == "path"

    def _integer(self, value: str) -> int:
        digits = value.removeprefix("-").removeprefix("+")
        # ASCII digits only: int() would also take "１２" or "1_000".
        if not (digits.isascii() and digits.isdigit()):
            raise self._bad("muss eine ganze Zahl sein", "must be an integer")
        number = int(value)
        low, high = self.minimum, self.maximum
        if low is not None and high is not None and not low <= number <= high:
            raise self._bad(
                f"muss zwischen {low} und {high} liegen", f"must be between {low} and {high}"
            )
        if low is not None and number < low:
            raise self._bad(f"muss mindestens {low} sein", f"must be at least {low}")
        if high is not None and number > high:
            raise self._bad(f"darf höchstens {high} sein", f"must be at most {high}")
        return number

    def _bad(self, german: str, english: str) -> BadParameter:
        return BadParameter(self.name, f"„{self.name}“ {german} / '{self.name}' {english}")

    def schema(self) -> dict:
        schema: dict = {"type": self.type}
        for key in ("minimum", "maximum", "pattern"):
            if getattr(self, key) is not None:
                schema[key] = getattr(self, key)
        if self.enum:
            schema["enum"] = list(self.enum)
        if self.default is not None:
            schema["default"] = self.default
        if self.is_required and self.type == "string" and not self.enum:
            schema["minLength"] = 1  # empty is missing
        return schema

    def openapi(self, rules: list[str]) -> dict:
        description = " ".join([self.description, *rules])
        parameter = {
            "name": self.name,
            "in": self.location,
            "required": self.is_required,
            "description": description,
            "schema": self.schema(),
        }
        if not parameter["required"]:
            parameter["allowEmptyValue"] = True
        if self.example is not None:
            parameter["example"] = self.example
        return parameter


# The years the API takes, wherever a year is a parameter.
FIRST_YEAR, LAST_YEAR = 1900, 2100
# A number as a program writes it: decimal point, optional exponent, no grouping.
NUMBER = r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?"


def number_list(count: str = "*") -> str:
    """The pattern of comma-separated numbers: ``count`` is a regex quantifier of the rest."""
    return f"^{NUMBER}(,{NUMBER}){count}$"


@dataclass(frozen=True)
class Rule:
    """A limit across parameters. ``refuses`` gets the parsed values (None where not given)
    and answers True, or a text saying what is wrong, where the request breaks the rule."""

    parameter: str
    text: str
    refuses: Callable[[Values], bool | str]

    def check(self, values: Values) -> None:
        problem = self.refuses(values)
        if problem:
            detail = f" ({problem})" if isinstance(problem, str) else ""
            raise BadParameter(self.parameter, f"{self.text}{detail}")


@dataclass(frozen=True)
class Query:
    params: tuple[Param, ...]
    rules: tuple[Rule, ...] = field(default=())

    def parse(
        self, query: Mapping[str, str], path: Mapping[str, str] | None = None, *, check=True
    ) -> dict:
        """The typed values of a request's query (and path), None where not given; raises
        BadParameter. ``check=False`` leaves the rules to a view that first puts in defaults
        taken from the data (the latest year, the indicator's classes)."""
        values = {
            p.name: p.parse((path or {}).get(p.name) if p.location == "path" else query.get(p.name))
            for p in self.params
        }
        if check:
            self.check(values)
        return values

    def check(self, values: Values) -> None:
        for rule in self.rules:
            rule.check(values)

    def openapi(self) -> list[dict]:
        return [
            p.openapi([r.text for r in self.rules if r.parameter == p.name]) for p in self.params
        ]

    def refuses(self, query: Mapping[str, str], path: Mapping[str, str] | None = None) -> bool:
        """Whether a rule refuses a request whose parameters are each well formed (defaults
        not put in: a rule that may refuse once they are counts)."""
        try:
            values = self.parse(query, path, check=False)
        except BadParameter:
            return False
        return any(rule.refuses(values) for rule in self.rules)
