"""Which bindings reach each statement of one scope: Python's flow, on tree-sitter's tree.

:func:`walk_scope` walks the statements of one scope in execution order and records, before
every statement (and before the header of every compound statement), which bindings of
each name may reach it: the nearest preceding assignment on every path. ``if``/``elif``/
``else``, ``match`` cases and ``try`` handlers fork and join; loops run until their
bindings settle (a use at the top of a loop body also sees the assignments further down);
``return``, ``raise``, ``break`` and ``continue`` end a path; ``del`` unbinds; ``from m
import *`` may rebind anything. It is purely syntactic: what a binding's value *is* gets
computed later, on demand (:mod:`torch_notes.analysis.receivers`).

Nested scopes (functions, classes, lambdas, comprehensions) are not entered: each has its
own walk. The tree may contain errors: statements inside an ``ERROR`` node are walked like
a block, so half-typed code still gets its bindings.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tree_sitter import Node

from torch_notes.analysis.pause import pause
from torch_notes.analysis.scopes import (
    COMPREHENSIONS,
    decorator_names,
    enclosing_class,
    first_clause_targets,
    is_parameter_name,
)

# How a binding gets its value (see :class:`Binding`).
ASSIGN = "assign"
AUGMENT = "augment"
ITERATE = "iterate"
WITH = "with"
EXCEPT = "except"
IMPORT = "import"
DEFINE = "define"
PARAMETER = "parameter"
DELETE = "delete"
WILDCARD = "wildcard"
CAPTURE = "capture"
NARROW = "narrow"

WILDCARD_NAME = "*"
"""The pseudo-name under which ``from m import *`` is recorded."""

Env = dict[str, frozenset[int]]
"""Name → indexes of the bindings that may reach a point (never mutated once recorded)."""


@dataclass(frozen=True, slots=True)
class Binding:
    """One place where a name gets a value.

    ``source`` is what flows in: the right-hand side (``ASSIGN``, ``AUGMENT``), the iterable
    (``ITERATE``), the context manager (``WITH``), the statement (``IMPORT``), the
    definition (``DEFINE``), the parameter node (``PARAMETER``); ``path`` picks the element
    when the target unpacks (``a, (b, c) = …`` gives ``b`` the path ``(1, 0)``; ``-1`` marks
    a starred target). ``dotted`` is what an import binds the name to.
    """

    name: str
    how: str
    target: Node
    source: Node | None = None
    path: tuple[int, ...] = ()
    dotted: str = ""


@dataclass(slots=True)
class Flow:
    """The bindings of one scope and which of them reach each statement."""

    scope: Node
    bindings: list[Binding] = field(default_factory=list)
    by_name: dict[str, list[int]] = field(default_factory=dict)
    """Every binding of each name in the scope, in source order."""
    before: dict[int, Env] = field(default_factory=dict)
    """Statement (or header) node id → the bindings reaching it."""
    declared_global: set[str] = field(default_factory=set)
    declared_nonlocal: set[str] = field(default_factory=set)
    returns: list[Node] = field(default_factory=list)
    """Expressions of the scope's ``return`` statements."""
    yields: bool = False
    self_attributes: dict[str, list[int]] = field(default_factory=dict)
    """In a method: ``self.<name> = …`` → indexes of bindings recording those assignments."""
    self_name: str | None = None
    end: Env | None = None
    """The bindings reaching the end of the scope (``None`` when every path leaves early)."""

    def is_local(self, name: str) -> bool:
        """Whether ``name`` is bound in this scope (and not declared global or nonlocal)."""
        if name not in self.by_name:
            return False
        if self.scope.parent is None:
            return True  # ``global x`` at module level changes nothing
        return name not in self.declared_global and name not in self.declared_nonlocal

    def env_at(self, node: Node) -> Env | None:
        """The bindings reaching the innermost recorded statement around ``node``."""
        current: Node | None = node
        scope_id = self.scope.id
        while current is not None and current.id != scope_id:
            found = self.before.get(current.id)
            if found is not None:
                return found
            current = current.parent
        return None


_SIMPLE_TARGETS = frozenset({"pattern_list", "tuple_pattern", "list_pattern", "tuple", "list"})
_LOOP_PASSES = 3


