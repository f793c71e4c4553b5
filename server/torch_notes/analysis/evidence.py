"""The evidence: what torch, other libraries and builtins evidently return.

Pure functions from :class:`~torch_notes.analysis.values.Value`\\ s to values, used by
:mod:`torch_notes.analysis.receivers`: the result of calling a torch function or class
(``torch.zeros`` → a certain tensor, ``nn.Linear`` → a module, ``optim.SGD`` → an
optimizer, ``torch.device`` → a device), of a method of a known value (``x.t()`` on a
tensor → a tensor, ``x.item()`` → a number, ``model.parameters()`` → tensors), of builtins
(``len`` → a number, ``enumerate(loader)`` → pairs), of foreign libraries (NumPy, pandas,
PIL, the standard library: foreign values), and what attributes, indexing and iteration
of those yield.

Certain tensors (proof, not likelihood) come only from the factories in
:data:`FACTORIES`, the tensor methods in :data:`TENSOR_TO_TENSOR` and the properties in
:data:`TENSOR_PROPERTIES` applied to certain tensors, indexing and arithmetic: the
diagnostics rely on them.
"""

from __future__ import annotations

import builtins
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tree_sitter import Node

from torch_notes.analysis.values import (
    CERTAIN_TENSOR,
    FOREIGN,
    FRAMEWORK,
    IMPORT,
    MODULE,
    MODULE_CLASS,
    NONE_VALUE,
    OPTIMIZER,
    OPTIMIZER_CLASS,
    TENSOR,
    TENSOR_CLASS,
    TORCH,
    TUPLE,
    UNKNOWN,
    UNKNOWN_VALUE,
    Value,
    foreign,
    join_all,
    torch_value,
    uncertain,
)

FACTORIES: frozenset[str] = frozenset(
    {
        "tensor", "as_tensor", "from_numpy", "asarray",
        "zeros", "ones", "empty", "full", "eye",
        "zeros_like", "ones_like", "empty_like", "full_like",
        "rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like",
        "arange", "linspace", "logspace",
        "stack", "cat", "concat", "concatenate", "hstack", "vstack",
    }
)  # fmt: skip
"""``torch.<name>(...)`` always returns one tensor (a certain tensor)."""

TENSOR_TO_TENSOR: frozenset[str] = frozenset(
    {
        "view", "view_as", "reshape", "reshape_as", "t", "transpose", "permute", "contiguous",
        "clone", "detach", "to", "cpu", "float", "double", "half", "bfloat16", "int", "long",
        "short", "bool", "byte", "char", "unsqueeze", "squeeze", "flatten", "expand",
        "expand_as", "repeat", "flip", "roll", "narrow", "index_select", "masked_fill",
        "type_as", "abs", "neg", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu",
        "softmax", "log_softmax", "sum", "mean", "matmul", "mm", "bmm", "add", "sub", "mul",
        "div", "pow", "clamp", "requires_grad_", "fill_", "zero_", "add_", "mul_", "normal_",
        "uniform_", "movedim", "swapaxes", "swapdims", "tril", "triu", "cumsum", "argmax",
        "argmin",
    }
)  # fmt: skip
"""``<tensor>.<name>(...)`` always returns one tensor (certain on a certain tensor)."""

TENSOR_PROPERTIES: frozenset[str] = frozenset({"T", "mT", "H", "mH", "data"})
"""``<tensor>.<name>`` is a tensor (certain on a certain tensor)."""

