"""Method names that give a receiver away: the rule for receivers nothing is known about.

Resolution first works out what a receiver evidently is (:mod:`torch_notes.analysis.
receivers`): a torch object (a tensor, a module, an optimizer, a device, …), something
foreign (a string, a list, a NumPy array, a pandas frame, a PIL image, …) or *unknown*:
parameters without annotations, attributes of ``self`` the class never assigns, results
of local project code (``from model import Transformer``), anything else.

**The rule.** On an unknown receiver, ``receiver.name`` resolves only when ``name`` gives
the receiver away: a method that, in practice, only tensors (or modules, or optimizers)
have. Those are :data:`TENSOR_NAMES`, :data:`MODULE_NAMES` and :data:`OPTIMIZER_NAMES`.
A *generic* name (:data:`GENERIC_TENSOR_NAMES`: ``sum``, ``to``, ``type``, ``item``,
``reshape``, ``max``, …, and ``step``, ``apply``, ``compile`` for modules and optimizers)
is shared with objects PyTorch code handles every day, so on an unknown receiver it stays
quiet: a wrong card is worse than none. A few generic names are given away by how they
are called (:func:`distinctive_owners`):

* ``view`` with a shape (``view(-1)``, ``view(b, t, c)``, ``view(x.size(0), -1)``), not a
  dtype (NumPy's ``arr.view(np.uint8)``);
* ``size(...)`` called (NumPy's and pandas' ``size`` and PIL's are attributes);
* ``transpose`` with exactly two dimensions (NumPy permutes all axes, PIL takes a method);
* ``split`` of an integer size (``str.split`` takes a separator);
* ``flatten`` from a dimension (``flatten(1)``), ``repeat`` with three or more sizes;
* any reduction with ``dim=`` or ``keepdim=`` (NumPy and pandas say ``axis=``/``keepdims=``);
* ``to`` of a torch dtype or device, or of a device string (``to(torch.float16)``,
  ``to("cuda")``, ``to(device)`` where ``device`` holds one), or with ``device=``, ``dtype=``,
  ``non_blocking=`` or ``memory_format=``; ``type`` of a torch dtype (``to(x)`` of something
  unknown, and ``type()``, stay quiet);
* ``eval()`` and ``train()`` with no argument or a flag (pandas' ``eval`` takes an expression).

**The list, and why.** :data:`TENSOR_NAMES` is every public method and attribute of
``torch.Tensor`` in the shipped API inventory (``data/torch_api.json``) *except* the names
that Python's builtins (``str``, ``bytes``, ``list``, ``dict``, ``set``, ``tuple``, numbers,
files), NumPy's ``ndarray``, pandas' ``DataFrame``/``Series``, PIL's ``Image``,
matplotlib's ``Axes``/``Figure``, ``re`` patterns, ``logging`` loggers, ``pathlib`` paths or
``datetime`` values also have, and a few words that many libraries use (``to``, ``type``,
``name``, ``log``, ``select``, ``solve``, ``layout``, ``indices``, ``storage``, ``new``,
``apply``, ``scatter`` (``ax.scatter``), ``compile``, ``step``, …). Those excluded are
:data:`GENERIC_TENSOR_NAMES`; ``tests/test_resolution.py`` checks that the two lists split
the inventory's ``torch.Tensor`` exactly. :data:`MODULE_NAMES` and
:data:`OPTIMIZER_NAMES` are the ``nn.Module``/``Optimizer`` methods no common library
shares (``parameters``, ``state_dict``, ``zero_grad``, ``register_buffer``, …); ``step``
(schedulers, environments), ``apply`` (pandas), ``compile`` (Keras, ``re``), ``to`` and
``type`` are generic. Receivers known to be something (``torch.device``, a NumPy array, a
tensor) never use this rule: ``device.type`` gets no tensor note.
"""

from __future__ import annotations

from collections.abc import Callable

