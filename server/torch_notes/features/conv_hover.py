"""The output-size formula of a 2-d convolution or pooling call, filled in with its literals.

From notes ``architecture.conv_output_size`` and ``architecture.pool_output_size``: along
each spatial dimension ``out = floor((in + 2·p − d·(k−1) − 1) / s) + 1`` (``ceil`` with
``ceil_mode=True``, dropping a last window that would start in the right padding).
:func:`conv_hover` returns Markdown the hover feature can append; :func:`output_size` is
the formula itself (checked against ``nn.Conv2d``/``nn.MaxPool2d`` by the test suite).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tree_sitter import Node, Point

from torch_notes.analysis.document import SourceDocument
from torch_notes.analysis.expressions import dotted_chain

COMMON_SIZES: tuple[int, ...] = (28, 32, 64, 224)
"""Input sizes shown in the table (MNIST, CIFAR, small images, ImageNet)."""

Pair = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Signature:
    """Where a layer or function takes its geometry: parameter names in positional order."""

    label: str
    params: tuple[str, ...]
    pool: bool
    kernel_from_weight: bool = False


SIGNATURES: dict[str, Signature] = {
    "torch.nn.Conv2d": Signature(
        "nn.Conv2d",
        ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation"),
        pool=False,
    ),
    "torch.nn.MaxPool2d": Signature(
        "nn.MaxPool2d",
        ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"),
        pool=True,
    ),
    "torch.nn.AvgPool2d": Signature(
        "nn.AvgPool2d", ("kernel_size", "stride", "padding", "ceil_mode"), pool=True
    ),
    "torch.nn.functional.conv2d": Signature(
        "F.conv2d",
        ("input", "weight", "bias", "stride", "padding", "dilation"),
        pool=False,
        kernel_from_weight=True,
    ),
    "torch.nn.functional.max_pool2d": Signature(
        "F.max_pool2d",
        ("input", "kernel_size", "stride", "padding", "dilation", "ceil_mode"),
        pool=True,
    ),
    "torch.nn.functional.avg_pool2d": Signature(
        "F.avg_pool2d", ("input", "kernel_size", "stride", "padding", "ceil_mode"), pool=True
    ),
}
_WEIGHT_FACTORIES = frozenset(
    {"torch.randn", "torch.rand", "torch.zeros", "torch.ones", "torch.empty"}
)


@dataclass(frozen=True, slots=True)
class Geometry:
    """Kernel, stride, padding and dilation per spatial dimension (height, width)."""

    kernel: Pair | None
    """``None`` when the kernel is not visible (``F.conv2d`` with a weight variable)."""
    stride: Pair
    padding: Pair
    dilation: Pair
    ceil_mode: bool = False
    same: bool = False
    """``padding="same"``: the output keeps the input size (stride 1 only)."""


def output_size(
    size: int,
    kernel: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    *,
    ceil_mode: bool = False,
) -> int:
    """The output length along one dimension (may be ≤ 0: the input is too small)."""  # fmt: skip
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    if not ceil_mode:
        return math.floor(span / stride) + 1
    out = math.ceil(span / stride) + 1
    if (out - 1) * stride >= size + padding:  # the last window would start in the padding
        out -= 1
    return out


# -- reading literals --------------------------------------------------------------------


class _NotLiteral(Exception):
    pass


def _int(doc: SourceDocument, node: Node) -> int:
    while node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    if node.type == "integer":
        return int(doc.node_text(node).replace("_", ""), 0)
    if node.type == "unary_operator" and doc.node_text(node).startswith("-"):
        argument = node.child_by_field_name("argument")
        if argument is not None:
            return -_int(doc, argument)
    raise _NotLiteral


def _pair(doc: SourceDocument, node: Node | None, default: Pair | None) -> Pair:
    if node is None:
        if default is None:
            raise _NotLiteral
        return default
    if node.type in ("tuple", "list"):
        values = [_int(doc, child) for child in node.named_children]
        if len(values) != 2:
            raise _NotLiteral
        return values[0], values[1]
    value = _int(doc, node)
    return value, value


def _bool(doc: SourceDocument, node: Node | None) -> bool:
    if node is None:
        return False
    if node.type in ("true", "false"):
        return node.type == "true"
    raise _NotLiteral


def _arguments(call: Node, signature: Signature) -> dict[str, Node] | None:
    arguments = call.child_by_field_name("arguments")
    if arguments is None or arguments.type != "argument_list":
        return None
    found: dict[str, Node] = {}
    position = 0
    for child in arguments.named_children:
        if child.type in ("list_splat", "dictionary_splat"):
            return None
        if child.type == "keyword_argument":
            name, value = child.child_by_field_name("name"), child.child_by_field_name("value")
            if name is None or value is None or name.text is None:
                return None
            found[name.text.decode()] = value
        elif child.type != "comment":
            if position < len(signature.params):
                found[signature.params[position]] = child
            position += 1
    return found


def _weight_kernel(doc: SourceDocument, node: Node | None, imports: dict[str, str]) -> Pair | None:
    """``torch.randn(8, 3, 5, 5)`` as the weight gives a 5×5 kernel."""
    if node is None or node.type != "call":
        return None
    function = node.child_by_field_name("function")
    if function is None or _resolve(doc, function, imports) not in _WEIGHT_FACTORIES:
        return None
    args = node.child_by_field_name("arguments")
    values = args.named_children if args is not None else []
    if len(values) == 1 and values[0].type in ("tuple", "list"):
        values = values[0].named_children
    try:
        dims = [_int(doc, value) for value in values]
    except _NotLiteral:
        return None
    return (dims[2], dims[3]) if len(dims) == 4 else None


def geometry(
    doc: SourceDocument, call: Node, signature: Signature, imports: dict[str, str]
) -> Geometry | None:
    """The call's geometry when every value that matters is a literal, else ``None``."""
    args = _arguments(call, signature)
    if args is None:
        return None
    try:
        if signature.kernel_from_weight:
            kernel = _weight_kernel(doc, args.get("weight"), imports)
        else:
            kernel = _pair(doc, args.get("kernel_size"), None)
        stride_node = args.get("stride")
        if signature.pool and (stride_node is None or stride_node.type == "none"):
            if kernel is None:
                return None
            stride = kernel
        else:
            stride = _pair(doc, stride_node, (1, 1))
        padding_node = args.get("padding")
        same = False
        if padding_node is not None and padding_node.type == "string" and not signature.pool:
            text = doc.node_text(padding_node).strip("'\"")
            if text not in ("same", "valid"):
                return None
            same, padding = text == "same", (0, 0)
        else:
            padding = _pair(doc, padding_node, (0, 0))
        dilation = _pair(doc, args.get("dilation"), (1, 1))
        ceil_mode = _bool(doc, args.get("ceil_mode"))
    except _NotLiteral:
        return None
    if min(stride) < 1 or min(dilation) < 1 or min(padding) < 0:
        return None
    if kernel is not None and min(kernel) < 1:
        return None
    return Geometry(kernel, stride, padding, dilation, ceil_mode, same)