_TENSOR_LIKELY_PROPERTIES = frozenset({"grad", "real", "imag"})
_TENSOR_NOT_TENSOR_METHODS: dict[str, str] = {
    **dict.fromkeys(
        ("item", "dim", "ndimension", "numel", "nelement", "element_size", "get_device",
         "data_ptr", "storage_offset", "__len__"),
        "number",
    ),
    **dict.fromkeys(("equal", "allclose", "is_contiguous", "is_floating_point",
                     "is_complex", "is_nonzero", "is_same_size", "is_set_to"), "bool"),
    "tolist": "list",
    "numpy": "numpy",
    "stride": "tuple",
}  # fmt: skip
_TUPLE_RESULTS = frozenset(
    {
        "split", "chunk", "unbind", "tensor_split", "hsplit", "vsplit", "dsplit", "topk",
        "sort", "kthvalue", "aminmax", "svd", "qr", "slogdet", "lu", "frexp", "cummax",
        "cummin", "eig", "lstsq", "geqrf", "triangular_solve", "split_with_sizes",
        "unsafe_split", "unsafe_chunk", "meshgrid", "broadcast_tensors", "std_mean",
        "var_mean", "histogram", "unique_consecutive", "eigh", "lu_factor",
        "atleast_1d", "atleast_2d", "atleast_3d",
    }
)  # fmt: skip
"""Torch functions and tensor methods returning a tuple of tensors."""
_TUPLE_WITH_DIM = frozenset({"max", "min", "median", "mode", "nanmedian"})
"""…and these when given a dimension (``x.max(1)`` is ``(values, indices)``)."""

TENSOR_TUPLE = Value(TUPLE, "torch.return_types", element=TENSOR)

DEVICE = torch_value("torch.device")
DTYPE = torch_value("torch.dtype")
SIZE = torch_value("torch.Size")
SCHEDULER = torch_value("torch.optim.lr_scheduler.LRScheduler")
DATALOADER = torch_value("torch.utils.data.DataLoader")
DATASET = torch_value("torch.utils.data.Dataset")
GRAD_SCALER = torch_value("torch.amp.GradScaler")
DISTRIBUTION = torch_value("torch.distributions.Distribution")
TRANSFORM = torch_value("torchvision.transforms.Transform")
CONTEXT = torch_value("torch.autograd.grad_mode")
BATCH = Value(UNKNOWN, "batch", element=TENSOR)
"""What a data loader yields: its parts (``for x, y in loader``) are tensors in practice."""

NUMBER, STRING, BOOLEAN = foreign("number"), foreign("str"), foreign("bool")

_TORCH_SPECIAL: dict[str, Value] = {
    "torch.device": DEVICE,
    "torch.dtype": DTYPE,
    "torch.Size": SIZE,
    "torch.Generator": torch_value("torch.Generator"),
    "torch.manual_seed": torch_value("torch.Generator"),
    "torch.get_default_dtype": DTYPE,
    "torch.promote_types": DTYPE,
    "torch.result_type": DTYPE,
    "torch.load": UNKNOWN_VALUE,
    "torch.save": NONE_VALUE,
    "torch.compile": UNKNOWN_VALUE,
    "torch.hub.load": MODULE,
    "torch.nn.Parameter": TENSOR,
    "torch.nn.parameter.Parameter": TENSOR,
    "torch.nn.Buffer": TENSOR,
    "torch.nn.utils.clip_grad_norm_": TENSOR,
    "torch.nn.utils.parameters_to_vector": TENSOR,
    "torch.autograd.grad": TENSOR_TUPLE,
    "torch.cuda.amp.GradScaler": GRAD_SCALER,
    "torch.amp.GradScaler": GRAD_SCALER,
    "torch.GradScaler": GRAD_SCALER,
    "torch.utils.data.DataLoader": DATALOADER,
    "torch.utils.data.dataloader.DataLoader": DATALOADER,
    "torch.utils.data.random_split": foreign("list", DATASET),
    "torchvision.utils.make_grid": TENSOR,
    "torchvision.io.read_image": TENSOR,
    "torchvision.io.decode_image": TENSOR,
    "torchvision.transforms.functional.to_tensor": TENSOR,
    "torchvision.transforms.functional.pil_to_tensor": TENSOR,
    "torchvision.transforms.functional.to_pil_image": foreign("PIL"),
    "torch.cuda.get_device_name": STRING,
    "torch.typename": STRING,
}
_TORCH_PREDICATES = frozenset(
    {"is_tensor", "is_storage", "is_floating_point", "is_complex", "is_nonzero",
     "is_grad_enabled", "is_inference_mode_enabled", "is_available", "is_initialized",
     "is_built", "are_deterministic_algorithms_enabled", "can_cast", "equal", "allclose",
     "is_bf16_supported", "is_compiling", "is_scripting", "is_tracing"}
)  # fmt: skip
_TORCH_COUNTS = frozenset(
    {"numel", "device_count", "current_device", "get_rank", "get_world_size",
     "memory_allocated", "max_memory_allocated", "memory_reserved", "max_memory_reserved",
     "get_num_threads", "initial_seed", "seed", "get_local_rank"}
)  # fmt: skip
_TORCH_CONTEXTS = frozenset(
    {"no_grad", "enable_grad", "inference_mode", "set_grad_enabled", "autocast",
     "profile", "record_function", "sdpa_kernel", "detect_anomaly", "set_detect_anomaly"}
)  # fmt: skip
_TENSOR_MODULES = frozenset(
    {"torch", "torch.linalg", "torch.fft", "torch.special", "torch.nn.functional",
     "torch.sparse", "torch.nn.init", "torch.distributions.utils"}
)  # fmt: skip
"""Modules whose lower-case functions return tensors (barring the tables above)."""
_TORCH_ECOSYSTEM_MODULES: dict[str, Value] = {
    "timm.create_model": MODULE,
    "timm.models.create_model": MODULE,
}
"""Calls of torch-based libraries whose result is well known."""
_FRAMEWORK_CLASSES = frozenset(
    {"Fabric", "Trainer", "Accelerator", "TrainingArguments", "LightningDataModule",
     "Callback", "SummaryWriter"}
)  # fmt: skip
"""Classes of torch-based libraries whose instances are the library's own objects: their
``backward``/``log``/``step`` are not a tensor's (``fabric.backward(loss)``)."""
_FRAMEWORK_ROOTS = frozenset(
    {"lightning", "pytorch_lightning", "lightning_fabric", "accelerate", "transformers",
     "tensorboardX"}
)  # fmt: skip