from tree_sitter import Node

from torch_notes.analysis.evidence import Call
from torch_notes.analysis.values import (
    FOREIGN,
    IMPORT,
    MODULE_CLASS,
    OPTIMIZER_CLASS,
    TENSOR_CLASS,
    TORCH,
    Value,
)

TENSOR_NAMES: frozenset[str] = frozenset(
    {
        "H", "abs_", "absolute_", "acos", "acos_", "acosh", "acosh_", "add_", "addbmm",
        "addbmm_", "addcdiv", "addcdiv_", "addcmul", "addcmul_", "addmm", "addmm_", "addmv",
        "addmv_", "addr", "addr_", "adjoint", "allclose", "amax", "amin", "aminmax", "angle",
        "apply_", "arccos", "arccos_", "arccosh", "arccosh_", "arcsin", "arcsin_", "arcsinh",
        "arcsinh_", "arctan", "arctan2", "arctan2_", "arctan_", "arctanh", "arctanh_",
        "argwhere", "as_strided", "as_strided_", "as_strided_scatter", "as_subclass", "asin",
        "asin_", "asinh", "asinh_", "atan", "atan2", "atan2_", "atan_", "atanh", "atanh_",
        "backward", "baddbmm", "baddbmm_", "bernoulli", "bernoulli_", "bfloat16", "bincount",
        "bitwise_and", "bitwise_and_", "bitwise_left_shift", "bitwise_left_shift_",
        "bitwise_not", "bitwise_not_", "bitwise_or", "bitwise_or_", "bitwise_right_shift",
        "bitwise_right_shift_", "bitwise_xor", "bitwise_xor_", "bmm", "bool", "broadcast_to",
        "byte", "cauchy_", "ccol_indices", "cdouble", "ceil", "ceil_", "cfloat", "chalf",
        "char", "cholesky", "cholesky_inverse", "cholesky_solve", "chunk", "clamp", "clamp_",
        "clamp_max", "clamp_max_", "clamp_min", "clamp_min_", "clip_", "clone", "coalesce",
        "col_indices", "conj_physical", "conj_physical_", "const_data_ptr", "contiguous",
        "copy_", "copysign", "copysign_", "corrcoef", "cos", "cos_", "cosh", "cosh_",
        "count_nonzero", "cpu", "cross", "crow_indices", "cuda", "cumprod_", "cumsum_",
        "data_ptr", "deg2rad", "deg2rad_", "dense_dim", "dequantize", "det", "detach",
        "detach_", "diag", "diag_embed", "diagflat", "diagonal_scatter", "digamma", "digamma_",
        "dim", "dim_order", "dist", "div_", "divide_", "double", "dsplit", "eig",
        "element_size", "eq_", "equal", "erf", "erf_", "erfc", "erfc_", "erfinv", "erfinv_",
        "exp", "exp2", "exp2_", "exp_", "expand", "expand_as", "expm1", "expm1_",
        "exponential_", "fill_", "fill_diagonal_", "fix", "fix_", "flip", "fliplr", "flipud",
        "float", "float_power", "float_power_", "floor", "floor_", "floor_divide",
        "floor_divide_", "fmax", "fmin", "fmod", "fmod_", "frac", "frac_", "frexp", "gather",
        "gcd", "gcd_", "ge_", "geometric_", "geqrf", "ger", "get_device", "grad", "grad_dtype",
        "grad_fn", "greater", "greater_", "greater_equal", "greater_equal_", "gt_", "half",
        "hardshrink", "hash_tensor", "heaviside", "heaviside_", "histc", "hsplit", "hypot",
        "hypot_", "i0", "i0_", "igamma", "igamma_", "igammac", "igammac_", "index_add",
        "index_add_", "index_copy", "index_copy_", "index_fill", "index_fill_", "index_put",
        "index_put_", "index_reduce", "index_reduce_", "index_select", "inner", "int",
        "int_repr", "inverse", "ipu", "is_coalesced", "is_complex", "is_conj", "is_contiguous",
        "is_cpu", "is_cuda", "is_distributed", "is_floating_point", "is_inference", "is_ipu",
        "is_leaf", "is_maia", "is_meta", "is_mkldnn", "is_mps", "is_mtia", "is_neg",
        "is_nested", "is_nonzero", "is_pinned", "is_quantized", "is_same_size", "is_set_to",
        "is_shared", "is_signed", "is_sparse", "is_sparse_csr", "is_vulkan", "is_xla", "is_xpu",
        "isclose", "isfinite", "isinf", "isnan", "isneginf", "isposinf", "isreal", "istft",
        "kron", "kthvalue", "lcm", "lcm_", "ldexp", "ldexp_", "le_", "lerp", "lerp_", "less",
        "less_", "less_equal", "less_equal_", "lgamma", "lgamma_", "log10", "log10_", "log1p",
        "log1p_", "log2", "log2_", "log_", "log_normal_", "log_softmax", "logaddexp",
        "logaddexp2", "logcumsumexp", "logdet", "logical_and", "logical_and_", "logical_not",
        "logical_not_", "logical_or", "logical_or_", "logical_xor", "logical_xor_", "logit",
        "logit_", "logsumexp", "long", "lstsq", "lt_", "lu", "lu_solve", "mH", "map2_", "map_",
        "masked_fill", "masked_fill_", "masked_scatter", "masked_scatter_", "masked_select",
        "matmul", "matrix_exp", "matrix_power", "maximum", "minimum", "mm", "module_load",
        "moveaxis", "movedim", "msort", "mtia", "mul_", "multinomial", "multiply_", "mv",
        "mvlgamma", "mvlgamma_", "nan_to_num", "nan_to_num_", "nanmean", "nanmedian",
        "nanquantile", "nansum", "narrow", "narrow_copy", "ndimension", "ne_", "neg", "neg_",
        "negative", "negative_", "nelement", "new_empty", "new_empty_strided", "new_full",
        "new_ones", "new_tensor", "new_zeros", "nextafter", "nextafter_", "nonzero_static",
        "norm", "normal_", "not_equal", "not_equal_", "numel", "numpy", "orgqr", "ormqr",
        "outer", "output_nr", "permute", "pin_memory", "pinverse", "polygamma", "polygamma_",
        "positive", "pow_", "prelu", "put_", "q_per_channel_axis", "q_per_channel_scales",
        "q_per_channel_zero_points", "q_scale", "q_zero_point", "qr", "qscheme", "rad2deg",
        "rad2deg_", "random_", "reciprocal", "reciprocal_", "record_stream", "register_hook",
        "register_post_accumulate_grad_hook", "reinforce", "relu", "relu_", "remainder",
        "remainder_", "renorm", "renorm_", "repeat_interleave", "requires_grad",
        "requires_grad_", "reshape_as", "resize_", "resize_as", "resize_as_",
        "resize_as_sparse_", "resolve_conj", "resolve_neg", "retain_grad", "retains_grad",
        "roll", "rot90", "round_", "row_indices", "rsqrt", "rsqrt_", "scatter_", "scatter_add",
        "scatter_add_", "scatter_reduce", "scatter_reduce_", "select_scatter", "set_", "sgn",
        "sgn_", "share_memory_", "short", "sigmoid", "sigmoid_", "sign", "sign_", "signbit",
        "sin", "sin_", "sinc", "sinc_", "sinh", "sinh_", "slice_inverse", "slice_scatter",
        "slogdet", "smm", "softmax", "sparse_dim", "sparse_mask", "sparse_resize_",
        "sparse_resize_and_clear_", "split_with_sizes", "sqrt", "sqrt_", "square", "square_",
        "squeeze_", "sspaddmm", "stft", "storage_offset", "storage_type", "stride", "sub_",
        "subtract_", "sum_to_size", "svd", "swapaxes_", "swapdims", "swapdims_", "symeig", "t",
        "t_", "take_along_dim", "tan", "tan_", "tanh", "tanh_", "tensor_split", "tile",
        "to_dense", "to_mkldnn", "to_padded_tensor", "to_sparse", "to_sparse_bsc",
        "to_sparse_bsr", "to_sparse_coo", "to_sparse_csc", "to_sparse_csr", "topk",
        "transpose_", "triangular_solve", "tril", "tril_", "triu", "triu_", "true_divide",
        "true_divide_", "trunc", "trunc_", "type_as", "unbind", "unflatten", "unfold",
        "uniform_", "unique_consecutive", "unsafe_chunk", "unsafe_split",
        "unsafe_split_with_sizes", "unsqueeze", "unsqueeze_", "untyped_storage", "vdot",
        "view_as", "volatile", "vsplit", "xlogy", "xlogy_", "xpu", "zero_",
    }
)  # fmt: skip
"""``torch.Tensor`` methods and attributes that, in practice, only tensors have."""