# -- finding the call ---------------------------------------------------------------------


def _resolve(doc: SourceDocument, node: Node, imports: dict[str, str]) -> str | None:
    """The full name of ``nn.Conv2d``-like chains whose head is an imported name."""
    chain = dotted_chain(doc, node)
    head, _, rest = (chain or "").partition(".")
    if head not in imports:
        return None
    return imports[head] + (f".{rest}" if rest else "")


def call_at(doc: SourceDocument, point: Point) -> Node | None:
    """The call whose callee (``nn.Conv2d`` in ``nn.Conv2d(...)``) covers ``point``."""
    node = doc.tree.root_node.named_descendant_for_point_range(point, point)
    if node is None or node.type != "identifier":
        return None
    while node.parent is not None and node.parent.type == "attribute":
        node = node.parent
    call = node.parent
    if call is None or call.type != "call" or call.child_by_field_name("function") != node:
        return None
    return call


# -- Markdown ----------------------------------------------------------------------------


def _show(pair: Pair | None, symbol: str) -> str:
    if pair is None:
        return symbol
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


def _filled(g: Geometry, axis: int) -> str:
    k = "k" if g.kernel is None else str(g.kernel[axis])
    s, p, d = g.stride[axis], g.padding[axis], g.dilation[axis]
    rounding = "ceil" if g.ceil_mode else "floor"
    return f"{rounding}((in + 2·{p} − {d}·({k}−1) − 1) / {s}) + 1"


def _cell(g: Geometry, size: int) -> str:
    if g.same:
        return f"{size}×{size}"
    assert g.kernel is not None
    outs = [
        output_size(
            size, g.kernel[i], g.stride[i], g.padding[i], g.dilation[i], ceil_mode=g.ceil_mode
        )
        for i in (0, 1)
    ]
    if min(outs) < 1:
        return "too small (error)"
    return f"{outs[0]}×{outs[1]}"


def render(signature: Signature, g: Geometry) -> str:
    """The Markdown section for one call's geometry."""
    values = (
        f"k={_show(g.kernel, '?')}, s={_show(g.stride, '')}, p={_show(g.padding, '')}, "
        f"d={_show(g.dilation, '')}" + (", ceil_mode=True" if g.ceil_mode else "")
    )
    lines = [
        f"**Output size of this `{signature.label}`** ({values})",
        "",
        "`out = floor((in + 2·p − d·(k−1) − 1) / s) + 1`"
        + (" (`ceil` with `ceil_mode=True`)" if signature.pool else ""),
        "",
    ]
    if g.same:
        lines.append('`padding="same"`: the output keeps the input size.')
    elif g.kernel is None:
        lines.append(f"Here: `out = {_filled(g, 0)}`, with `k` the weight's kernel size.")
        return "\n".join(lines)
    elif (
        g.kernel[0] == g.kernel[1]
        and g.stride[0] == g.stride[1]
        and g.padding[0] == g.padding[1]
        and g.dilation[0] == g.dilation[1]
    ):
        lines.append(f"Here: `out = {_filled(g, 0)}`")
    else:
        lines.append(f"Here: height `{_filled(g, 0)}`, width `{_filled(g, 1)}`")
    if (
        signature.pool
        and g.kernel is not None
        and any(g.padding[i] * 2 > g.kernel[i] for i in (0, 1))
    ):
        lines += ["", "⚠ padding must be at most half the kernel size: this layer raises."]
        return "\n".join(lines)
    lines += ["", "| input | output |", "| --- | --- |"]
    lines += [f"| {n}×{n} | {_cell(g, n)} |" for n in COMMON_SIZES]
    return "\n".join(lines)


def conv_hover(doc: SourceDocument, imports: dict[str, str], point: Point) -> str | None:
    """Markdown for the conv/pool call whose callee covers ``point``; ``None`` otherwise."""
    call = call_at(doc, point)
    if call is None:
        return None
    function = call.child_by_field_name("function")
    full = _resolve(doc, function, imports) if function is not None else None
    signature = SIGNATURES.get(full or "")
    if signature is None:
        return None
    g = geometry(doc, call, signature, imports)
    return None if g is None else render(signature, g)