MODULE_BASES = frozenset({"LightningModule", "PreTrainedModel", "HyperparametersMixin"})
"""Base classes of torch-based libraries that make a class an ``nn.Module``."""
_MODULE_BASE_ROOTS = frozenset({"lightning", "pytorch_lightning", "transformers"})

# -- foreign libraries ---------------------------------------------------------------------

_PASS_THROUGH_ROOTS = frozenset(
    {
        "copy", "itertools", "functools", "collections", "pickle", "dill", "joblib", "queue",
        "operator", "typing", "typing_extensions", "contextlib", "dataclasses", "weakref",
        "heapq", "bisect", "inspect", "importlib", "types", "abc", "enum", "multiprocessing",
        "threading", "concurrent", "asyncio", "builtins", "gc", "tqdm", "einops", "random",
        "shelve", "marshal", "pprint", "unittest", "doctest", "pdb", "traceback",
    }
)  # fmt: skip
"""Standard or common modules that hand objects back (copies, containers, wrappers)."""

_FOREIGN_LIBRARIES = frozenset(
    {
        "numpy", "pandas", "PIL", "matplotlib", "scipy", "sklearn", "cv2", "skimage",
        "imageio", "h5py", "yaml", "requests", "tabulate", "termcolor", "colorama", "seaborn",
        "plotly", "sympy", "networkx", "nltk", "jax", "jaxlib", "tensorflow", "keras",
        "tiktoken", "gym", "gymnasium", "absl", "psutil", "wandb", "mlflow", "boto3",
        "tensorboardX", "visdom", "imgaug", "albumentations", "librosa", "soundfile",
        "numba", "pyarrow", "polars", "sentencepiece", "regex", "rich", "click", "fire",
        "omegaconf", "hydra", "toml", "tomli", "ujson", "orjson", "simplejson", "lmdb",
        "zmq", "sqlalchemy", "flask", "pydantic", "attr", "attrs", "cloudpickle",
    }
)  # fmt: skip
"""Third-party libraries that are not torch's and never hand back torch objects."""

_FAMILIES = {"numpy": "numpy", "pandas": "pandas", "PIL": "PIL", "jax": "numpy"}

BUILTIN_NAMES: frozenset[str] = frozenset(
    name for name in dir(builtins) if not name.startswith("_")
)