GENERIC_TENSOR_NAMES: frozenset[str] = frozenset(
    {
        "T", "abs", "absolute", "add", "all", "any", "argmax", "argmin", "argsort", "clip",
        "conj", "cov", "cummax", "cummin", "cumprod", "cumsum", "data", "device", "diagonal",
        "diff", "div", "divide", "dot", "dtype", "eq", "flatten", "ge", "gt", "histogram",
        "imag", "index", "indices", "item", "itemsize", "layout", "le", "log", "lt", "mT", "max",
        "mean", "median", "min", "mode", "mul", "multiply", "name", "nbytes", "ndim", "ne",
        "new", "nonzero", "pow", "prod", "put", "quantile", "ravel", "real", "repeat",
        "reshape", "resize", "round", "scatter", "select", "shape", "size", "solve", "sort",
        "split", "squeeze", "std", "storage", "sub", "subtract", "sum", "swapaxes", "take",
        "to", "tolist", "trace", "transpose", "type", "unique", "values", "var", "view",
        "where",
    }
)  # fmt: skip
"""``torch.Tensor`` names other everyday objects share: quiet on an unknown receiver."""

MODULE_NAMES: frozenset[str] = frozenset(
    {
        "add_module", "bfloat16", "buffers", "children", "cpu", "cuda", "double", "extra_repr",
        "float", "forward", "get_buffer", "get_extra_state", "get_parameter", "get_submodule",
        "half", "ipu", "load_state_dict", "modules", "mtia", "named_buffers", "named_children",
        "named_modules", "named_parameters", "parameters", "register_backward_hook",
        "register_buffer", "register_forward_hook", "register_forward_pre_hook",
        "register_full_backward_hook", "register_full_backward_pre_hook",
        "register_load_state_dict_post_hook", "register_load_state_dict_pre_hook",
        "register_module", "register_parameter", "register_state_dict_post_hook",
        "register_state_dict_pre_hook", "requires_grad_", "set_extra_state", "set_submodule",
        "share_memory", "state_dict", "to_empty", "xpu", "zero_grad",
    }
)  # fmt: skip
"""``nn.Module`` methods that, in practice, only modules have (``eval``/``train``: below)."""