def _join(*envs: Env | None) -> Env | None:
    """Union of the bindings of the live environments (``None`` when none is live)."""
    live = [env for env in envs if env is not None]
    if not live:
        return None
    if len(live) == 1:
        return live[0]
    result = dict(live[0])
    for env in live[1:]:
        for name, ids in env.items():
            present = result.get(name)
            result[name] = ids if present is None else present | ids
    return result


class _Walker:
    """Walks one scope's statements, filling a :class:`Flow`."""

    def __init__(self, flow: Flow, source: bytes) -> None:
        self.flow = flow
        self.source = source
        self.loops: list[tuple[list[Env], list[Env]]] = []
        self.tries: list[list[Env]] = []

    def text(self, node: Node) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "replace")

    # -- bindings ---------------------------------------------------------------------

    def bind(self, env: Env, binding: Binding) -> Env:
        flow = self.flow
        index = len(flow.bindings)
        flow.bindings.append(binding)
        flow.by_name.setdefault(binding.name, []).append(index)
        changed = dict(env)
        changed[binding.name] = frozenset((index,))
        return changed

    def bind_target(
        self, env: Env, target: Node, how: str, source: Node | None, path: tuple[int, ...] = ()
    ) -> Env:
        """Bind every name in an assignment target (unpacking tuples and lists)."""
        kind = target.type
        if kind == "identifier":
            return self.bind(env, Binding(self.text(target), how, target, source, path))
        if kind in _SIMPLE_TARGETS or kind == "expression_list":
            for position, child in enumerate(target.named_children):
                if child.type in ("list_splat_pattern", "list_splat"):
                    inner = child.named_children[0] if child.named_children else None
                    if inner is not None:
                        env = self.bind_target(env, inner, how, source, (*path, -1))
                else:
                    env = self.bind_target(env, child, how, source, (*path, position))
            return env
        if kind in ("parenthesized_expression", "as_pattern_target"):
            for child in target.named_children:
                env = self.bind_target(env, child, how, source, path)
            return env
        if kind == "attribute" and self.flow.self_name is not None:
            owner, attribute = (
                target.child_by_field_name("object"),
                target.child_by_field_name("attribute"),
            )
            if (
                owner is not None
                and attribute is not None
                and owner.type == "identifier"
                and self.text(owner) == self.flow.self_name
            ):
                flow = self.flow
                index = len(flow.bindings)
                flow.bindings.append(Binding(self.text(attribute), how, target, source, path))
                flow.self_attributes.setdefault(self.text(attribute), []).append(index)
        return env

    # -- statements -------------------------------------------------------------------

    def record(self, node: Node, env: Env) -> None:
        self.flow.before[node.id] = env
        if self.tries:
            self.tries[-1].append(env)

    def block(self, nodes: Iterator[Node] | list[Node], env: Env | None) -> Env | None:
        """Walk statements in order; after a path ends, the rest is walked only for the record."""
        shadow: Env = env if env is not None else {}
        for node in nodes:
            pause()
            if env is None:
                self.statement(node, shadow)  # unreachable code: recorded, not joined
                continue
            shadow = env
            env = self.statement(node, env)
        return env

    def body(self, node: Node | None, env: Env | None) -> Env | None:
        if node is None:
            return env
        if node.type == "block":
            return self.block(node.named_children, env)
        return self.block([node], env)

    def statement(self, node: Node, env: Env) -> Env | None:
        kind = node.type
        if kind == "comment":
            return env
        self.record(node, env)
        if kind == "expression_statement":
            return self.expression_statement(node, env)
        if kind in ("if_statement",):
            return self.if_statement(node, env)
        if kind in ("for_statement", "while_statement"):
            return self.loop(node, env)
        if kind == "try_statement":
            return self.try_statement(node, env)
        if kind == "with_statement":
            return self.with_statement(node, env)
        if kind == "match_statement":
            return self.match_statement(node, env)
        if kind == "decorated_definition":
            definition = node.child_by_field_name("definition")
            return env if definition is None else self.statement(definition, env)
        if kind in ("function_definition", "class_definition"):
            name = node.child_by_field_name("name")
            if name is None:
                return env
            return self.bind(env, Binding(self.text(name), DEFINE, name, node))
        if kind in ("import_statement", "import_from_statement"):
            return self.import_statement(node, env)
        if kind == "return_statement":
            if node.named_children:
                self.flow.returns.append(node.named_children[0])
            return None
        if kind == "raise_statement":
            return None
        if kind in ("break_statement", "continue_statement"):
            if self.loops:
                self.loops[-1][0 if kind == "break_statement" else 1].append(env)
            return None
        if kind == "delete_statement":
            return self.delete_statement(node, env)
        if kind in ("global_statement", "nonlocal_statement"):
            declared = (
                self.flow.declared_global
                if kind == "global_statement"
                else self.flow.declared_nonlocal
            )
            declared.update(self.text(child) for child in node.named_children)
            return env
        if kind in ("block", "ERROR", "module"):
            return self.block(node.named_children, env)
        if kind in ("assignment", "augmented_assignment"):
            return self.assignment(node, env)
        return self.walrus(node, env)

    def expression_statement(self, node: Node, env: Env) -> Env:
        for child in node.named_children:
            if child.type in ("assignment", "augmented_assignment"):
                env = self.assignment(child, env)
            elif child.type == "yield":
                self.flow.yields = True
                env = self.walrus(child, env)
            else:
                env = self.walrus(child, env)
        return env

    def assignment(self, node: Node, env: Env) -> Env:
        """``a = b = value``, ``a: T = value``, ``a += value`` (targets bound right to left)."""
        env = self.walrus(node.child_by_field_name("right"), env)
        targets = []
        current: Node | None = node
        while current is not None and current.type in ("assignment", "augmented_assignment"):
            targets.append(current)
            right = current.child_by_field_name("right")
            if right is None or right.type not in ("assignment", "augmented_assignment"):
                break
            current = right
        value = targets[-1].child_by_field_name("right")
        if value is not None and value.type == "yield":
            self.flow.yields = True
        for statement in targets:
            left = statement.child_by_field_name("left")
            if left is None:
                continue
            if statement.type == "augmented_assignment":
                if left.type == "identifier":
                    how = AUGMENT
                    env = self.bind(env, Binding(self.text(left), how, left, statement))
                continue
            if value is None:  # ``x: int``: an annotation only
                continue
            env = self.bind_target(env, left, ASSIGN, value)
        return env

    def walrus(self, node: Node | None, env: Env) -> Env:
        """Bind the targets of ``:=`` inside an expression (not inside nested functions)."""
        if node is None or b":=" not in self.source[node.start_byte : node.end_byte]:
            return env
        for found in _named_expressions(node):
            name, value = found.child_by_field_name("name"), found.child_by_field_name("value")
            if name is not None:
                env = self.bind(env, Binding(self.text(name), ASSIGN, name, value))
        return env

    def narrow(self, condition: Node | None, env: Env) -> Env:
        """``if isinstance(x, torch.Tensor):``: in the branch, ``x`` is one of those."""
        while condition is not None and condition.type == "parenthesized_expression":
            condition = condition.named_children[0] if condition.named_children else None
        if condition is None:
            return env
        if condition.type == "boolean_operator" and self.text(condition).find(" and ") != -1:
            operator = condition.child_by_field_name("operator")
            if operator is not None and operator.type == "and":
                env = self.narrow(condition.child_by_field_name("left"), env)
                return self.narrow(condition.child_by_field_name("right"), env)
            return env
        if condition.type != "call":
            return env
        function = condition.child_by_field_name("function")
        arguments = condition.child_by_field_name("arguments")
        if function is None or arguments is None or self.text(function) != "isinstance":
            return env
        parts = [c for c in arguments.named_children if c.type != "comment"]
        if len(parts) != 2 or parts[0].type != "identifier":
            return env
        name = self.text(parts[0])
        if name not in env:
            return env
        return self.bind(env, Binding(name, NARROW, parts[0], parts[1]))

    def if_statement(self, node: Node, env: Env) -> Env | None:
        env = self.walrus(node.child_by_field_name("condition"), env)
        narrowed = self.narrow(node.child_by_field_name("condition"), env)
        branches = [self.body(node.child_by_field_name("consequence"), narrowed)]
        has_else = False
        for alternative in node.children_by_field_name("alternative"):
            if alternative.type == "elif_clause":
                self.record(alternative, env)
                env = self.walrus(alternative.child_by_field_name("condition"), env)
                branches.append(self.body(alternative.child_by_field_name("consequence"), env))
            else:
                has_else = True
                branches.append(self.body(alternative.child_by_field_name("body"), env))
        if not has_else:
            branches.append(env)
        return _join(*branches)

    def loop(self, node: Node, env: Env) -> Env | None:
        """``for``/``while``: the body runs with the bindings of every earlier iteration."""
        head: Env = env
        if node.type == "for_statement":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            head = self.walrus(right, head)
            env = head
        else:
            left = right = None
            head = self.walrus(node.child_by_field_name("condition"), head)
            env = head
        breaks: list[Env] = []
        for _ in range(_LOOP_PASSES):
            breaks, continues = [], []
            self.loops.append((breaks, continues))
            start = head if left is None else self.bind_target(head, left, ITERATE, right)
            self.record(node, head)
            end = self.body(node.child_by_field_name("body"), start)
            self.loops.pop()
            settled = _join(env, end, *continues)
            if settled == head or settled is None:
                break
            head = settled
        after = _join(head, *breaks)
        alternative = node.child_by_field_name("alternative")
        if alternative is not None:
            done = self.body(alternative.child_by_field_name("body"), head)
            after = _join(done, *breaks)
        return after

    def try_statement(self, node: Node, env: Env) -> Env | None:
        seen: list[Env] = [env]
        self.tries.append(seen)
        body_end = self.body(node.child_by_field_name("body"), env)
        self.tries.pop()
        if self.tries:
            self.tries[-1].extend(seen)
        anywhere = _join(*seen, body_end) or env
        ends: list[Env | None] = []
        else_end: Env | None = body_end
        finally_clause = None
        for child in node.named_children:
            if child.type in ("except_clause", "except_group_clause"):
                ends.append(self.handler(child, anywhere))
            elif child.type == "else_clause":
                else_end = self.body(child.child_by_field_name("body"), body_end)
            elif child.type == "finally_clause":
                finally_clause = child
        ends.append(else_end)
        after = _join(*ends)
        if finally_clause is not None:
            block = next((c for c in finally_clause.named_children if c.type == "block"), None)
            finally_end = self.body(block, _join(after, anywhere) or env)
            after = None if after is None else finally_end
        return after

    def handler(self, clause: Node, env: Env) -> Env | None:
        self.record(clause, env)
        for child in clause.named_children:
            if child.type == "as_pattern":
                alias = child.child_by_field_name("alias")
                if alias is not None:
                    env = self.bind_target(env, alias, EXCEPT, child)
            elif child.type == "block":
                return self.body(child, env)
        return env

    def with_statement(self, node: Node, env: Env) -> Env | None:
        for clause in node.named_children:
            if clause.type != "with_clause":
                continue
            for item in clause.named_children:
                value = item.child_by_field_name("value") if item.type == "with_item" else None
                if value is not None and value.type == "as_pattern":
                    alias = value.child_by_field_name("alias")
                    expression = value.named_children[0] if value.named_children else None
                    if alias is not None:
                        env = self.bind_target(env, alias, WITH, expression)
                else:
                    env = self.walrus(value, env)
        return self.body(node.child_by_field_name("body"), env)

    def match_statement(self, node: Node, env: Env) -> Env | None:
        body = node.child_by_field_name("body")
        branches: list[Env | None] = [env]
        for case in body.named_children if body is not None else ():
            if case.type != "case_clause":
                continue
            self.record(case, env)
            start = env
            for pattern in case.named_children:
                if pattern.type == "case_pattern":
                    for name in _captures(pattern):
                        start = self.bind(start, Binding(self.text(name), CAPTURE, name))
            branches.append(self.body(case.child_by_field_name("consequence"), start))
        return _join(*branches)

    def import_statement(self, node: Node, env: Env) -> Env:
        module = node.child_by_field_name("module_name")
        if node.type == "import_from_statement":
            if module is None:
                return env
            base = self.text(module).replace(" ", "")
            if any(child.type == "wildcard_import" for child in node.named_children):
                return self.wildcard(node, env, base)
            for name in node.children_by_field_name("name"):
                env = self.import_name(env, name, base + ".")
            return env
        for name in node.children_by_field_name("name"):
            env = self.import_name(env, name, "")
        return env

    def import_name(self, env: Env, name: Node, prefix: str) -> Env:
        if name.type == "aliased_import":
            target, alias = name.child_by_field_name("name"), name.child_by_field_name("alias")
            if target is None or alias is None:
                return env
            dotted = prefix + self.text(target).replace(" ", "")
            return self.bind(env, Binding(self.text(alias), IMPORT, alias, name, dotted=dotted))
        if name.type != "dotted_name" or not name.named_children:
            return env
        if prefix:  # from m import a
            dotted = prefix + self.text(name).replace(" ", "")
            return self.bind(
                env, Binding(self.text(name).replace(" ", ""), IMPORT, name, name, dotted=dotted)
            )
        first = name.named_children[0]  # import a.b binds a
        return self.bind(
            env, Binding(self.text(first), IMPORT, first, name, dotted=self.text(first))
        )

    def wildcard(self, node: Node, env: Env, module: str) -> Env:
        flow = self.flow
        index = len(flow.bindings)
        flow.bindings.append(Binding(WILDCARD_NAME, WILDCARD, node, dotted=module))
        flow.by_name.setdefault(WILDCARD_NAME, []).append(index)
        mark = frozenset((index,))
        changed = {name: ids | mark for name, ids in env.items()}
        changed[WILDCARD_NAME] = mark
        return changed

    def delete_statement(self, node: Node, env: Env) -> Env:
        for target in node.named_children:
            names = target.named_children if target.type == "expression_list" else [target]
            for name in names:
                if name.type == "identifier":
                    env = self.bind(env, Binding(self.text(name), DELETE, name))
        return env