def is_foreign_module(dotted: str) -> bool:
    """Whether a dotted import name lies in a library that is provably not torch's.

    The standard library (but not the modules that hand objects back, like ``copy``) and
    known third-party libraries (NumPy, pandas, PIL, …). Local project modules and
    torch-based libraries (``timm``, ``transformers``, ``lightning``) are not foreign: they
    are unknown.
    """
    root = dotted.partition(".")[0]
    if root in _PASS_THROUGH_ROOTS:
        return False
    return root in _FOREIGN_LIBRARIES or root in sys.stdlib_module_names


def is_not_torch_module(dotted: str) -> bool:
    """Whether members of this import can never be torch's (``np.transpose``, ``os.path``)."""
    root = dotted.partition(".")[0]
    return (
        root in _FOREIGN_LIBRARIES or root in sys.stdlib_module_names or root in _PASS_THROUGH_ROOTS
    )


def foreign_family(dotted: str) -> str:
    return _FAMILIES.get(dotted.partition(".")[0], "object")


# -- calls ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Call:
    """A call's arguments, evaluated on demand."""

    positional: tuple[Node, ...] = ()
    keywords: dict[str, Node] = field(default_factory=dict)
    evaluate: Callable[[Node], Value] | None = None
    splat: bool = False

    def value(self, position: int) -> Value:
        """The value of the positional argument at ``position`` (unknown when absent)."""
        if self.evaluate is None or position >= len(self.positional):
            return UNKNOWN_VALUE
        return self.evaluate(self.positional[position])

    def values(self) -> list[Value]:
        return [self.value(i) for i in range(len(self.positional))]

    @property
    def has_dim(self) -> bool | None:
        """Whether a dimension is given (``x.max(1)``, ``dim=``), not a second tensor
        (``torch.max(a, b)``); ``None`` when the second argument could be either."""
        if "dim" in self.keywords:
            return True
        if len(self.positional) < 2:
            return False
        second = self.positional[1]
        if second.type == "integer" or (
            second.type == "unary_operator" and (second.text or b"").lstrip(b"- ").isdigit()
        ):
            return True
        value = self.value(1)
        if value.kind == FOREIGN and value.what == "number":
            return True
        return False if value.is_tensor else None


def call_of(node: Node, evaluate: Callable[[Node], Value] | None) -> Call:
    """The :class:`Call` of a ``call`` node."""
    arguments = node.child_by_field_name("arguments")
    positional: list[Node] = []
    keywords: dict[str, Node] = {}
    splat = False
    if arguments is not None and arguments.type == "argument_list":
        for child in arguments.named_children:
            if child.type == "keyword_argument":
                name, value = child.child_by_field_name("name"), child.child_by_field_name("value")
                if name is not None and value is not None and name.text is not None:
                    keywords[name.text.decode("utf-8", "replace")] = value
            elif child.type in ("list_splat", "dictionary_splat"):
                splat = True
            elif child.type != "comment":
                positional.append(child)
    return Call(tuple(positional), keywords, evaluate, splat)


def torch_call(dotted: str, call: Call) -> Value:
    """What calling the torch name ``dotted`` returns."""
    special = _TORCH_SPECIAL.get(dotted)
    if special is not None:
        return special
    module, _, name = dotted.rpartition(".")
    if module == "torch" and name in FACTORIES:
        return CERTAIN_TENSOR
    if name in _TORCH_PREDICATES:
        return BOOLEAN
    if name in _TORCH_COUNTS:
        return NUMBER
    if name in _TORCH_CONTEXTS:
        return CONTEXT
    if name in ("compile", "script", "trace") and module in ("torch", "torch.jit"):
        return uncertain(call.value(0))
    if name in _TUPLE_WITH_DIM and module in _TENSOR_MODULES:
        dim = call.has_dim
        return TENSOR if dim is False else TENSOR_TUPLE if dim else UNKNOWN_VALUE
    if name in _TUPLE_RESULTS:
        return TENSOR_TUPLE if module in _TENSOR_MODULES else UNKNOWN_VALUE
    if name[:1].isupper():
        return _torch_class(module, name)
    if module.startswith("torchvision.models"):
        if name in ("get_weight", "list_models", "get_model_weights", "get_model_builder"):
            return UNKNOWN_VALUE
        return MODULE
    if module in _TENSOR_MODULES:
        return TENSOR
    return UNKNOWN_VALUE


