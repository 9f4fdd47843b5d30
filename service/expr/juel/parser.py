"""Recursive-descent parser for the JUEL subset (EL 2.2 precedence), refusing everything else."""
from __future__ import annotations

from .coercion import LONG_MAX
from .errors import syntax_error
from .lexer import REFUSED_KEYWORDS, ExpressionRun, Token
from .methods import EXECUTION_METHODS, FUNCTION_ARITY, METHOD_ARITY
from .nodes import (Binary, Conditional, Execution, FunctionCall, HostCall, Identifier, Literal, Member, MethodCall,
                    Node, Unary)

_KEYWORD_OPS = {"and": "&&", "or": "||", "not": "!", "eq": "==", "ne": "!=", "lt": "<", "gt": ">",
                "le": "<=", "ge": ">=", "div": "/", "mod": "%"}
_BLOCKED_METHODS = {
    "getClass": "reflection (getClass) is not allowed",
    "forName": "reflection (forName) is not allowed",
    "invoke": "reflection (invoke) is not allowed",
    "exec": "running programs is not allowed",
}

_REFLECTION = ("getClass", "forName")


MAX_TREE_DEPTH = 300


def _is_dunder(name: str) -> bool:
    return name.startswith("__")


class Parser:
    def __init__(self, run: ExpressionRun, text: str, max_depth: int, *, hosts: bool = False) -> None:
        # hosts: a camunda:expression of a delegate or listener, where `execution`, `task` and registered
        # beans are objects whose public methods may be called (HostCall); elsewhere only the allow-list.
        self.hosts = hosts
        self.tokens = run.tokens
        self.text = text
        self.index = 0
        self.max_depth = max_depth
        self.depth = 0
        self.deepest = 0   # deepest nesting seen, checked again against the evaluation's Limits

    # -- token helpers -------------------------------------------------------------------------
    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def op_of(self, token: Token) -> str | None:
        if token.kind == "op":
            return token.value
        if token.kind == "keyword":
            return _KEYWORD_OPS.get(token.value, token.value)
        return None

    def expect(self, op: str) -> Token:
        token = self.advance()
        if token.kind != "op" or token.value != op:
            raise self.unexpected(token, f"expected {op!r}")
        return token

    def unexpected(self, token: Token, hint: str = "") -> Exception:
        shown = "end of expression ('}')" if token.kind == "end" else repr(token.value)
        return syntax_error(f"unexpected {shown}" + (f", {hint}" if hint else ""), self.text, token.position)

    # -- grammar -------------------------------------------------------------------------------
    def parse(self) -> Node:
        node = self.expression()
        token = self.peek()
        if token.kind != "end":
            raise self.unexpected(token, "expected '}'")
        if node.depth > MAX_TREE_DEPTH:
            # long operator or property chains recurse at evaluation; keep well inside Python's stack
            raise syntax_error(f"expression too long: more than {MAX_TREE_DEPTH} chained operations",
                               self.text, token.position)
        return node

    def expression(self) -> Node:
        self.depth += 1
        self.deepest = max(self.deepest, self.depth)
        if self.depth > self.max_depth:
            raise syntax_error(f"expression nested deeper than {self.max_depth} levels", self.text,
                               self.peek().position)
        try:
            return self.conditional()
        finally:
            self.depth -= 1

    def conditional(self) -> Node:
        condition = self.binary(0)
        if self.op_of(self.peek()) == "?":
            position = self.advance().position
            then = self.expression()
            self.expect(":")
            otherwise = self.expression()
            return Conditional(condition, then, otherwise, position)
        return condition

    _LEVELS: tuple[frozenset[str], ...] = (
        frozenset({"||"}), frozenset({"&&"}), frozenset({"==", "!="}),
        frozenset({"<", ">", "<=", ">="}), frozenset({"+", "-"}), frozenset({"*", "/", "%"}),
    )

    def binary(self, level: int) -> Node:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        ops = self._LEVELS[level]
        while (op := self.op_of(self.peek())) in ops:
            position = self.advance().position
            right = self.binary(level + 1)
            left = Binary(op, left, right, position)
        return left

    def unary(self) -> Node:
        token = self.peek()
        op = self.op_of(token)
        if op in ("-", "!", "empty"):
            self.advance()
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)
            if self.depth > self.max_depth:
                raise syntax_error(f"expression nested deeper than {self.max_depth} levels", self.text,
                                   token.position)
            try:
                return Unary(op, self.unary(), token.position)
            finally:
                self.depth -= 1
        return self.value()

    def value(self) -> Node:
        node = self.primary()
        while True:
            token = self.peek()
            if token.kind == "op" and token.value == ".":
                self.advance()
                name_token = self.advance()
                if name_token.kind not in ("ident", "keyword"):
                    raise self.unexpected(name_token, "expected a property or method name after '.'")
                name = name_token.value
                if self.peek().kind == "op" and self.peek().value == "(":
                    node = self.method_call(node, name_token)
                else:
                    self.check_property(name, name_token.position)
                    node = Member(node, Literal(name, name_token.position), name_token.position)
            elif token.kind == "op" and token.value == "[":
                self.advance()
                key = self.expression()
                if isinstance(key, Literal) and isinstance(key.value, str):
                    self.check_property(key.value, key.position)
                self.expect("]")
                node = Member(node, key, token.position)
            else:
                break
            if isinstance(node, Member) and isinstance(node.target, Execution):
                raise syntax_error("'execution' can only be used as execution.getVariable('name')",
                                   self.text, token.position)
        return node

    def check_property(self, name: str, position: int) -> None:
        if _is_dunder(name):
            raise syntax_error(f"access to {name!r} is not allowed", self.text, position)
        if name in ("class", "getClass"):
            raise syntax_error("reflection ('class') is not allowed", self.text, position)

    def method_call(self, target: Node, name_token: Token) -> Node:
        name = name_token.value
        if self.hosts and name not in _REFLECTION:
            # A bean's own method (`${exampleBean.invoke()}` is a Camunda example): HostCall reaches only the
            # objects the host hands in; on any other value the allow-list below still applies at run time.
            if name.startswith("_"):
                raise syntax_error(f"method {name}() is not allowed (private)", self.text, name_token.position)
            return HostCall(target, name, self.arguments(), name_token.position)
        if name in _BLOCKED_METHODS:
            raise syntax_error(f"method {name}(): {_BLOCKED_METHODS[name]}", self.text, name_token.position)
        if name not in METHOD_ARITY:
            raise syntax_error(f"method {name}() is not allowed (allowed: {', '.join(sorted(METHOD_ARITY))})",
                               self.text, name_token.position)
        if (name in EXECUTION_METHODS) != isinstance(target, Execution):
            if isinstance(target, Execution):
                raise syntax_error(f"execution.{name}() is not allowed", self.text, name_token.position)
            raise syntax_error(f"{name}() can only be called on 'execution'", self.text, name_token.position)
        args = self.arguments()
        if len(args) != METHOD_ARITY[name]:
            raise syntax_error(f"method {name}() takes {METHOD_ARITY[name]} argument(s), got {len(args)}",
                               self.text, name_token.position)
        return MethodCall(target, name, args, name_token.position)

    def arguments(self) -> list[Node]:
        self.expect("(")
        args: list[Node] = []
        if self.peek().kind == "op" and self.peek().value == ")":
            self.advance()
            return args
        while True:
            args.append(self.expression())
            token = self.advance()
            if token.kind == "op" and token.value == ")":
                return args
            if not (token.kind == "op" and token.value == ","):
                raise self.unexpected(token, "expected ',' or ')'")

    def primary(self) -> Node:
        token = self.advance()
        kind, value = token.kind, token.value
        if kind == "int":
            number = int(value)
            if number > LONG_MAX:
                raise syntax_error(f"integer literal {value} is too large", self.text, token.position)
            return Literal(number, token.position)
        if kind == "float":
            number_f = float(value)
            if number_f in (float("inf"), float("-inf")):
                raise syntax_error(f"number literal {value} is too large", self.text, token.position)
            return Literal(number_f, token.position)
        if kind == "str":
            return Literal(value, token.position)
        if kind == "keyword" and value in ("true", "false", "null"):
            return Literal({"true": True, "false": False, "null": None}[value], token.position)
        if kind == "op" and value == "(":
            node = self.expression()
            self.expect(")")
            return node
        if kind == "ident":
            if value in REFUSED_KEYWORDS:
                raise syntax_error(REFUSED_KEYWORDS[value], self.text, token.position)
            if _is_dunder(value):
                raise syntax_error(f"access to {value!r} is not allowed", self.text, token.position)
            if self.peek().kind == "op" and self.peek().value == "(":
                return self.function_call(token)
            if value == "execution" and not self.hosts:
                following = self.peek()
                if not (following.kind == "op" and following.value == "."):
                    raise syntax_error("'execution' can only be used as execution.getVariable('name')",
                                       self.text, token.position)
                return Execution(token.position)
            return Identifier(value, token.position)
        raise self.unexpected(token)

    def function_call(self, token: Token) -> Node:
        name = token.value
        if name not in FUNCTION_ARITY:
            raise syntax_error(f"function {name}() is not allowed (allowed: dateTime(), now())",
                               self.text, token.position)
        args = self.arguments()
        if len(args) != FUNCTION_ARITY[name]:
            raise syntax_error(f"function {name}() takes no arguments", self.text, token.position)
        return FunctionCall(name, token.position)
