"""Recursive-descent parser for FEEL expressions and unary tests (DMN 1.3, 10.3.1).

Names may contain spaces (``Monthly Salary``, ``string length``): adjacent name
words are joined into one name. Names that also contain keywords or operator
characters (``date and time``, a variable ``Pre-Bureau Risk``) are recognised from
a phrase table: the built-in ones plus any the caller passes in ``names``.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable, Mapping

from ..errors import ExpressionSyntaxError
from ..limits import DEFAULT_LIMITS
from . import nodes as n
from .lexer import EOF, KEYWORDS, NAME, NUMBER, OP, STRING, Token, tokenize
from .values import ConversionError, number

# Built-in names that contain keywords; the lexer splits them, the parser rejoins them.
BUILTIN_PHRASES = ("date and time", "years and months duration", "days and time duration")

_COMPARE_OPS = frozenset({"=", "!=", "<", "<=", ">", ">="})
_NAME_SYMBOLS = frozenset({"+", "-", "*", "/", "."})


def _phrase_tokens(phrase: str) -> tuple[str, ...] | None:
    try:
        toks = tokenize(phrase)
    except ExpressionSyntaxError:
        return None
    return tuple(t.value for t in toks if t.kind != EOF)


class Parser:
    def __init__(self, text: str, names: Iterable[str] = (), max_depth: int | None = None,
                 types: Mapping[str, str] | None = None) -> None:
        self.text = text
        self.types = types or {}     # named types (DMN item definitions) -> their FEEL type text
        self.tokens: list[Token] = tokenize(text)
        self.i = 0
        self.depth = 0
        self.max_depth = max_depth if max_depth is not None else DEFAULT_LIMITS.max_depth
        phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for phrase in (*BUILTIN_PHRASES, *names):
            toks = _phrase_tokens(phrase)
            if not toks or len(toks) < 2:
                continue
            phrases.setdefault(toks[0], []).append((toks, " ".join(phrase.split())))
        for entries in phrases.values():
            entries.sort(key=lambda e: -len(e[0]))
        self.phrases = phrases
        self.uses_input = False
        # While parsing a range's end point, '[' closes the range ('[1..5[') instead of filtering.
        self.interval_end = False

    # -- helpers -----------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, k: int = 1) -> Token:
        j = min(self.i + k, len(self.tokens) - 1)
        return self.tokens[j]

    def error(self, message: str, tok: Token | None = None) -> ExpressionSyntaxError:
        tok = tok or self.tok
        return ExpressionSyntaxError(message, self.text, tok.pos + 1)

    def at_op(self, value: str) -> bool:
        t = self.tokens[self.i]
        return t.kind == OP and t.value == value

    def at_kw(self, value: str) -> bool:
        t = self.tokens[self.i]
        return t.kind == NAME and t.value == value

    def expect_op(self, value: str) -> Token:
        if not self.at_op(value):
            raise self.error(f"expected '{value}' but found {self._describe(self.tok)}")
        t = self.tok
        self.i += 1
        return t

    def expect_kw(self, value: str) -> Token:
        if not self.at_kw(value):
            raise self.error(f"expected '{value}' but found {self._describe(self.tok)}")
        t = self.tok
        self.i += 1
        return t

    @staticmethod
    def _describe(tok: Token) -> str:
        return "end of text" if tok.kind == EOF else repr(tok.value)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise self.error(f"expression nested too deeply (more than {self.max_depth} levels)")

    def leave(self) -> None:
        self.depth -= 1

    def expect_end(self) -> None:
        if self.tok.kind != EOF:
            raise self.error(f"unexpected {self._describe(self.tok)}")

    # -- names -------------------------------------------------------------------------------
    def _match_phrase(self) -> str | None:
        t = self.tok
        entries = self.phrases.get(t.value)
        if not entries or t.kind not in (NAME, OP):
            return None
        for toks, name in entries:
            end = self.i + len(toks)
            if end > len(self.tokens) - 1:
                continue
            if all(self.tokens[self.i + k].value == toks[k] and self.tokens[self.i + k].kind != STRING
                   for k in range(len(toks))):
                self.i = end
                return name
        return None

    def at_name(self) -> bool:
        t = self.tok
        if t.kind != NAME:
            return bool(self.phrases.get(t.value)) and self._peek_phrase()
        if t.value in KEYWORDS:
            return bool(self.phrases.get(t.value)) and self._peek_phrase()
        return True

    def _peek_phrase(self) -> bool:
        save = self.i
        found = self._match_phrase()
        self.i = save
        return found is not None

    def parse_name(self, stop_words: frozenset[str] = frozenset()) -> str:
        """One (possibly multi-word) name; words are joined by one space."""
        phrase = self._match_phrase()
        if phrase is not None:
            return phrase
        t = self.tok
        if t.kind != NAME or t.value in KEYWORDS:
            raise self.error(f"expected a name but found {self._describe(t)}")
        words = [t.value]
        self.i += 1
        while True:
            t = self.tok
            if t.kind == NUMBER and t.value.isdigit() and t.space_before:
                # 'Applicant 1 Age': a name followed by a number is otherwise never valid FEEL.
                words.append(t.value)
                self.i += 1
                continue
            if t.kind != NAME or t.value in KEYWORDS or t.value in stop_words:
                break
            if t.value == "instance" and self.peek().value == "of":
                break
            words.append(t.value)
            self.i += 1
        return " ".join(words)

    # -- expressions -------------------------------------------------------------------------
    def parse_expression_text(self) -> n.Node:
        node = self.parse_expr()
        self.expect_end()
        return node

    def parse_expr(self) -> n.Node:
        self.enter()
        try:
            return self.parse_or()
        finally:
            self.leave()

    def parse_nested_expr(self) -> n.Node:
        saved = self.interval_end
        self.interval_end = False
        try:
            return self.parse_expr()
        finally:
            self.interval_end = saved

    def parse_end_point(self) -> n.Node:
        saved = self.interval_end
        self.interval_end = True
        try:
            return self.parse_expr()
        finally:
            self.interval_end = saved

    def parse_or(self) -> n.Node:
        items = [self.parse_and()]
        while self.at_kw("or"):
            self.i += 1
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else n.Or(items)

    def parse_and(self) -> n.Node:
        items = [self.parse_comparison()]
        while self.at_kw("and"):
            self.i += 1
            items.append(self.parse_comparison())
        return items[0] if len(items) == 1 else n.And(items)

    def parse_comparison(self) -> n.Node:
        left = self.parse_additive()
        levels = 0
        try:
            while True:
                t = self.tok
                if t.kind == OP and t.value in _COMPARE_OPS:
                    self.i += 1
                    left = n.Binary(t.value, left, self.parse_additive())
                elif t.kind == NAME and t.value == "between":
                    self.i += 1
                    low = self.parse_additive()
                    self.expect_kw("and")
                    high = self.parse_additive()
                    left = n.Between(left, low, high)
                elif t.kind == NAME and t.value == "in":
                    self.i += 1
                    left = n.In(left, self.parse_in_tests())
                elif t.kind == NAME and t.value == "instance" and self.peek().value == "of":
                    self.i += 2
                    left = n.InstanceOf(left, self.parse_type())
                else:
                    return left
                # 'a = b = c ...' nests to the left: each step is one level of depth.
                self.enter()
                levels += 1
        finally:
            self.depth -= levels

    def parse_in_tests(self) -> list[n.UnaryTest]:
        if not self.at_op("("):
            return [self.parse_positive_test()]
        # '(' starts either a list of tests '(1, < 5)' or an open range '(1..5]'; decided after the
        # first item without backtracking (re-parsing nested 'in' would be exponential).
        self.i += 1
        saved = self.interval_end
        self.interval_end = False
        try:
            first = self.parse_positive_test()
        finally:
            self.interval_end = saved
        if self.at_op("..") and isinstance(first, n.ExprTest):
            self.i += 1
            interval = self._close_interval(False, first.expr, self.parse_end_point())
            return [n.ExprTest(interval, first.uses_input)]
        tests = [first]
        while self.at_op(","):
            self.i += 1
            tests.append(self.parse_positive_test())
        self.expect_op(")")
        return tests

    def _chain(self, operators: tuple[str, ...], operand: Any) -> n.Node:
        first = operand()
        rest: list[tuple[str, n.Node]] = []
        while self.tok.kind == OP and self.tok.value in operators:
            op = self.tok.value
            self.i += 1
            rest.append((op, operand()))
        return n.Arithmetic(first, rest) if rest else first

    def parse_additive(self) -> n.Node:
        return self._chain(("+", "-"), self.parse_multiplicative)

    def parse_multiplicative(self) -> n.Node:
        return self._chain(("*", "/"), self.parse_power)

    def parse_power(self) -> n.Node:
        return self._chain(("**",), self.parse_unary)

    def parse_unary(self) -> n.Node:
        if self.at_op("-"):
            self.i += 1
            self.enter()
            try:
                operand = self.parse_unary()
            finally:
                self.leave()
            if isinstance(operand, n.Literal) and type(operand.value) is Decimal:
                return n.Literal(-operand.value)
            return n.Negate(operand)
        return self.parse_postfix()

    def parse_postfix(self) -> n.Node:
        node = self.parse_primary()
        levels = 0
        try:
            while True:
                t = self.tok
                if t.kind != OP:
                    return node
                if t.value == "[":
                    if self.interval_end:
                        return node
                    self.i += 1
                    cond = self.parse_nested_expr()
                    self.expect_op("]")
                    node = n.Filter(node, cond)
                elif t.value == ".":
                    self.i += 1
                    if self.tok.kind == STRING:
                        raise self.error("expected a name after '.'")
                    node = n.Path(node, self.parse_name())
                elif t.value == "(":
                    node = self.parse_call(node, t)
                else:
                    return node
                # 'x.a.a.a' and 'f()()()' nest to the left: each step is one level of depth.
                self.enter()
                levels += 1
        finally:
            self.depth -= levels

    def parse_call(self, fn: n.Node, open_tok: Token) -> n.Call:
        self.i += 1
        args: list[n.Node] = []
        named: list[tuple[str, n.Node]] = []
        if not self.at_op(")"):
            while True:
                name = self._try_named_arg()
                if name is not None:
                    if args:
                        raise self.error("positional and named arguments cannot be mixed")
                    named.append((name, self.parse_nested_expr()))
                else:
                    if named:
                        raise self.error("positional and named arguments cannot be mixed")
                    args.append(self.parse_nested_expr())
                if self.at_op(","):
                    self.i += 1
                    continue
                break
        self.expect_op(")")
        return n.Call(fn, args, named or None, open_tok.pos + 1)

    def _try_named_arg(self) -> str | None:
        if self.tok.kind != NAME:
            return None
        save = self.i
        try:
            name = self.parse_name()
        except ExpressionSyntaxError:
            self.i = save
            return None
        if self.at_op(":"):
            self.i += 1
            return name
        self.i = save
        return None

    def parse_primary(self) -> n.Node:
        t = self.tok
        if t.kind == NUMBER:
            self.i += 1
            return n.Literal(number(t.value))
        if t.kind == STRING:
            self.i += 1
            return n.Literal(t.value)
        if t.kind == OP:
            v = t.value
            if v == "(":
                return self.parse_paren()
            if v == "[":
                return self.parse_bracket()
            if v == "]":
                self.i += 1
                return self.parse_interval_rest(False)
            if v == "{":
                return self.parse_context()
            if v == "?":
                self.i += 1
                self.uses_input = True
                return n.Name("?", t.pos + 1)
            if v == "@":
                return self.parse_temporal_literal()
            raise self.error(f"unexpected {t.value!r}")
        if t.kind == NAME:
            v = t.value
            if v == "true" or v == "false":
                self.i += 1
                return n.Literal(v == "true")
            if v == "null":
                self.i += 1
                return n.Literal(None)
            if v == "if":
                return self.parse_if()
            if v == "for":
                return self.parse_for()
            if v == "some" or v == "every":
                return self.parse_quantified()
            if v == "function":
                return self.parse_function()
            if self.at_name():
                pos = t.pos + 1
                return n.Name(self.parse_name(), pos)
            raise self.error(f"unexpected keyword {v!r}")
        raise self.error("unexpected end of text")

    def parse_paren(self) -> n.Node:
        self.i += 1
        t = self.tok
        if t.kind == OP and t.value in _COMPARE_OPS:
            # DMN 1.4: a unary comparison in parentheses is a range, `(< 10)`, `(= 5)`, `(!= 5)`
            self.i += 1
            operand = self.parse_nested_expr()
            self.expect_op(")")
            return n.Interval(t.value in (">=", "="), operand, None, t.value in ("<=", "="), t.value)
        inner = self.parse_nested_expr()
        if self.at_op(".."):
            self.i += 1
            end = self.parse_end_point()
            return self._close_interval(False, inner, end)
        self.expect_op(")")
        return inner

    def parse_bracket(self) -> n.Node:
        self.i += 1
        if self.at_op("]"):
            self.i += 1
            return n.ListLiteral([])
        first = self.parse_nested_expr()
        if self.at_op(".."):
            self.i += 1
            end = self.parse_end_point()
            return self._close_interval(True, first, end)
        items = [first]
        while self.at_op(","):
            self.i += 1
            items.append(self.parse_nested_expr())
        self.expect_op("]")
        return n.ListLiteral(items)

    def parse_interval_rest(self, start_included: bool) -> n.Node:
        start = self.parse_nested_expr()
        self.expect_op("..")
        end = self.parse_end_point()
        return self._close_interval(start_included, start, end)

    def _close_interval(self, start_included: bool, start: n.Node, end: n.Node) -> n.Interval:
        t = self.tok
        if t.kind == OP and t.value == "]":
            self.i += 1
            return n.Interval(start_included, start, end, True)
        if t.kind == OP and t.value in (")", "["):
            self.i += 1
            return n.Interval(start_included, start, end, False)
        raise self.error("expected ']', ')' or '[' to close the range")

    def parse_context(self) -> n.Node:
        self.i += 1
        entries: list[tuple[str, n.Node]] = []
        seen: set[str] = set()
        if self.at_op("}"):
            self.i += 1
            return n.ContextLiteral(entries)
        while True:
            key_tok = self.tok
            if key_tok.kind == STRING:
                key = key_tok.value
                self.i += 1
            else:
                key = self._parse_context_key()
            if key in seen:
                raise self.error(f"duplicate context key {key!r}", key_tok)
            seen.add(key)
            self.expect_op(":")
            entries.append((key, self.parse_nested_expr()))
            if self.at_op(","):
                self.i += 1
                continue
            self.expect_op("}")
            return n.ContextLiteral(entries)

    def _parse_context_key(self) -> str:
        # Keys are names; keywords ('date and time: ...'), numbers and the name symbols + - * / . ' are
        # allowed inside them ('foo+bar: ...', DMN 1.3 grammar rules 27-30): the key is its text.
        first = self.tok
        if first.kind != NAME:
            raise self.error(f"expected a context key but found {self._describe(first)}")
        last = first
        while self.tok.kind == NAME or self.tok.kind == NUMBER or (
                self.tok.kind == OP and self.tok.value in _NAME_SYMBOLS):
            last = self.tok
            self.i += 1
        return " ".join(self.text[first.pos:last.end].split())

    def parse_temporal_literal(self) -> n.Node:
        at = self.tok
        self.i += 1
        t = self.tok
        if t.kind != STRING:
            raise self.error("expected a string after '@'")
        self.i += 1
        from .temporal import parse_temporal  # local: temporal imports values only
        value = parse_temporal(t.value)
        if value is None:
            return n.Invalid(f"invalid temporal literal @{t.value!r} at position {at.pos + 1}")
        return n.Literal(value)

    def parse_if(self) -> n.Node:
        self.i += 1
        cond = self.parse_expr()
        self.expect_kw("then")
        then = self.parse_expr()
        self.expect_kw("else")
        otherwise = self.parse_expr()
        return n.If(cond, then, otherwise)

    def _parse_iterations(self, with_ranges: bool) -> list[n.Iteration]:
        iterations: list[n.Iteration] = []
        while True:
            name = self.parse_name(frozenset({"in"}))
            self.expect_kw("in")
            source = self.parse_expr()
            end = None
            if with_ranges and self.at_op(".."):
                self.i += 1
                end = self.parse_expr()
            iterations.append(n.Iteration(name, source, end))
            if self.at_op(","):
                self.i += 1
                continue
            return iterations

    def parse_for(self) -> n.Node:
        self.i += 1
        iterations = self._parse_iterations(True)
        self.expect_kw("return")
        return n.For(iterations, self.parse_expr())

    def parse_quantified(self) -> n.Node:
        every = self.tok.value == "every"
        self.i += 1
        iterations = self._parse_iterations(True)
        self.expect_kw("satisfies")
        return n.Quantified(every, iterations, self.parse_expr())

    def parse_function(self) -> n.Node:
        self.i += 1
        self.expect_op("(")
        params: list[str] = []
        types: list[n.TypeRef | None] = []
        if not self.at_op(")"):
            while True:
                name = self.parse_name()
                if name in params:
                    raise self.error(f"duplicate parameter {name!r}")
                params.append(name)
                if self.at_op(":"):
                    self.i += 1
                    types.append(self.parse_type())
                else:
                    types.append(None)
                if self.at_op(","):
                    self.i += 1
                    continue
                break
        self.expect_op(")")
        external = self.at_kw("external")
        if external:
            self.i += 1
        at = self.tok
        self.enter()
        try:
            body = self.parse_expr()
        finally:
            self.leave()
        if external:
            self._check_external(body, at, params)
        return n.FunctionDef(params, body, types, external)

    def _check_external(self, body: n.Node, at: Token, params: list[str]) -> None:
        """An external function written with literals is checked now: Java only, an allowed method."""
        if type(body) is not n.ContextLiteral:
            return
        entries = dict(body.entries)
        if "java" not in entries:
            kinds = ", ".join(entries) or "nothing"
            raise self.error(f"external functions must be Java (allow-listed java.lang methods), not {kinds}", at)
        java = entries["java"]
        if type(java) is not n.ContextLiteral:
            return
        parts = dict(java.entries)
        texts = [parts.get(k) for k in ("class", "method signature")]
        if all(type(t) is n.Literal and type(t.value) is str for t in texts):
            from .java import JavaError, java_function
            try:
                java_function(texts[0].value, texts[1].value, "external", tuple(params))  # type: ignore[union-attr]
            except JavaError as exc:
                raise self.error(str(exc), at) from None

    # -- types -------------------------------------------------------------------------------
    def parse_type(self) -> n.TypeRef:
        self.enter()
        try:
            phrase = self._match_phrase()
            if phrase is not None:
                return n.TypeRef(phrase)
            t = self.tok
            if t.kind != NAME:
                raise self.error(f"expected a type name but found {self._describe(t)}")
            if t.value == "null":
                self.i += 1
                return n.TypeRef("Null")
            if t.value == "function":
                self.i += 1
                name = "function"
            else:
                name = self.parse_name()
                if name in self.types:
                    # an item definition's name stands for its FEEL type (without itself: no cycles)
                    others = {k: v for k, v in self.types.items() if k != name}
                    return parse_type_ref(self.types[name], others)
            if name in ("list", "range") and self.at_op("<"):
                self.i += 1
                inner = self.parse_type()
                self.expect_op(">")
                return n.TypeRef(name, [inner])
            if name == "context" and self.at_op("<"):
                self.i += 1
                fields: list[tuple[str, n.TypeRef]] = []
                while True:
                    key = self.parse_name()
                    self.expect_op(":")
                    fields.append((key, self.parse_type()))
                    if self.at_op(","):
                        self.i += 1
                        continue
                    break
                self.expect_op(">")
                return n.TypeRef(name, fields=fields)
            if name == "function" and self.at_op("<"):
                self.i += 1
                params: list[n.TypeRef] = []
                if not self.at_op(">"):
                    while True:
                        params.append(self.parse_type())
                        if self.at_op(","):
                            self.i += 1
                            continue
                        break
                self.expect_op(">")
                self.expect_op("->")
                return n.TypeRef(name, params, result=self.parse_type())
            return n.TypeRef(name)
        finally:
            self.leave()

    # -- unary tests -------------------------------------------------------------------------
    def parse_unary_tests_text(self) -> list[n.UnaryTest]:
        if self.tok.kind == EOF:
            return [n.AnyTest()]
        if self.at_op("-") and self.peek().kind == EOF:
            return [n.AnyTest()]
        if self.at_kw("not") and self.peek().kind == OP and self.peek().value == "(":
            save = self.i
            try:
                self.i += 2
                tests = self.parse_positive_tests()
                self.expect_op(")")
                self.expect_end()
                return [n.NotTest(tests)]
            except ExpressionSyntaxError:
                self.i = save
        tests = self.parse_positive_tests()
        self.expect_end()
        return tests

    def parse_positive_tests(self) -> list[n.UnaryTest]:
        tests = [self.parse_positive_test()]
        while self.at_op(","):
            self.i += 1
            tests.append(self.parse_positive_test())
        return tests

    def parse_positive_test(self) -> n.UnaryTest:
        t = self.tok
        if t.kind == OP and t.value in _COMPARE_OPS:
            self.i += 1
            operand = self.parse_additive()
            return n.CompareTest(t.value, operand)
        before = self.uses_input
        self.uses_input = False
        expr = self.parse_expr()
        uses = self.uses_input
        self.uses_input = before or uses
        return n.ExprTest(expr, uses)


def parse_expression(text: str, names: Iterable[str] = (), types: Mapping[str, str] | None = None) -> n.Node:
    if not isinstance(text, str):
        raise ExpressionSyntaxError("expression text must be a string", repr(text), None)
    if not text.strip():
        raise ExpressionSyntaxError("empty expression", text, 1)
    try:
        return Parser(text, names, types=types).parse_expression_text()
    except RecursionError:
        raise ExpressionSyntaxError("expression nested too deeply", text, None) from None
    except ConversionError as exc:
        raise ExpressionSyntaxError(str(exc), text, None) from None


def parse_type_ref(text: str, types: Mapping[str, str] | None = None) -> n.TypeRef:
    """A FEEL type such as ``list<number>`` or ``context<a: string>`` (for DMN typeRefs)."""
    parser = Parser(text, types=types)
    type_ref = parser.parse_type()
    parser.expect_end()
    return type_ref


def parse_unary_tests(text: str, names: Iterable[str] = (),
                      types: Mapping[str, str] | None = None) -> list[n.UnaryTest]:
    if not isinstance(text, str):
        raise ExpressionSyntaxError("unary tests text must be a string", repr(text), None)
    try:
        return Parser(text, names, types=types).parse_unary_tests_text()
    except RecursionError:
        raise ExpressionSyntaxError("expression nested too deeply", text, None) from None
    except ConversionError as exc:
        raise ExpressionSyntaxError(str(exc), text, None) from None