def _torch_class(module: str, name: str) -> Value:
    """An instance of the torch class ``module.name``."""
    if module == "torch" and name.endswith("Tensor"):
        return TENSOR
    if name.endswith("Weights") or name.startswith("_"):
        return UNKNOWN_VALUE
    if module.startswith("torch.optim.lr_scheduler"):
        return SCHEDULER
    if module.startswith("torch.optim.swa_utils"):
        return MODULE if name == "AveragedModel" else SCHEDULER
    if module.startswith("torch.optim"):
        return OPTIMIZER
    if module.startswith(("torch.nn", "torchvision.models", "torchvision.ops")):
        return MODULE
    if module.startswith("torch.utils.data") or module.startswith("torchvision.datasets"):
        return DATASET
    if module.startswith("torchvision.transforms"):
        return TRANSFORM
    if module.startswith("torch.distributions"):
        return DISTRIBUTION
    if module.startswith(("torch.cuda.amp", "torch.amp")):
        return GRAD_SCALER if name == "GradScaler" else CONTEXT
    return torch_value(f"{module}.{name}")


def class_kind_of_torch_base(dotted: str) -> Value | None:
    """The value instances have when a class derives from the torch class ``dotted``."""
    module, _, name = dotted.rpartition(".")
    if not name[:1].isupper():
        return None
    found = _torch_class(module, name)
    if found.kind != TORCH:
        return None
    if found == DATASET and name == "DataLoader":
        return DATALOADER
    return found


def ecosystem_call(dotted: str) -> Value | None:
    """Calls of torch-based libraries with a well-known result.

    ``timm.create_model`` gives a module; torchmetrics' metrics are modules and its
    functions return tensors; ``Fabric(...)``, ``Trainer(...)``, ``Accelerator(...)`` are
    the library's own objects.
    """
    found = _TORCH_ECOSYSTEM_MODULES.get(dotted)
    if found is not None:
        return found
    root, name = dotted.partition(".")[0], dotted.rpartition(".")[2]
    if root == "torchmetrics":
        return MODULE if name[:1].isupper() else TENSOR
    if root in _FRAMEWORK_ROOTS and name in _FRAMEWORK_CLASSES:
        return foreign(FRAMEWORK)
    return None


def is_module_base(dotted: str) -> bool:
    """``L.LightningModule`` and the like: torch-based bases that are ``nn.Module``\\ s."""
    root = dotted.partition(".")[0]
    return root in _MODULE_BASE_ROOTS and dotted.rpartition(".")[2] in MODULE_BASES


def foreign_call(dotted: str, call: Call) -> Value:
    """What calling a name of a non-torch library returns."""
    root = dotted.partition(".")[0]
    name = dotted.rpartition(".")[2]
    if root in ("copy",) and name in ("copy", "deepcopy"):
        return uncertain(call.value(0))
    if root == "typing" and name == "cast":
        return call.value(1)
    if root == "tqdm" or (root == "itertools" and name in ("islice", "cycle", "chain")):
        return foreign("iterator", element_of(call.value(0)))
    if root == "random" and name in ("choice",):
        return element_of(call.value(0))
    if root == "einops" and name in ("rearrange", "repeat", "reduce"):
        return uncertain(call.value(0))
    if root == "collections":
        return foreign("dict" if name in ("OrderedDict", "defaultdict", "Counter") else "list")
    if root in _PASS_THROUGH_ROOTS:
        return UNKNOWN_VALUE
    if is_foreign_module(dotted):
        return foreign(foreign_family(dotted))
    return UNKNOWN_VALUE