def _named_expressions(node: Node) -> Iterator[Node]:
    """``:=`` expressions under ``node``, not inside nested functions or classes."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "named_expression":
            yield current
        if current.type in ("lambda", "function_definition", "class_definition"):
            continue
        stack.extend(reversed(current.named_children))


def _captures(pattern: Node) -> Iterator[Node]:
    """Names a ``case`` pattern captures (a lone name; not dotted constants, not ``_``)."""
    stack = [pattern]
    while stack:
        current = stack.pop()
        if current.type == "dotted_name" and current.named_child_count == 1:
            name = current.named_children[0]
            parent = current.parent
            if parent is not None and parent.type != "class_pattern" and name.text != b"_":
                yield name
            continue
        if current.type == "identifier" and current.parent is not None:
            if current.parent.type in ("as_pattern", "splat_pattern", "keyword_pattern"):
                yield current
            continue
        stack.extend(current.named_children)


def _parameters(walker: _Walker, parameters: Node, env: Env) -> Env:
    """Bind every parameter name of a ``def`` or ``lambda``."""
    stack = [parameters]
    while stack:
        current = stack.pop()
        if current.type == "identifier":
            if is_parameter_name(current, parameters):
                env = walker.bind(
                    env, Binding(walker.text(current), PARAMETER, current, current.parent)
                )
            continue
        if current.type in ("type", "lambda"):
            continue
        stack.extend(reversed(current.named_children))
    return env


def method_self_name(function: Node, source: bytes) -> str | None:
    """The name of a method's instance parameter (``self``), ``None`` for other functions."""
    if enclosing_class(function) is None:
        return None
    decorators = decorator_names(function)
    if "staticmethod" in decorators or "classmethod" in decorators:
        return None
    parameters = function.child_by_field_name("parameters")
    if parameters is None or not parameters.named_children:
        return None
    first = parameters.named_children[0]
    if first.type in ("typed_parameter",):
        first = first.named_children[0] if first.named_children else first
    if first.type != "identifier":
        return None
    return source[first.start_byte : first.end_byte].decode("utf-8", "replace")