OPTIMIZER_NAMES: frozenset[str] = frozenset(
    {
        "add_param_group", "load_state_dict", "param_groups", "register_load_state_dict_post_hook",
        "register_load_state_dict_pre_hook", "register_state_dict_post_hook",
        "register_state_dict_pre_hook", "register_step_post_hook", "register_step_pre_hook",
        "state_dict", "zero_grad",
    }
)  # fmt: skip
"""``Optimizer`` methods that, in practice, only optimizers (and modules) have."""

_DTYPE_WORDS = frozenset(
    {
        "float", "double", "half", "bfloat16", "int", "long", "short", "bool", "uint8", "int8",
        "int16", "int32", "int64", "float16", "float32", "float64", "complex64", "complex128",
        "cfloat", "cdouble", "uint16", "uint32", "uint64", "byte", "char",
    }
)  # fmt: skip
_REDUCTION_KEYWORDS = frozenset({"dim", "keepdim"})
_DEVICE_STRINGS = ("cuda", "cpu", "mps", "xpu", "meta")


def _is_integer(node: Node) -> bool:
    if node.type == "unary_operator":
        operand = node.child_by_field_name("argument")
        return operand is not None and operand.type == "integer"
    return node.type == "integer"


def _dtype_like(node: Node) -> bool:
    """``np.uint8``, ``torch.int32``, ``dtype``, ``x.dtype``: a dtype, not a shape."""
    text = (node.text or b"").decode("utf-8", "replace")
    last = text.rpartition(".")[2]
    return last in _DTYPE_WORDS or "dtype" in last.lower() or node.type in ("string",)