def builtin_call(name: str, call: Call) -> Value:
    """What calling the builtin ``name`` returns."""
    if name in ("str", "repr", "format", "chr", "hex", "oct", "bin", "ascii", "input"):
        return STRING
    if name in ("int", "float", "complex", "len", "ord", "hash", "id"):
        return NUMBER
    if name in ("round", "abs", "pow"):
        first = call.value(0)
        return uncertain(first) if first.is_tensor else NUMBER
    if name in ("bool", "isinstance", "issubclass", "hasattr", "callable", "all", "any"):
        return BOOLEAN
    if name in ("list", "tuple", "set", "frozenset", "sorted"):
        family = "list" if name == "sorted" else name if name != "frozenset" else "set"
        return foreign(family, element_of(call.value(0)) if call.positional else None)
    if name in ("reversed", "iter", "filter"):
        return foreign("iterator", element_of(call.value(1 if name == "filter" else 0)))
    if name == "next":
        return element_of(call.value(0))
    if name == "enumerate":
        return foreign("iterator", Value(TUPLE, items=(NUMBER, element_of(call.value(0)))))
    if name == "zip":
        items = tuple(element_of(value) for value in call.values())
        return foreign("iterator", Value(TUPLE, items=items))
    if name == "range":
        return foreign("iterator", NUMBER)
    if name in ("dict", "vars", "globals", "locals"):
        return foreign("dict")
    if name in ("open",):
        return foreign("object")
    if name in ("print", "setattr", "delattr", "exec"):
        return NONE_VALUE
    if name in ("max", "min", "sum"):
        if len(call.positional) == 1:
            element = element_of(call.value(0))
            return uncertain(element) if name != "sum" or element.is_tensor else UNKNOWN_VALUE
        return uncertain(join_all(call.values()))
    if name in ("bytes", "bytearray", "memoryview", "slice", "object", "dir"):
        return foreign("object")
    if name[:1].isupper():  # exceptions and warnings
        return foreign("object")
    return UNKNOWN_VALUE


# -- methods, attributes, indexing, iteration ------------------------------------------------


def tensor_method(name: str, receiver: Value, call: Call) -> Value:
    """What ``<tensor>.name(...)`` returns."""
    if name in _TENSOR_NOT_TENSOR_METHODS:
        family = _TENSOR_NOT_TENSOR_METHODS[name]
        return foreign(family) if family != "list" else foreign("list")
    if name == "size":
        return NUMBER if call.positional or "dim" in call.keywords else SIZE
    if name == "type":
        return STRING if not call.positional and "dtype" not in call.keywords else TENSOR
    if name in ("backward", "register_hook", "retain_grad", "record_stream"):
        return NONE_VALUE
    if name in ("storage", "untyped_storage"):
        return torch_value("torch.Storage")
    if name in _TUPLE_WITH_DIM:  # x.max() and x.max(y) are tensors, x.max(1) is a pair
        if "dim" in call.keywords:
            return TENSOR_TUPLE
        return TENSOR if not call.positional or call.value(0).is_tensor else TENSOR_TUPLE
    if name in _TUPLE_RESULTS:
        return TENSOR_TUPLE
    if name.startswith("is_"):
        return BOOLEAN
    return CERTAIN_TENSOR if receiver.certain and name in TENSOR_TO_TENSOR else TENSOR


_MODULE_SELF = frozenset(
    {"to", "cuda", "cpu", "float", "double", "half", "bfloat16", "train", "eval",
     "requires_grad_", "apply", "type", "share_memory", "to_empty", "xpu", "ipu"}
)  # fmt: skip


def module_method(name: str, receiver: Value) -> Value:
    """What ``<module>.name(...)`` returns."""
    if name in _MODULE_SELF:
        return receiver if receiver.kind == TORCH else MODULE
    if name in ("parameters", "buffers"):
        return foreign("iterator", TENSOR)
    if name in ("named_parameters", "named_buffers"):
        return foreign("iterator", Value(TUPLE, items=(STRING, TENSOR)))
    if name in ("children", "modules"):
        return foreign("iterator", MODULE)
    if name in ("named_children", "named_modules"):
        return foreign("iterator", Value(TUPLE, items=(STRING, MODULE)))
    if name in ("state_dict",):
        return foreign("dict", TENSOR)
    if name in ("forward",):
        return TENSOR
    if name in ("get_submodule",):
        return MODULE
    if name in ("get_parameter", "get_buffer"):
        return TENSOR
    if name in ("zero_grad", "register_buffer", "register_parameter", "add_module"):
        return NONE_VALUE
    return UNKNOWN_VALUE


