"""A tokenizer and recursive-descent parser for the SOQL subset the stand-in serves.

    query     := SELECT (COUNT '(' ')' | field (',' field)*) FROM name
                 [WHERE condition] [ORDER BY key (',' key)*] [LIMIT int] [OFFSET int]
    condition := unary ((AND unary)* | (OR unary)*)      -- AND and OR never mix without parentheses
    unary     := NOT unary | '(' condition ')' | field op literal
               | field [NOT] IN '(' literal (',' literal)* ')' | field LIKE string
    key       := field [ASC | DESC] [NULLS (FIRST | LAST)]
    literal   := 'string' | number | true | false | null | 2024-01-01 | 2024-01-01T00:00:00Z

Field names may be dotted (`Account.Name`): one parent relationship. The
parser knows nothing of the schema; `query.py` binds names to fields. Errors
carry the character offset so the message can point at it the way
Salesforce's does (`ERROR at Row:1:Column:8`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
    |(?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2}))
    |(?P<badtime>\d{4}-\d{2}-\d{2}T[0-9:.]*)
    |(?P<date>\d{4}-\d{2}-\d{2})
    |(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+))
    |(?P<string>'(?:[^'\\]|\\.)*')
    |(?P<unterminated>'(?:[^'\\]|\\.)*)
    |(?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    |(?P<op><=|>=|!=|<>|=|<|>)
    |(?P<punct>[(),])
    |(?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_RESERVED = frozenset(
    # Words that end a field list or a condition; a field may not be named after them.
    "SELECT FROM WHERE AND OR NOT IN LIKE ORDER BY LIMIT OFFSET NULL TRUE FALSE GROUP HAVING WITH".split()  # noqa: SIM905
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    pos: int


@dataclass(frozen=True, slots=True)
class FieldPath:
    """A field as written: `Name`, or `Account.Name` through a parent relationship."""

    name: str
    pos: int


@dataclass(frozen=True, slots=True)
class Literal:
    kind: str  # string | number | boolean | null | date | datetime
    value: Any
    pos: int
    text: str


@dataclass(frozen=True, slots=True)
class Comparison:
    field: FieldPath
    op: str  # = != < <= > >=
    value: Literal


@dataclass(frozen=True, slots=True)
class InList:
    field: FieldPath
    values: tuple[Literal, ...]
    negated: bool


@dataclass(frozen=True, slots=True)
class Like:
    field: FieldPath
    pattern: Literal


@dataclass(frozen=True, slots=True)
class Not:
    operand: Condition


@dataclass(frozen=True, slots=True)
class BoolOp:
    op: str  # AND | OR
    operands: tuple[Condition, ...]


Condition = Comparison | InList | Like | Not | BoolOp


@dataclass(frozen=True, slots=True)
class OrderKey:
    field: FieldPath
    descending: bool
    nulls_last: bool


@dataclass(frozen=True, slots=True)
class SoqlQuery:
    text: str
    fields: tuple[FieldPath, ...]
    count_only: bool
    sobject: str
    sobject_pos: int
    where: Condition | None
    order_by: tuple[OrderKey, ...]
    limit: int | None
    offset: int | None


class SoqlError(ValueError):
    """A query Salesforce would refuse; `code` is its errorCode, `pos` the offending offset."""

    def __init__(self, code: str, detail: str, query: str, pos: int) -> None:
        self.code = code
        self.detail = detail
        self.pos = pos
        super().__init__(locate(query, pos, detail))


def locate(query: str, pos: int, detail: str) -> str:
    """Salesforce's error text: the query line, a caret, `ERROR at Row:r:Column:c`, the detail."""
    before = query[:pos].split("\n")
    row, column = len(before), len(before[-1]) + 1
    line = query.split("\n")[row - 1] if query else ""
    return f"\n{line}\n{' ' * (column - 1)}^\nERROR at Row:{row}:Column:{column}\n{detail}"