def _shape_view(call: Call) -> bool:
    if "dtype" in call.keywords:
        return False
    if call.splat or "size" in call.keywords or len(call.positional) > 1:
        return True
    if len(call.positional) != 1:
        return False
    argument = call.positional[0]
    return not _dtype_like(argument)


def _device_string(node: Node) -> bool:
    if node.type != "string":
        return False
    text = (node.text or b"").decode("utf-8", "replace").strip("'\"")
    return text.partition(":")[0] in _DEVICE_STRINGS


def _device_or_dtype(node: Node, value_of: Callable[[Node], Value]) -> bool:
    """``torch.float16``, ``torch.device(...)``, ``"cuda"``, a variable holding a device or a
    device string: what ``.to(...)`` takes."""
    if _device_string(node):
        return True
    value = value_of(node)
    if value.kind == IMPORT:
        return value.what.startswith("torch.")
    if value.kind == TORCH:
        return value.what in ("torch.device", "torch.dtype")
    return value.kind == FOREIGN and value.what == "str"


def _tensor_by_shape(name: str, call: Call, value_of: Callable[[Node], Value]) -> bool:
    """Generic tensor names that how they are called gives away (see the module docstring)."""
    if _REDUCTION_KEYWORDS & call.keywords.keys():
        return True
    positional = call.positional
    if name == "view":
        return _shape_view(call)
    if name == "size":
        return True
    if name == "transpose":
        return (len(positional) == 2 and not call.splat) or "dim0" in call.keywords
    if name == "split":
        return bool(positional) and (
            _is_integer(positional[0])
            or (
                positional[0].type in ("list", "tuple")
                and all(_is_integer(item) for item in positional[0].named_children)
            )
        )
    if name == "flatten":
        return bool(positional and _is_integer(positional[0])) or "start_dim" in call.keywords
    if name == "repeat":
        return len(positional) >= 3
    if name == "to":
        if {"non_blocking", "memory_format", "device", "dtype", "copy"} & call.keywords.keys():
            return True
        return bool(positional) and _device_or_dtype(positional[0], value_of)
    if name == "type":
        first = positional[0] if positional else call.keywords.get("dtype")
        return first is not None and _device_or_dtype(first, value_of) and not _device_string(first)
    return False


def distinctive_owners(
    name: str, call: Call | None, value_of: Callable[[Node], Value]
) -> tuple[str, ...]:
    """The classes whose ``name`` gives an unknown receiver away, likeliest first.

    ``call`` is the call of ``receiver.name`` (``None`` for an attribute that is not
    called); ``value_of`` tells what an argument holds (``torch.float16``, a device).
    """
    owners = []
    if name in TENSOR_NAMES or (
        call is not None and name in GENERIC_TENSOR_NAMES and _tensor_by_shape(name, call, value_of)
    ):
        owners.append(TENSOR_CLASS)
    module = name in MODULE_NAMES
    if call is not None and name in ("eval", "train"):
        flag = not call.positional or call.positional[0].type in ("true", "false")
        module = flag and not call.keywords.keys() - {"mode"}
    if call is not None and name in ("to", "type") and owners:
        module = True
    if module:
        owners.append(MODULE_CLASS)
    if name in OPTIMIZER_NAMES:
        owners.append(OPTIMIZER_CLASS)
    return tuple(owners)