def torch_method(receiver: Value, name: str, call: Call) -> Value:
    """What ``<torch object>.name(...)`` returns."""
    what = receiver.what
    if what == TENSOR_CLASS:
        return tensor_method(name, receiver, call)
    if what == MODULE_CLASS:
        return module_method(name, receiver)
    if what == OPTIMIZER_CLASS:
        if name == "state_dict":
            return foreign("dict")
        return NONE_VALUE if name in ("zero_grad", "add_param_group") else UNKNOWN_VALUE
    if what == GRAD_SCALER.what and name == "scale":
        return TENSOR
    if what == DISTRIBUTION.what and name in ("sample", "rsample", "log_prob", "entropy"):
        return TENSOR
    if what == SCHEDULER.what and name == "get_last_lr":
        return foreign("list", NUMBER)
    if what in (DEVICE.what, DTYPE.what, SIZE.what):
        return foreign("object")
    return UNKNOWN_VALUE


def foreign_method(receiver: Value, name: str) -> Value:
    """What a method of a foreign value returns: more of the same, or unknown from containers."""
    if not receiver.is_container:
        if receiver.what == "str" and name in ("split", "rsplit", "splitlines", "partition"):
            return foreign("list", foreign("str"))
        return foreign(receiver.what)
    if name == "copy":
        return receiver
    if name in ("keys", "items", "values"):
        element = receiver.element if name == "values" else None
        if name == "items" and receiver.element is not None:
            element = Value(TUPLE, items=(UNKNOWN_VALUE, receiver.element))
        return foreign("iterator", element)
    if name in ("pop", "get", "setdefault", "popleft") and receiver.element is not None:
        return receiver.element
    if name in ("index", "count"):
        return NUMBER
    if name in ("append", "extend", "insert", "remove", "clear", "update", "add", "sort"):
        return NONE_VALUE
    return UNKNOWN_VALUE


def attribute_of(value: Value, name: str) -> Value:
    """What ``<value>.name`` (not called) is, for torch and foreign values."""
    if value.kind == FOREIGN:
        if value.what == FRAMEWORK:
            return UNKNOWN_VALUE
        return foreign(value.what) if not value.is_container else foreign("object")
    if value.kind != TORCH:
        return UNKNOWN_VALUE
    what = value.what
    if what == TENSOR_CLASS:
        if name in TENSOR_PROPERTIES:
            return value
        if name in _TENSOR_LIKELY_PROPERTIES:
            return TENSOR
        if name == "shape":
            return SIZE
        if name == "device":
            return DEVICE
        if name == "dtype":
            return DTYPE
        if name in ("ndim", "is_cuda", "requires_grad", "is_leaf", "itemsize", "nbytes"):
            return foreign("object")
        return UNKNOWN_VALUE
    if what == MODULE_CLASS:
        if name in ("weight", "bias"):
            return TENSOR
        if name == "training":
            return BOOLEAN
        return UNKNOWN_VALUE
    if what == OPTIMIZER_CLASS:
        if name == "param_groups":
            return foreign("list", foreign("dict"))
        return foreign("dict") if name in ("state", "defaults") else UNKNOWN_VALUE
    if what in (DEVICE.what, DTYPE.what, SIZE.what):
        return foreign("object")
    return UNKNOWN_VALUE


def element_of(value: Value) -> Value:
    """What iterating over ``value`` yields."""
    if value.element is not None:
        return value.element
    kind = value.kind
    if kind == TORCH:
        if value.what in (TENSOR_CLASS, MODULE_CLASS):
            return TENSOR if value.what == TENSOR_CLASS else MODULE
        if value.what in (DATALOADER.what, DATASET.what):
            return BATCH
        if value.what == SIZE.what:
            return NUMBER
        return UNKNOWN_VALUE
    if kind == TUPLE:
        return join_all(value.items) if value.items else UNKNOWN_VALUE
    if kind == FOREIGN:
        return UNKNOWN_VALUE if value.is_container else foreign(value.what)
    if kind == IMPORT and is_foreign_module(value.what):
        return foreign(foreign_family(value.what))
    return UNKNOWN_VALUE