def tokenize(query: str) -> list[Token]:
    tokens: list[Token] = []
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup or "other"
        if kind == "ws":
            continue
        if kind == "unterminated":
            raise SoqlError(
                "MALFORMED_QUERY",
                f"line 1:{len(query)} mismatched character '<EOF>' expecting '''",
                query,
                match.start(),
            )
        if kind == "badtime":
            raise SoqlError(
                "MALFORMED_QUERY",
                f"line 1:{match.start()} no viable alternative at character '{match.group()}'",
                query,
                match.start(),
            )
        tokens.append(Token(kind, match.group(), match.start()))
    tokens.append(Token("eof", "<EOF>", len(query)))
    return tokens


def parse(query: str) -> SoqlQuery:
    """Parse one SOQL statement; raises SoqlError (MALFORMED_QUERY) on bad syntax."""
    return _Parser(query).query()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    # -- token helpers ---------------------------------------------------------------------------

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def at_keyword(self, *words: str) -> bool:
        return self.current.kind == "ident" and self.current.text.upper() in words

    def expect_keyword(self, word: str) -> Token:
        if not self.at_keyword(word):
            self.fail()
        return self.advance()

    def expect(self, kind: str, text: str | None = None) -> Token:
        if self.current.kind != kind or (text is not None and self.current.text != text):
            self.fail()
        return self.advance()

    def fail(self, token: Token | None = None) -> None:
        token = token or self.current
        raise SoqlError("MALFORMED_QUERY", f"unexpected token: {token.text}", self.text, token.pos)

    # -- grammar ---------------------------------------------------------------------------------

    def query(self) -> SoqlQuery:
        self.expect_keyword("SELECT")
        fields, count_only = self.select_list()
        self.expect_keyword("FROM")
        sobject = self.current
        if sobject.kind != "ident" or sobject.text.upper() in _RESERVED or "." in sobject.text:
            self.fail()
        self.advance()
        where = self.where_clause()
        order_by = self.order_by_clause()
        limit = self.integer_clause("LIMIT")
        offset = self.integer_clause("OFFSET")
        if self.current.kind != "eof":
            self.fail()
        return SoqlQuery(self.text, fields, count_only, sobject.text, sobject.pos, where, order_by, limit, offset)

    def select_list(self) -> tuple[tuple[FieldPath, ...], bool]:
        if self.at_keyword("COUNT") and self.tokens[self.index + 1].text == "(":
            self.advance()
            self.expect("punct", "(")
            self.expect("punct", ")")
            return (), True
        fields = [self.field()]
        while self.current.text == ",":
            self.advance()
            fields.append(self.field())
        return tuple(fields), False

    def field(self) -> FieldPath:
        token = self.current
        if token.kind != "ident" or token.text.upper() in _RESERVED:
            self.fail()
        self.advance()
        return FieldPath(token.text, token.pos)

    def where_clause(self) -> Condition | None:
        if not self.at_keyword("WHERE"):
            return None
        self.advance()
        return self.condition()

    def condition(self) -> Condition:
        first = self.unary()
        if not self.at_keyword("AND", "OR"):
            return first
        op = self.current.text.upper()
        operands = [first]
        while self.at_keyword(op):
            self.advance()
            operands.append(self.unary())
        if self.at_keyword("AND", "OR"):
            self.fail()  # SOQL refuses to mix AND and OR without parentheses
        return BoolOp(op, tuple(operands))

    def unary(self) -> Condition:
        if self.at_keyword("NOT"):
            self.advance()
            return Not(self.unary())
        if self.current.text == "(":
            self.advance()
            inner = self.condition()
            self.expect("punct", ")")
            return inner
        return self.simple()

    def simple(self) -> Condition:
        field = self.field()
        if self.at_keyword("NOT"):
            self.advance()
            self.expect_keyword("IN")
            return InList(field, self.literal_list(), negated=True)
        if self.at_keyword("IN"):
            self.advance()
            return InList(field, self.literal_list(), negated=False)
        if self.at_keyword("LIKE"):
            self.advance()
            pattern = self.literal()
            if pattern.kind != "string":
                self.fail(Token("literal", pattern.text, pattern.pos))
            # LIKE keeps \% and \_ escaped so they are not read as wildcards.
            raw = Literal("string", _unescape(pattern.text[1:-1], keep_like_escapes=True), pattern.pos, pattern.text)
            return Like(field, raw)
        if self.current.kind == "op":
            op = self.advance().text
            return Comparison(field, "!=" if op == "<>" else op, self.literal())
        self.fail()
        raise AssertionError  # unreachable: fail() raises

    def literal_list(self) -> tuple[Literal, ...]:
        self.expect("punct", "(")
        values = [self.literal()]
        while self.current.text == ",":
            self.advance()
            values.append(self.literal())
        self.expect("punct", ")")
        return tuple(values)

    def literal(self) -> Literal:
        token = self.current
        value: Any
        if token.kind == "string":
            kind, value = "string", _unescape(token.text[1:-1], keep_like_escapes=False)
        elif token.kind == "number":
            kind, value = "number", float(token.text)
        elif token.kind == "datetime":
            kind, value = "datetime", _datetime(token.text)
        elif token.kind == "date":
            kind, value = "date", _date(token, self.text)
        elif self.at_keyword("TRUE", "FALSE"):
            kind, value = "boolean", token.text.upper() == "TRUE"
        elif self.at_keyword("NULL"):
            kind, value = "null", None
        else:
            self.fail()
        self.advance()
        return Literal(kind, value, token.pos, token.text)

    def order_by_clause(self) -> tuple[OrderKey, ...]:
        if not self.at_keyword("ORDER"):
            return ()
        self.advance()
        self.expect_keyword("BY")
        keys = [self.order_key()]
        while self.current.text == ",":
            self.advance()
            keys.append(self.order_key())
        return tuple(keys)

    def order_key(self) -> OrderKey:
        field = self.field()
        descending = False
        if self.at_keyword("ASC", "DESC"):
            descending = self.advance().text.upper() == "DESC"
        nulls_last = descending  # Salesforce's default: NULLS FIRST ascending, NULLS LAST descending
        if self.at_keyword("NULLS"):
            self.advance()
            if not self.at_keyword("FIRST", "LAST"):
                self.fail()
            nulls_last = self.advance().text.upper() == "LAST"
        return OrderKey(field, descending, nulls_last)

    def integer_clause(self, keyword: str) -> int | None:
        if not self.at_keyword(keyword):
            return None
        self.advance()
        token = self.current
        if token.kind != "number" or not token.text.isdigit():
            self.fail()
        self.advance()
        return int(token.text)


def _unescape(body: str, *, keep_like_escapes: bool) -> str:
    """Decode backslash escapes; with `keep_like_escapes`, `\\%` and `\\_` stay escaped for LIKE."""
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            nxt = body[index + 1]
            out.append("\\" + nxt if keep_like_escapes and nxt in "%_" else _ESCAPES.get(nxt, nxt))
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)


def _datetime(text: str) -> datetime:
    normalised = text.replace("Z", "+00:00")
    head, dot, rest = normalised.partition(".")
    if dot:  # trim fractional seconds to microseconds for fromisoformat
        digits = re.match(r"\d+", rest)
        assert digits is not None
        normalised = f"{head}.{digits.group()[:6].ljust(6, '0')}{rest[digits.end() :]}"
    return datetime.fromisoformat(normalised).astimezone(UTC)


def _date(token: Token, query: str) -> date:
    try:
        return date.fromisoformat(token.text)
    except ValueError:
        raise SoqlError("MALFORMED_QUERY", f"invalid date: {token.text}", query, token.pos) from None