TENSOR_MEMBERS: frozenset[str] = TENSOR_NAMES | GENERIC_TENSOR_NAMES
"""Every public ``torch.Tensor`` name (of the shipped inventory)."""
MODULE_MEMBERS: frozenset[str] = MODULE_NAMES | {
    "eval", "train", "apply", "to", "type", "compile", "forward", "training",
}  # fmt: skip
OPTIMIZER_MEMBERS: frozenset[str] = OPTIMIZER_NAMES | {"step", "defaults", "state"}
_TENSOR_ONLY = TENSOR_NAMES - MODULE_MEMBERS - OPTIMIZER_MEMBERS
_MODULE_ONLY = MODULE_NAMES - TENSOR_MEMBERS - OPTIMIZER_MEMBERS
_OPTIMIZER_ONLY = frozenset({"param_groups", "add_param_group"})
FUNCTIONAL_ARGUMENT = "<functional argument>"
"""The use of a variable passed to ``torch.nn.functional`` (``F.relu(x)``): a tensor's use."""


def class_from_uses(
    uses: dict[str, list[Call | None]], called: bool, value_of: Callable[[Node], Value]
) -> tuple[str | None, frozenset[str]]:
    """What a variable nothing else is known about holds, judged by all its uses.

    ``uses`` maps each member name used on the variable to its calls (``None`` for an
    attribute that is not called); ``called`` says whether the variable itself is called.
    Returns the torch class the uses give away, if any, and the classes they rule out.
    Giving away is strict, ruling out lenient:

    * a tensor: a name only tensors have is used, or the variable is passed to a
      ``torch.nn.functional`` function (``F.relu(x)``), every name used is a tensor's, and
      the variable is not called; ruled out by a call or a name only modules or optimizers
      have;
    * an optimizer: ``param_groups``/``add_param_group``, or both ``zero_grad`` and
      ``step``, and no name only tensors or modules have (which rule it out, as a call does);
    * a module: a name only modules have and none only tensors or optimizers have (which
      rule it out; modules have attributes of their own, so other names do not).
    """
    names = set(uses) - {FUNCTIONAL_ARGUMENT}
    owners: set[str] = set()  # classes some use gives away alone (not ``zero_grad``: two have it)
    for name, calls in uses.items():
        for call in calls:
            found = distinctive_owners(name, call, value_of)
            if len(found) == 1:
                owners.add(found[0])
    if FUNCTIONAL_ARGUMENT in uses:
        owners.add(TENSOR_CLASS)
    tensor_only, module_only = names & _TENSOR_ONLY, names & _MODULE_ONLY
    optimizer_only = names & _OPTIMIZER_ONLY
    excluded = set()
    if called or module_only or optimizer_only:
        excluded.add(TENSOR_CLASS)
    if tensor_only or optimizer_only:
        excluded.add(MODULE_CLASS)
    if called or tensor_only or module_only:
        excluded.add(OPTIMIZER_CLASS)
    found = None
    if TENSOR_CLASS in owners and TENSOR_CLASS not in excluded and names <= TENSOR_MEMBERS:
        found = TENSOR_CLASS
    elif OPTIMIZER_CLASS not in excluded and (optimizer_only or {"zero_grad", "step"} <= names):
        found = OPTIMIZER_CLASS
    elif MODULE_CLASS in owners and MODULE_CLASS not in excluded:
        found = MODULE_CLASS
    return found, frozenset(excluded)