def unpack(value: Value, path: Sequence[int]) -> Value:
    """The part of ``value`` an unpacking target gets (``a, (b, c) = value``).

    Unpacking proves nothing (a certain tensor's rows are tensors, but the diagnostics
    only trust plain assignments).
    """
    if path:
        value = uncertain(value)
    for position in path:
        if position == -1:
            value = foreign("list", element_of(value))
        elif value.kind == TUPLE and value.items:
            value = value.items[position] if position < len(value.items) else UNKNOWN_VALUE
        else:
            value = element_of(value)
    return value


def subscript_of(value: Value, index: Node | None) -> Value:
    """What ``value[index]`` is."""
    kind = value.kind
    integer = index is not None and _integer_index(index)
    if kind == TORCH:
        if value.what == TENSOR_CLASS:
            return value
        if value.what == MODULE_CLASS:
            return MODULE
        if value.what == SIZE.what:
            return NUMBER if integer else SIZE
        if value.what == DATASET.what:
            return BATCH
        return UNKNOWN_VALUE
    if kind == TUPLE:
        position = _integer_value(index) if index is not None and integer else None
        if (
            value.items
            and position is not None
            and -len(value.items) <= position < len(value.items)
        ):
            return value.items[position]
        return element_of(value)
    if kind == FOREIGN:
        if not value.is_container:
            return foreign(value.what)
        if index is not None and index.type == "slice":
            return value
        return value.element or UNKNOWN_VALUE
    if kind == UNKNOWN and value.element is not None and integer:
        return value.element
    if kind == IMPORT and is_foreign_module(value.what):
        return foreign(foreign_family(value.what))
    return UNKNOWN_VALUE


def _integer_index(index: Node) -> bool:
    if index.type == "integer":
        return True
    if index.type == "unary_operator":
        operand = index.child_by_field_name("argument")
        return operand is not None and operand.type == "integer"
    return False


def _integer_value(index: Node) -> int | None:
    try:
        return int((index.text or b"").decode("ascii", "replace").replace(" ", ""), 0)
    except ValueError:
        return None


_ARITHMETIC = frozenset({"+", "-", "*", "/", "//", "%", "**", "@", "&", "|", "^", "<<", ">>"})
_ORDERING = frozenset({"<", ">", "<=", ">=", "==", "!="})


def binary(operator: str, left: Value, right: Value) -> Value:
    """What ``left <operator> right`` is."""
    if left.is_tensor or right.is_tensor:
        if operator not in _ARITHMETIC and operator not in _ORDERING:
            return BOOLEAN
        return TENSOR  # arithmetic proves nothing for the diagnostics (precision first)
    if operator not in _ARITHMETIC and operator not in _ORDERING:
        return BOOLEAN
    if left.kind == FOREIGN and right.kind == FOREIGN:
        for family in ("numpy", "pandas"):
            if family in (left.what, right.what):
                return foreign(family)
        if operator in _ORDERING:
            return BOOLEAN
        if "str" in (left.what, right.what) and operator in ("+", "%", "*"):
            return STRING
        if left.what == right.what:
            return foreign(left.what)
        return foreign("object")
    if left.kind == FOREIGN and left.what == "str" and operator == "%":
        return STRING
    return UNKNOWN_VALUE


def enter(value: Value) -> Value:
    """What ``with value as name`` binds."""
    if value.kind == FOREIGN:
        return foreign("object")
    if value.kind == TORCH and value.what == CONTEXT.what:
        return NONE_VALUE
    return UNKNOWN_VALUE


def join_values(values: list[Value]) -> Value:
    """:func:`~torch_notes.analysis.values.join` of several values."""
    result = join_all(values)
    return result if result.kind != "unbound" else UNKNOWN_VALUE