def walk_scope(scope: Node, source: bytes) -> Flow:
    """The :class:`Flow` of one scope node (module, function, lambda, class, comprehension)."""
    flow = Flow(scope)
    walker = _Walker(flow, source)
    kind = scope.type
    env: Env = {}
    if kind in ("function_definition", "lambda"):
        parameters = scope.child_by_field_name("parameters")
        if parameters is not None:
            env = _parameters(walker, parameters, env)
        if kind == "function_definition":
            flow.self_name = method_self_name(scope, source)
            walker.body(scope.child_by_field_name("body"), env)
        else:
            body = scope.child_by_field_name("body")
            if body is not None:
                walker.record(body, env)
                flow.returns.append(body)
        return flow
    if kind == "class_definition":
        walker.body(scope.child_by_field_name("body"), env)
        return flow
    if kind in COMPREHENSIONS:
        for clause in scope.named_children:
            if clause.type == "for_in_clause":
                left = clause.child_by_field_name("left")
                if left is not None:
                    env = walker.bind_target(
                        env, left, ITERATE, clause.child_by_field_name("right")
                    )
        for child in scope.named_children:
            walker.record(child, env)
        if first_clause_targets(scope) is None:
            return flow
        return flow
    flow.end = walker.block(scope.named_children, env)
    return flow
