"""`parse_dmn`: DMN 1.1-1.5 XML to compiled `DecisionModel`s, every cell checked at deploy time."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from lxml import etree

from service.expr import ExpressionError, Limits, feel

from .boxed import (
    Box,
    ConditionalBox,
    ContextBox,
    ContextEntry,
    FilterBox,
    FunctionBox,
    InvocationBox,
    ItemType,
    IteratorBox,
    JavaCallBox,
    KnowledgeModel,
    ListBox,
    LiteralBox,
    RelationBox,
    ServiceKnowledge,
    TableBox,
    TypedBox,
)
from .cells import ExpressionCell, TestCell, UnsupportedLanguage, is_any
from .errors import DmnModelError
from .imports import MAX_IMPORT_DEPTH, ImportedKnowledge, find_import, is_dmn_import
from .model import DecisionModel
from .tables import (
    AGGREGATIONS,
    HIT_POLICIES,
    BoxedDecision,
    DecisionService,
    DecisionTable,
    LiteralDecision,
    ServiceParameter,
    TableInput,
    TableOutput,
    TableRule,
)

DMN_NAMESPACES = {
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "1.1",
    "http://www.omg.org/spec/DMN/20180521/MODEL/": "1.2",
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "1.3",
    "https://www.omg.org/spec/DMN/20211108/MODEL/": "1.4",
    "https://www.omg.org/spec/DMN/20230324/MODEL/": "1.5",
}
CAMUNDA_NS = "http://camunda.org/schema/1.0/dmn"
MAX_DMN_BYTES = 5_000_000
_HIT_POLICY_ABBREVIATIONS = {"U": "UNIQUE", "F": "FIRST", "P": "PRIORITY", "A": "ANY", "C": "COLLECT",
                             "R": "RULE ORDER", "O": "OUTPUT ORDER"}
_BOXED_LOGIC = ("context", "invocation", "relation", "list", "functionDefinition", "conditional", "filter", "for",
                "some", "every")
_UNSUPPORTED_LOGIC = ("iterator",)
_EXPRESSION_TAGS = ("literalExpression", "decisionTable") + _BOXED_LOGIC + _UNSUPPORTED_LOGIC
_CONSTANT_LIMITS = Limits(max_seconds=0.5, max_steps=10_000)

T = TypeVar("T")


class _FileParser:
    def __init__(self, name: str, content: bytes, imports: Mapping[str, bytes] | None = None,
                 stack: tuple[str, ...] = (), qualify: bool = False,
                 parsed: dict[str, Any] | None = None) -> None:
        self.name = name
        self.content = content
        self.pool = imports or {}                    # other DMN files that <import> may name
        self.stack = stack                           # namespaces importing this file (cycles)
        self.parsed: dict[str, Any] = parsed if parsed is not None else {}   # namespace -> file, parsed once
        self.qualify = qualify                       # imported: decision keys become "namespace#id"
        self.imported: dict[str, tuple[str, _FileParser | DmnModelError]] = {}   # namespace -> (name, file)
        self.ns = ""
        self.default_language: str | None = None
        self.knowledge: dict[str, KnowledgeModel] = {}
        self.item_types: dict[str, str] = {}
        self.declared_names: tuple[str, ...] = ()
        self.namespace = ""
        self.broken_knowledge: dict[str, str] = {}    # BKM id -> why it does not compile
        self.service_models: dict[str, DecisionModel] = {}   # decision service id -> its model (after parsing)
        self.function_outputs: dict[str, str] = {}    # function item definition -> its output type
        self.feel_types: dict[str, str] = {}          # item definition -> FEEL type text (for `instance of`)
        self.decisions_by_id: dict[str, DecisionModel] = {}

    # -- helpers -------------------------------------------------------------------------------
    def error(self, element: Any, element_id: str | None, message: str) -> DmnModelError:
        line = getattr(element, "sourceline", None)
        return DmnModelError(self.name, element_id, line, message)

    def q(self, tag: str) -> str:
        return f"{{{self.ns}}}{tag}"

    def children(self, element: Any, tag: str) -> list[Any]:
        return element.findall(self.q(tag))

    def child(self, element: Any, tag: str) -> Any:
        return element.find(self.q(tag))

    def text_of(self, element: Any) -> str | None:
        """The `<text>` child of an expression element, stripped; None when absent."""
        if element is None:
            return None
        text_el = element.find(self.q("text"))
        if text_el is None:
            return None
        return (text_el.text or "").strip()

    def compile_cell(self, factory: Callable[..., T], text: str, element: Any, owner_id: str, what: str,
                     language: str | None, **extra: Any) -> T:
        cell_id = element.get("id")
        if factory is ExpressionCell or factory is TestCell:
            extra.setdefault("names", self.declared_names)
            extra.setdefault("types", self.feel_types)
        try:
            return factory(text, cell_id, element.sourceline, language or self.default_language, **extra)
        except UnsupportedLanguage as exc:
            raise self.error(element, owner_id, f"{what}: {exc}") from None
        except (RecursionError, MemoryError):
            # a compiler that recurses per nesting level must not take the deployment down
            raise self.error(element, owner_id, f"{what}: expression nested too deeply or too large: "
                                                f"{_clip(text)!r}") from None
        except ExpressionError as exc:
            detail = exc.message if hasattr(exc, "message") else str(exc)
            ident = f" [{cell_id}]" if cell_id and cell_id != owner_id else ""
            raise self.error(element, owner_id, f"{what}{ident}: {detail}: {_clip(text)!r}") from None

    # -- file ----------------------------------------------------------------------------------
    def parse(self) -> list[DecisionModel]:
        root = self.parse_xml()
        self.ns = etree.QName(root).namespace or ""
        if etree.QName(root).localname != "definitions" or self.ns not in DMN_NAMESPACES:
            raise self.error(root, None, f"not a DMN file: root element is {root.tag!r} "
                                         f"(expected definitions in a DMN 1.1-1.5 namespace)")
        self.default_language = root.get("expressionLanguage")
        self.namespace = root.get("namespace") or ""
        self.declared_names = self.collect_declared_names(root)
        self.imported = self.resolve_imports(root)
        self.item_types = self.build_item_types(root)
        self.feel_types = {name: str(t) for name, t in self.item_types.items()}
        self.knowledge = self.build_knowledge(root)
        decisions = self.children(root, "decision")
        if not decisions and not self.qualify:    # an imported file may hold only BKMs and item definitions
            raise self.error(root, root.get("id"), "the file contains no decision")
        by_id: dict[str, Any] = {}
        for element in decisions:
            decision_id = decision_key(element)
            if not decision_id:
                raise self.error(element, None, "a decision has neither an id nor a name")
            if decision_id in by_id:
                raise self.error(element, decision_id, f"duplicate decision id {decision_id!r}")
            by_id[decision_id] = element
        requirements: dict[str, list[str]] = {}
        problems: dict[str, DmnModelError] = {}
        for key, element in by_id.items():
            try:
                requirements[key] = self.required_ids(element, by_id)
            except DmnModelError as exc:
                requirements[key], problems[key] = [], exc
        order = self.dependency_order(requirements, by_id)
        built: dict[str, DecisionModel] = {}
        for key in order:
            built[key] = self.build_or_refuse(by_id[key], root, requirements[key], built, problems.get(key))
        self.decisions_by_id = built
        service_elements = self.children(root, "decisionService")
        services = [self.build_service(el, root, built) for el in service_elements]
        self.service_models.update((el.get("id"), s) for el, s in zip(service_elements, services, strict=True))
        return [built[decision_key(el) or ""] for el in decisions] + services

    def resolve_imports(self, root: Any) -> dict[str, tuple[str, _FileParser | DmnModelError]]:
        """Each DMN import's file, parsed (or why it cannot be): only the decisions using it depend on it."""
        found: dict[str, tuple[str, _FileParser | DmnModelError]] = {}
        for element in self.children(root, "import"):
            namespace, name = element.get("namespace") or "", element.get("name") or ""
            if not is_dmn_import(element.get("importType")):
                continue
            problem: DmnModelError | None = None
            if namespace in self.parsed:             # a diamond of imports parses each file once
                found[namespace] = (name, self.parsed[namespace])
                continue
            if namespace in self.stack or namespace == self.namespace:
                problem = self.error(element, None, f"import {name!r} of {namespace!r} is cyclic")
            elif len(self.stack) >= MAX_IMPORT_DEPTH:
                problem = self.error(element, None, f"imports nested deeper than {MAX_IMPORT_DEPTH}")
            else:
                resource = find_import(self.pool, namespace)
                if resource is None:
                    problem = self.error(element, None, f"imported model {namespace!r} ({name!r}) is not "
                                                        f"among the files deployed with this one")
                else:
                    sub = _FileParser(resource[0], resource[1], self.pool, (*self.stack, self.namespace), True,
                                      self.parsed)
                    try:
                        sub.parse()
                    except DmnModelError as exc:
                        problem = exc
                    else:
                        found[namespace] = (name, self.parsed.setdefault(namespace, sub))
                        continue
            found[namespace] = (name, problem)
        return found

    def imported_file(self, href: str, element: Any, owner_id: str | None) -> tuple[str, _FileParser, str] | None:
        """(import name, imported file, id) of an href into an imported model; None for a local href."""
        namespace, sep, target = href.partition("#")
        if not sep or namespace in ("", self.namespace) or namespace not in self.imported:
            return None
        name, sub = self.imported[namespace]
        if isinstance(sub, DmnModelError):
            raise self.error(element, owner_id, f"import {name!r} cannot be used: {sub}")
        return name, sub, target

    def imported_decisions(self, element: Any, key: str) -> list[tuple[str, DecisionModel]]:
        found = []
        for requirement in self.children(element, "informationRequirement"):
            for ref in self.children(requirement, "requiredDecision"):
                imported = self.imported_file(ref.get("href") or "", ref, key)
                if imported is not None:
                    name, sub, target = imported
                    if target not in sub.decisions_by_id:
                        raise self.error(ref, key, f"decision {target!r} not found in import {name!r}")
                    found.append((name, sub.decisions_by_id[target]))
        return found

    def build_service(self, element: Any, root: Any, built: dict[str, DecisionModel]) -> DecisionModel:
        """A decision service as a DecisionModel (kind "decisionService"): evaluable by its key and callable
        from FEEL through a knowledge requirement. When it cannot work it answers null (`compile_error`)."""
        key = element.get("id") or ""
        name = element.get("name") or key
        problem: DmnModelError | None = None
        logic: DecisionService | None = None
        try:
            outputs = tuple(self.service_decision(ref, key, built)
                            for ref in self.service_refs(element, "outputDecision"))
            if not outputs:
                raise self.error(element, key, "the decision service has no output decision")
            parameters = [self.input_data_parameter(ref, key, root) for ref in self.service_refs(element, "inputData")]
            for ref in self.service_refs(element, "inputDecision"):
                decision = self.service_decision(ref, key, built)
                parameters.append(ServiceParameter(decision.name or decision.key, self.decision_type(ref, key, root),
                                                   decision.key))
            variable = self.child(element, "variable")
            output_type = self.function_outputs.get(_local_name(variable.get("typeRef") or "")) \
                if variable is not None else None
            logic = DecisionService(outputs, tuple(parameters),
                                    self.check_type_ref(output_type, element, key) if output_type else None)
        except DmnModelError as exc:
            problem = exc
        return DecisionModel(key=key, name=name, resource_name=self.name, xml=self.content, required=[],
                             hit_policy=None, aggregation=None, kind="decisionService", logic=logic,
                             line=element.sourceline, drd_key=root.get("id"), drd_name=root.get("name"),
                             category=root.get("namespace"), compile_error=problem)

    def service_refs(self, element: Any, tag: str) -> list[tuple[Any, str]]:
        refs = []
        for ref in self.children(element, tag):
            target = self.local_target(ref.get("href") or "")
            if target is None:
                raise self.error(ref, element.get("id"), f"{tag} {ref.get('href')!r} must be '#id' in the same file")
            refs.append((ref, target))
        return refs

    def service_decision(self, ref: tuple[Any, str], key: str, built: dict[str, DecisionModel]) -> DecisionModel:
        element, target = ref
        if target not in built:
            raise self.error(element, key, f"decision {target!r} of the decision service is not in the file")
        return built[target]

    def decision_type(self, ref: tuple[Any, str], key: str, root: Any) -> str | None:
        decision = next((d for d in self.children(root, "decision") if decision_key(d) == ref[1]), None)
        variable = self.child(decision, "variable") if decision is not None else None
        return self.check_type_ref(variable.get("typeRef") if variable is not None else None, ref[0], key)

    def input_data_parameter(self, ref: tuple[Any, str], key: str, root: Any) -> ServiceParameter:
        element, target = ref
        data = next((d for d in self.children(root, "inputData") if d.get("id") == target), None)
        if data is None:
            raise self.error(element, key, f"input data {target!r} of the decision service is not in the file")
        variable = self.child(data, "variable")
        name = data.get("name") or (variable.get("name") if variable is not None else None) or target
        type_ref = self.check_type_ref(variable.get("typeRef") if variable is not None else None, data, key)
        return ServiceParameter(name, type_ref, None)

    def build_or_refuse(self, element: Any, root: Any, required: list[str], built: dict[str, DecisionModel],
                        problem: DmnModelError | None) -> DecisionModel:
        """The decision, or, when it does not compile, a decision that answers null with the compile problem as
        its diagnostic (`compile_error`), and so do the decisions requiring it: the rest of the model works."""
        key = self.key_of(element)
        if problem is None:
            try:
                return self.build_decision(element, root, required, built)
            except DmnModelError as exc:
                problem = exc
        return DecisionModel(key=key or "", name=element.get("name"), resource_name=self.name, xml=self.content,
                             required=list(required), hit_policy=None, aggregation=None,
                             kind=self.logic_tag(element) or "none", line=element.sourceline,
                             drd_key=root.get("id"), drd_name=root.get("name"), category=root.get("namespace"),
                             required_models=tuple(built[r] for r in required if r in built), compile_error=problem)

    def key_of(self, element: Any) -> str:
        """A decision's key: its id (or name); `namespace#id` in an imported file, where ids may repeat."""
        key = decision_key(element) or ""
        return f"{self.namespace}#{key}" if self.qualify else key

    def logic_tag(self, element: Any) -> str | None:
        logic = self.expression_child(element)
        return etree.QName(logic).localname if logic is not None else None

    def collect_declared_names(self, root: Any) -> tuple[str, ...]:
        """Names the model declares (decisions, input data, knowledge models, parameters, context entries,
        input labels and variables) that hold keywords or operator characters.

        Only these may be read as one name inside FEEL text; variables given at evaluation never change
        how a text parses (a variable called "a and b" must not replace the expression `a and b`)."""
        found: set[str] = set()
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            for attr in ("name", "label", f"{{{CAMUNDA_NS}}}inputVariable"):
                value = element.get(attr)
                if value and value.strip() and _is_special_name(value.strip()):
                    found.add(value.strip())
        return tuple(sorted(found))

    def parse_xml(self) -> Any:
        if isinstance(self.content, str):
            self.content = self.content.encode("utf-8")
        if len(self.content) > MAX_DMN_BYTES:
            raise DmnModelError(self.name, None, None, f"file larger than {MAX_DMN_BYTES} bytes")
        # No DTDs, entities or network: a DMN upload is untrusted input (XXE, entity bombs).
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                                 remove_comments=True, remove_pis=True)
        try:
            tree = etree.fromstring(self.content, parser).getroottree()
        except etree.XMLSyntaxError as exc:
            line = exc.lineno if getattr(exc, "lineno", None) else None
            raise DmnModelError(self.name, None, line, f"invalid XML: {exc.msg}") from None
        if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
            raise DmnModelError(self.name, None, 1, "DOCTYPE declarations are not allowed in DMN files")
        return tree.getroot()

    def local_target(self, href: str) -> str | None:
        """The id an href names in this file (`#id`, or `namespace#id` with this file's namespace)."""
        namespace, sep, target = href.partition("#")
        return target if sep and target and namespace in ("", self.namespace) else None

    def required_ids(self, element: Any, by_id: dict[str, Any]) -> list[str]:
        decision_id = decision_key(element)
        required: list[str] = []
        for requirement in self.children(element, "informationRequirement"):
            for ref in self.children(requirement, "requiredDecision"):
                href = ref.get("href") or ""
                if self.imported_file(href, ref, decision_id) is not None:
                    continue    # a decision of an imported model: imported_decisions()
                target = self.local_target(href)
                if target is None:
                    raise self.error(ref, decision_id, f"required decision {href!r} is neither '#id' in the same "
                                                       f"file nor in an imported model")
                if target not in by_id:
                    raise self.error(ref, decision_id, f"required decision {target!r} not found in the file")
                if target not in required:
                    required.append(target)
        return required

    def dependency_order(self, requirements: dict[str, list[str]], by_id: dict[str, Any]) -> list[str]:
        order: list[str] = []
        state: dict[str, int] = {}   # 1 = visiting, 2 = done

        def visit(key: str, path: list[str]) -> None:
            if state.get(key) == 2:
                return
            if state.get(key) == 1:
                cycle = " -> ".join(path[path.index(key):] + [key])
                raise self.error(by_id[key], key, f"cyclic decision requirements: {cycle}")
            state[key] = 1
            for dep in requirements[key]:
                visit(dep, path + [key])
            state[key] = 2
            order.append(key)

        for key in requirements:
            visit(key, [])
        return order

    # -- decisions -----------------------------------------------------------------------------
    def build_decision(self, element: Any, root: Any, required: list[str],
                       built: dict[str, DecisionModel]) -> DecisionModel:
        key = self.key_of(element)
        table_el = self.child(element, "decisionTable")
        literal_el = self.child(element, "literalExpression")
        imported = self.imported_decisions(element, key)
        common = dict(
            key=key, name=element.get("name"), resource_name=self.name, xml=self.content, required=list(required),
            version_tag=element.get(f"{{{CAMUNDA_NS}}}versionTag"),
            history_ttl=element.get(f"{{{CAMUNDA_NS}}}historyTimeToLive"),
            drd_key=root.get("id"), drd_name=root.get("name"), category=root.get("namespace"),
            line=element.sourceline,
            required_models=tuple(built[r] for r in required) + tuple(m for _, m in imported),
            knowledge=self.knowledge_of(element, key),
            import_names=tuple((m.key, name) for name, m in imported),
        )
        if table_el is not None:
            table = self.build_table(table_el, key)
            return DecisionModel(hit_policy=table.hit_policy, aggregation=table.aggregation, kind="decisionTable",
                                 logic=table, **common)
        if literal_el is not None:
            literal = self.build_literal(element, literal_el, key)
            return DecisionModel(hit_policy=None, aggregation=None, kind="literalExpression", logic=literal,
                                 **common)
        for tag in _BOXED_LOGIC:
            logic_el = self.child(element, tag)
            if logic_el is not None:
                variable = self.child(element, "variable")
                type_ref = variable.get("typeRef") if variable is not None else None
                type_ref = self.check_type_ref(type_ref, variable if variable is not None else logic_el, key)
                name = (variable.get("name") if variable is not None else None) or element.get("name") or key
                logic = BoxedDecision(logic_el.get("id"), self.build_expression(logic_el, key, name), name,
                                      type_ref, tag)
                return DecisionModel(hit_policy=None, aggregation=None, kind=tag, logic=logic, **common)
        for tag in _UNSUPPORTED_LOGIC:
            if self.child(element, tag) is not None:
                raise self.error(element, key, f"decision logic <{tag}> is not supported (supported: decisionTable, "
                                               f"literalExpression, {', '.join(_BOXED_LOGIC)})")
        raise self.error(element, key, "decision has no decision logic (decisionTable, literalExpression, ...)")

    # -- boxed expressions and business knowledge models ----------------------------------------
    def expression_child(self, element: Any) -> Any:
        for child in element:
            if isinstance(child.tag, str) and etree.QName(child).namespace == self.ns \
                    and etree.QName(child).localname in _EXPRESSION_TAGS:
                return child
        return None

    def build_expression(self, element: Any, owner_id: str, name: str) -> Box:
        """Compile one boxed expression element (DMN 1.3, 10.2) into a Box."""
        box = self._build_expression(element, owner_id, name)
        tag = etree.QName(element).localname
        # a function's typeRef describes what it returns, not the function value itself
        if tag not in ("literalExpression", "decisionTable", "functionDefinition") and element.get("typeRef"):
            type_ref = self.check_type_ref(element.get("typeRef"), element, owner_id)
            if type_ref:
                box = TypedBox(box, type_ref)
        return box

    def _build_expression(self, element: Any, owner_id: str, name: str) -> Box:
        tag = etree.QName(element).localname
        where = f"{tag} {element.get('id') or ''}".strip()
        if tag == "literalExpression":
            text = self.text_of(element)
            if not text:
                raise self.error(element, owner_id, f"{where}: literal expression is empty")
            cell = self.compile_cell(ExpressionCell, text, element, owner_id, where,
                                     element.get("expressionLanguage"))
            type_ref = element.get("typeRef")
            type_ref = self.check_type_ref(type_ref, element, owner_id)
            return LiteralBox(cell, type_ref)
        if tag == "decisionTable":
            table = self.build_table(element, owner_id)
            stand_in = DecisionModel(key=owner_id, name=name, resource_name=self.name, xml=b"", required=[],
                                     hit_policy=table.hit_policy, aggregation=table.aggregation, logic=table)
            return TableBox(table, stand_in)
        if tag == "context":
            entries: list[ContextEntry] = []
            for entry_el in self.children(element, "contextEntry"):
                variable = self.child(entry_el, "variable")
                body = self.expression_child(entry_el)
                if body is None:
                    raise self.error(entry_el, owner_id, f"{where}: a context entry has no expression")
                entry_name = variable.get("name") if variable is not None else None
                type_ref = self.check_type_ref(variable.get("typeRef") if variable is not None else None,
                                               entry_el, owner_id)
                entries.append(ContextEntry(entry_name, self.build_expression(body, owner_id, entry_name or name),
                                            type_ref))
            return ContextBox(tuple(entries))
        if tag == "list":
            return ListBox(tuple(self.build_expression(c, owner_id, name) for c in element
                                 if isinstance(c.tag, str) and etree.QName(c).localname in _EXPRESSION_TAGS))
        if tag == "relation":
            columns = tuple(c.get("name") or "" for c in self.children(element, "column"))
            rows = []
            for row_el in self.children(element, "row"):
                cells = tuple(self.build_expression(c, owner_id, name) for c in row_el
                              if isinstance(c.tag, str) and etree.QName(c).localname in _EXPRESSION_TAGS)
                if len(cells) != len(columns):
                    raise self.error(row_el, owner_id, f"{where}: a row has {len(cells)} cells for "
                                                       f"{len(columns)} columns")
                rows.append(cells)
            return RelationBox(columns, tuple(rows))
        if tag == "invocation":
            target = self.expression_child(element)
            if target is None:
                raise self.error(element, owner_id, f"{where}: the invocation names no function")
            bindings = []
            for binding_el in self.children(element, "binding"):
                parameter = self.child(binding_el, "parameter")
                if parameter is None or not parameter.get("name"):
                    raise self.error(binding_el, owner_id, f"{where}: a binding has no parameter name")
                value_el = self.expression_child(binding_el)
                bindings.append((parameter.get("name"),
                                 None if value_el is None else self.build_expression(value_el, owner_id, name)))
            return InvocationBox(self.build_expression(target, owner_id, name), tuple(bindings))
        if tag in ("functionDefinition", "encapsulatedLogic"):
            return self.build_function(element, owner_id, name)
        if tag == "conditional":
            return ConditionalBox(*(self.part(element, part, owner_id, name) for part in ("if", "then", "else")))
        if tag == "filter":
            return FilterBox(self.part(element, "in", owner_id, name), self.part(element, "match", owner_id, name))
        if tag in ("for", "some", "every"):
            variable = (element.get("iteratorVariable") or "").strip()
            if not variable:
                raise self.error(element, owner_id, f"{where}: iteratorVariable is missing")
            body = self.part(element, "return" if tag == "for" else "satisfies", owner_id, name)
            return IteratorBox(tag, variable, self.part(element, "in", owner_id, name), body)
        raise self.error(element, owner_id, f"{where}: boxed expression <{tag}> is not supported")

    def part(self, element: Any, part: str, owner_id: str, name: str) -> Box:
        """A child expression of a DMN 1.4 boxed conditional, filter or iterator (`<if>`, `<in>`, ...)."""
        holder = self.child(element, part)
        body = self.expression_child(holder) if holder is not None else None
        if body is None:
            raise self.error(element, owner_id, f"{etree.QName(element).localname}: <{part}> has no expression")
        return self.build_expression(body, owner_id, name)

    def build_function(self, element: Any, owner_id: str, name: str,
                       knowledge: tuple[KnowledgeModel, ...] = ()) -> FunctionBox:
        kind = (element.get("kind") or "FEEL").strip().upper()
        if kind not in ("FEEL", "F", "JAVA", "J"):
            raise self.error(element, owner_id, f"function kind {kind!r} is not supported (FEEL, and Java for "
                                                f"allow-listed java.lang methods; PMML would run code outside "
                                                f"the engine)")
        params = []
        for param in self.children(element, "formalParameter"):
            if not param.get("name"):
                raise self.error(param, owner_id, "a formal parameter has no name")
            params.append((param.get("name"), self.check_type_ref(param.get("typeRef"), param, owner_id)))
        if kind in ("JAVA", "J"):
            return FunctionBox(name, tuple(params), self.java_body(element, owner_id, name, params), knowledge)
        body = self.expression_child(element)
        if body is None:
            raise self.error(element, owner_id, f"function {name!r} has no body")
        return FunctionBox(name, tuple(params), self.build_expression(body, owner_id, name), knowledge)

    def java_body(self, element: Any, owner_id: str, name: str, params: list[tuple[str, str | None]]) -> JavaCallBox:
        """A Java function's body: a context of string literals `class` and `method signature`."""
        from service.expr.feel.java import JavaError, java_function
        body = self.expression_child(element)
        texts: dict[str, str] = {}
        for entry in self.children(body, "contextEntry") if body is not None else []:
            variable = self.child(entry, "variable")
            value = self.expression_child(entry)
            text = self.text_of(value) if value is not None else None
            if variable is not None and text and len(text) >= 2 and text[0] == text[-1] == '"':
                texts[variable.get("name")] = text[1:-1]
        try:
            function = java_function(texts.get("class"), texts.get("method signature"), name,
                                     tuple(p for p, _ in params))
        except JavaError as exc:
            raise self.error(element, owner_id, f"Java function {name!r}: {exc}") from None
        return JavaCallBox(function, tuple(p for p, _ in params))

    def build_knowledge(self, root: Any) -> dict[str, Any]:
        registry: dict[str, Any] = {}
        for service in self.children(root, "decisionService"):
            # a decision service required as knowledge is a function (resolved once the file is parsed)
            if service.get("id"):
                service_id = service.get("id")
                registry[service_id] = ServiceKnowledge(service_id, service.get("name") or service_id,
                                                        self.service_models)
        elements = self.children(root, "businessKnowledgeModel")
        for element in elements:
            bkm_id = element.get("id")
            variable = self.child(element, "variable")
            name = element.get("name") or (variable.get("name") if variable is not None else None)
            if not bkm_id or not name:
                raise self.error(element, bkm_id, "a business knowledge model needs an id and a name")
            logic = self.child(element, "encapsulatedLogic")
            if logic is None:
                continue   # no logic: it cannot be invoked; a decision requiring it gets a model error
            try:
                function = self.build_function(logic, bkm_id, name)
                ids = tuple(self.href_ids(element, "requiredKnowledge", bkm_id))
            except DmnModelError as exc:
                # only the decisions that require it stop working (they answer null with this problem)
                self.broken_knowledge[bkm_id] = str(exc)
                continue
            registry[bkm_id] = KnowledgeModel(bkm_id, name, function, ids, registry)
        changed = True
        while changed:   # a BKM requiring a missing or broken one cannot be invoked either
            changed = False
            for bkm in [m for m in registry.values() if isinstance(m, KnowledgeModel)]:
                missing = next((ref for ref in bkm.knowledge_ids if ref not in registry), None)
                if missing is not None:
                    self.broken_knowledge[bkm.id] = self.knowledge_problem(missing)
                    del registry[bkm.id]
                    changed = True
        return registry

    def knowledge_problem(self, ref: str) -> str:
        if ref in self.broken_knowledge:
            return f"required knowledge {ref!r} does not compile: {self.broken_knowledge[ref]}"
        return f"required knowledge {ref!r} not found in the file (or it has no encapsulated logic)"

    def href_ids(self, element: Any, tag: str, owner_id: str | None) -> list[str]:
        ids: list[str] = []
        for requirement in self.children(element, "knowledgeRequirement"):
            for ref in self.children(requirement, tag):
                href = ref.get("href") or ""
                if self.imported_file(href, ref, owner_id) is not None:
                    continue    # knowledge of an imported model: knowledge_of()
                target = self.local_target(href)
                if target is None:
                    raise self.error(ref, owner_id, f"required knowledge {href!r} is neither '#id' in the same "
                                                    f"file nor in an imported model")
                ids.append(target)
        return ids

    def knowledge_of(self, element: Any, key: str) -> tuple[Any, ...]:
        found: list[Any] = []
        for requirement in self.children(element, "knowledgeRequirement"):
            for ref_el in self.children(requirement, "requiredKnowledge"):
                imported = self.imported_file(ref_el.get("href") or "", ref_el, key)
                if imported is not None:
                    name, sub, target = imported
                    if target not in sub.knowledge:
                        raise self.error(ref_el, key, f"import {name!r}: {sub.knowledge_problem(target)}")
                    found.append(ImportedKnowledge(name, sub.knowledge[target]))
        for ref in self.href_ids(element, "requiredKnowledge", key):
            if ref not in self.knowledge:
                raise self.error(element, key, self.knowledge_problem(ref))
            found.append(self.knowledge[ref])
        return tuple(found)

    def build_literal(self, decision_el: Any, literal_el: Any, key: str) -> LiteralDecision:
        text = self.text_of(literal_el)
        if not text:
            raise self.error(literal_el, key, "literal expression is empty")
        cell = self.compile_cell(ExpressionCell, text, literal_el, key, "literal expression",
                                 literal_el.get("expressionLanguage"))
        variable = self.child(decision_el, "variable")
        name = variable.get("name") if variable is not None else None
        type_ref = variable.get("typeRef") if variable is not None else literal_el.get("typeRef")
        type_ref = self.check_type_ref(type_ref, variable if variable is not None else literal_el, key)
        return LiteralDecision(literal_el.get("id"), cell, name or decision_el.get("name") or key, type_ref)

    def build_table(self, table_el: Any, key: str) -> DecisionTable:
        raw_policy = (table_el.get("hitPolicy") or "UNIQUE").strip().upper()
        hit_policy = _HIT_POLICY_ABBREVIATIONS.get(raw_policy, raw_policy)
        if hit_policy not in HIT_POLICIES:
            raise self.error(table_el, key, f"unknown hit policy {raw_policy!r} (expected one of "
                                            f"{', '.join(HIT_POLICIES)})")
        aggregation = table_el.get("aggregation")
        if aggregation is not None:
            aggregation = aggregation.strip().upper()
            if aggregation not in AGGREGATIONS:
                raise self.error(table_el, key, f"unknown aggregation {aggregation!r} (expected SUM, MIN, MAX "
                                                f"or COUNT)")
            if hit_policy != "COLLECT":
                raise self.error(table_el, key, f"aggregation {aggregation} is only allowed with hit policy "
                                                f"COLLECT, not {hit_policy}")
        inputs = tuple(self.build_input(el, key, n) for n, el in enumerate(self.children(table_el, "input"), 1))
        outputs = self.build_outputs(table_el, key)
        if aggregation and len(outputs) != 1:
            raise self.error(table_el, key, f"COLLECT with {aggregation} needs exactly one output, "
                                            f"the table has {len(outputs)}")
        if hit_policy in ("PRIORITY", "OUTPUT ORDER") and not any(o.priorities for o in outputs):
            raise self.error(table_el, key, f"hit policy {hit_policy} needs outputValues on an output "
                                            f"to order the results")
        rules = tuple(self.build_rule(el, key, n, inputs, outputs)
                      for n, el in enumerate(self.children(table_el, "rule"), 1))
        return DecisionTable(table_el.get("id"), hit_policy, aggregation, inputs, outputs, rules)

    def build_input(self, element: Any, key: str, number: int) -> TableInput:
        input_id = element.get("id") or f"{key}_input{number}"
        label = element.get("label")
        expression_el = self.child(element, "inputExpression")
        text = self.text_of(expression_el)
        if not text:
            raise self.error(element, input_id, f"input {number} ({label or input_id}) has no inputExpression text")
        cell = self.compile_cell(ExpressionCell, text, expression_el, input_id,
                                 f"input expression of input {number} ({label or input_id})",
                                 expression_el.get("expressionLanguage"))
        type_ref = expression_el.get("typeRef")
        type_ref = self.check_type_ref(type_ref, expression_el, input_id)
        values_el = self.child(element, "inputValues")
        values_text = self.text_of(values_el)
        if values_text:
            self.compile_cell(TestCell, values_text, values_el, input_id, "inputValues", None)
        variable = element.get(f"{{{CAMUNDA_NS}}}inputVariable") or "cellInput"
        return TableInput(input_id, label, cell, type_ref, variable, element.sourceline)

    def build_outputs(self, table_el: Any, key: str) -> tuple[TableOutput, ...]:
        elements = self.children(table_el, "output")
        if not elements:
            raise self.error(table_el, key, "the decision table has no output")
        outputs: list[TableOutput] = []
        seen: set[str] = set()
        for number, element in enumerate(elements, 1):
            output_id = element.get("id") or f"{key}_output{number}"
            name = element.get("name")
            if not name:
                if len(elements) > 1:
                    raise self.error(element, output_id, f"output {number} needs a name: the table has "
                                                         f"{len(elements)} outputs")
                name = element.get("label") or output_id
            if name in seen:
                raise self.error(element, output_id, f"duplicate output name {name!r}")
            seen.add(name)
            type_ref = element.get("typeRef")
            type_ref = self.check_type_ref(type_ref, element, output_id)
            values_el = self.child(element, "outputValues")
            priorities = self.output_values(values_el, output_id) if values_el is not None else ()
            default_el = self.child(element, "defaultOutputEntry")
            default_text = self.text_of(default_el)
            default = None
            if default_text:
                default = self.compile_cell(ExpressionCell, default_text, default_el, output_id,
                                            f"defaultOutputEntry of output {name}",
                                            default_el.get("expressionLanguage"))
            outputs.append(TableOutput(output_id, name, element.get("label"), type_ref, priorities,
                                       element.sourceline, default))
        return tuple(outputs)

    def output_values(self, values_el: Any, output_id: str) -> tuple[Any, ...]:
        text = self.text_of(values_el)
        if not text:
            return ()
        self.compile_cell(TestCell, text, values_el, output_id, "outputValues", None)
        values: list[Any] = []
        for item in split_top_level(text):
            cell = self.compile_cell(ExpressionCell, item, values_el, output_id, "outputValues", None)
            diagnostics: list[str] = []
            try:
                value = cell.evaluate({}, _CONSTANT_LIMITS, diagnostics)
            except ExpressionError as exc:
                raise self.error(values_el, output_id, f"outputValues: {exc}") from None
            if value is None:
                raise self.error(values_el, output_id, f"outputValues: {item!r} is not a constant value")
            values.append(value)
        return tuple(values)

    def build_rule(self, element: Any, key: str, number: int, inputs: tuple[TableInput, ...],
                   outputs: tuple[TableOutput, ...]) -> TableRule:
        rule_id = element.get("id") or f"{key}_rule{number}"
        entries = self.children(element, "inputEntry")
        out_entries = self.children(element, "outputEntry")
        if len(entries) != len(inputs):
            raise self.error(element, rule_id, f"rule {number} has {len(entries)} input entries, "
                                               f"the table has {len(inputs)} inputs")
        if len(out_entries) != len(outputs):
            raise self.error(element, rule_id, f"rule {number} has {len(out_entries)} output entries, "
                                               f"the table has {len(outputs)} outputs")
        tests: list[TestCell | None] = []
        for table_input, entry in zip(inputs, entries, strict=False):
            text = self.text_of(entry) or ""
            if is_any(text):
                tests.append(None)
                continue
            tests.append(self.compile_cell(
                TestCell, text, entry, rule_id,
                f"rule {number}, input entry for {table_input.label or table_input.id}",
                entry.get("expressionLanguage"), input_variable=table_input.variable))
        cells: list[ExpressionCell | None] = []
        for table_output, entry in zip(outputs, out_entries, strict=False):
            text = self.text_of(entry) or ""
            if not text:
                cells.append(None)
                continue
            cells.append(self.compile_cell(
                ExpressionCell, text, entry, rule_id,
                f"rule {number}, output entry for {table_output.name}", entry.get("expressionLanguage")))
        annotation = None
        annotation_el = self.child(element, "annotationEntry")
        if annotation_el is not None:
            annotation = self.text_of(annotation_el) or None
        if annotation is None:
            description = self.child(element, "description")   # DMN 1.1 and Camunda's annotation column
            if description is not None and description.text and description.text.strip():
                annotation = description.text.strip()
        return TableRule(rule_id, number, tuple(tests), tuple(cells), annotation, element.sourceline)

    def check_type_ref(self, type_ref: str | None, element: Any, owner_id: str) -> str | None:
        """The typeRef to coerce with: an item definition's name becomes its FEEL type (DMN 1.3, 7.3.2)."""
        if not type_ref:
            return None
        prefix, dot, rest = type_ref.strip().partition(".")
        imported = next((sub for name, sub in self.imported.values() if name == prefix), None) if dot else None
        if isinstance(imported, _FileParser) and rest in imported.item_types:
            type_ref = imported.item_types[rest]     # `myimport.tPerson`
        type_ref = self.item_types.get(_local_name(type_ref), type_ref)
        try:
            feel.type_check(None, type_ref)
        except (ValueError, ExpressionError) as exc:
            raise self.error(element, owner_id, f"unknown typeRef {type_ref!r}: {exc}") from None
        return type_ref

    def build_item_types(self, root: Any) -> dict[str, str]:
        """FEEL type of each itemDefinition: its base type, `context<component: type, ...>` for a structure
        (every component present, null allowed, more entries allowed: DMN 1.5 and TCK 0082),
        `function<...>->output` for a function item, `list<...>` for a collection (DMN 1.3, 7.3.2 and
        10.3.2.9.4). A structure whose component names FEEL cannot spell is only checked to be a context."""
        elements = {el.get("name"): el for el in self.children(root, "itemDefinition") if el.get("name")}
        resolved: dict[str, str] = {}

        def type_of(element: Any, visiting: frozenset[str]) -> str:
            base = plain_type_of(element, visiting)
            allowed_el = self.child(element, "allowedValues")
            text = self.text_of(allowed_el)
            if not text:
                return base
            typed = ItemType(base)
            typed.allowed = self.compile_cell(lambda t, *_: feel.compile_unary_tests(t), text, allowed_el,
                                              element.get("name") or element.get("id"), "allowedValues", None)
            typed.allowed_text = text
            typed.collection = (element.get("isCollection") or "").strip() == "true"
            return typed

        def resolve(ref: str | None, visiting: frozenset[str]) -> str:
            if not ref or not ref.strip():
                return "Any"
            local = _local_name(ref.strip())
            if local in elements:
                return "Any" if local in visiting else _strip_prefix(named(local, visiting))
            return _strip_prefix(ref.strip())

        def plain_type_of(element: Any, visiting: frozenset[str]) -> str:
            components = self.children(element, "itemComponent")
            function = self.child(element, "functionItem")
            if components:
                fields = ", ".join(f"{c.get('name')}: {_strip_prefix(plain_type_of(c, visiting))}" for c in components)
                base = _feel_type_or(f"context<{fields}>", "context")
            elif function is not None:
                params = ", ".join(resolve(p.get("typeRef"), visiting) for p in self.children(function, "parameters"))
                output = resolve(function.get("outputTypeRef"), visiting)
                base = _feel_type_or(f"function<{params}>->{output}", "function")
                if element.get("name"):
                    self.function_outputs[element.get("name")] = output
            else:
                ref_el = self.child(element, "typeRef")
                ref = (ref_el.text or "").strip() if ref_el is not None else ""
                local = _local_name(ref) if ref else ""
                if not ref:
                    base = "Any"
                elif local in elements:
                    base = "Any" if local in visiting else named(local, visiting)
                else:
                    base = ref
            if (element.get("isCollection") or "").strip() == "true":
                return f"list<{_strip_prefix(base)}>"
            return base

        def named(name: str, visiting: frozenset[str]) -> str:
            if name not in resolved:
                resolved[name] = type_of(elements[name], visiting | {name})
            return resolved[name]

        for name in elements:
            named(name, frozenset())
        return resolved


def decision_key(element: Any) -> str | None:
    """A decision's key: its id, or (DMN 1.1 allows a decision without an id) its name."""
    return element.get("id") or (element.get("name") or "").strip() or None


def _feel_type_or(text: str, fallback: str) -> str:
    """`text` when FEEL reads it as a type, else `fallback` (a component name with operator characters)."""
    from service.expr.feel.parser import parse_type_ref
    try:
        parse_type_ref(text)
    except ExpressionError:
        return fallback
    return text


def _local_name(type_ref: str) -> str:
    """`tns:tLoan` -> `tLoan` (a namespace prefix of an item definition reference)."""
    name = type_ref.strip()
    prefix, sep, rest = name.partition(":")
    return rest if sep and " " not in prefix and "<" not in prefix else name


def _strip_prefix(type_ref: str) -> str:
    for prefix in ("feel:", "xsd:", "xs:"):
        if type_ref.startswith(prefix):
            return type_ref[len(prefix):]
    return type_ref


def _clip(text: str) -> str:
    return text if len(text) <= 200 else text[:200] + "..."


def split_top_level(text: str) -> list[str]:
    """Split a comma-separated list of FEEL values, ignoring commas inside strings and brackets."""
    items: list[str] = []
    depth = 0
    current: list[str] = []
    in_string = False
    i = 0
    while i < len(text):
        ch = text[i]
        if in_string:
            current.append(ch)
            if ch == "\\" and i + 1 < len(text):
                current.append(text[i + 1])
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
            current.append(ch)
        elif ch in "([{":
            depth += 1
            current.append(ch)
        elif ch in ")]}":
            depth -= 1
            current.append(ch)
        elif ch == "," and depth == 0:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
        i += 1
    items.append("".join(current).strip())
    return [item for item in items if item]


_SIMPLE_NAME = re.compile(r"[^\W\d]\w*(?: +\w+)*\Z")


def _is_special_name(name: str) -> bool:
    """A name the FEEL parser cannot find without being told: it holds keywords or operator characters."""
    from service.expr.feel.lexer import KEYWORDS
    return not _SIMPLE_NAME.match(name) or any(word in KEYWORDS for word in name.split())


def parse_dmn(name: str, content: bytes, *, imports: Mapping[str, bytes] | None = None) -> list[DecisionModel]:
    """Parse a DMN 1.1-1.5 file into its decisions (in file order), then its decision services; raises
    DmnModelError. `imports`: other DMN files (resource name -> content) its <import>s may name."""
    return _FileParser(name, content, imports).parse()
