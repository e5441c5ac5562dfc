"""Finding the user's object from a reference: a file `problem.py` / `run.py`, or a dotted path
`pkg.module.Problem`; and the import root (the folder that must be on sys.path for the module's
dotted name) that lets every later process import the same module."""

import os
import sys


class RefError(Exception):
    """The reference itself is wrong (no such file, no such module, no such attribute): nothing of the user's failed."""

    def __init__(self, message, hint):
        super(RefError, self).__init__(message)
        self.hint = hint


class Loaded(object):
    """What a reference resolved to."""

    def __init__(self, obj, attribute, module, import_root):
        self.obj = obj
        self.attribute = attribute
        self.module = module
        self.module_name = module.__name__
        self.file = getattr(module, "__file__", None)
        self.import_root = import_root


def is_file_ref(ref):
    return ref.endswith(".py") or os.sep in ref or "/" in ref or os.path.isfile(ref)


def add_import_roots(roots):
    """Puts the folders first on sys.path, in the order given."""
    for root in reversed(list(roots)):
        path = os.path.abspath(root)
        if not os.path.isdir(path):
            raise RefError(
                "--import-root {}: no such folder".format(root),
                "give the folder that holds the top-level package of the dotted path",
            )
        if path in sys.path:
            sys.path.remove(path)
        sys.path.insert(0, path)


def import_root_of(module_name, file):
    """The folder that holds the top-level package (or the module) of module_name, from its file."""
    root = os.path.dirname(os.path.abspath(file))
    levels = module_name.count(".") + (1 if os.path.basename(file) == "__init__.py" else 0)
    for _ in range(levels):
        root = os.path.dirname(root)
    return root


def module_name_of_file(path):
    """(dotted module name, import root) of a .py file: inside a package (folders with __init__.py)
    it is imported under its dotted name, so that its imports of siblings work."""
    folder, filename = os.path.split(path)
    parts = [] if filename == "__init__.py" else [filename[:-3]]
    while os.path.isfile(os.path.join(folder, "__init__.py")):
        folder, package = os.path.split(folder)
        parts.insert(0, package)
    return ".".join(parts), folder


def load(ref, default_attributes, import_roots=()):
    """The object ref names; a file ref takes the first of default_attributes it defines.

    Raises RefError for a wrong reference; whatever the user's module raises while being imported
    (SyntaxError included) propagates unchanged.
    """
    add_import_roots(import_roots)
    if is_file_ref(ref):
        module, root = _import_file(ref)
        return _attribute(module, default_attributes, ref, root)
    if not all(part.isidentifier() for part in ref.split(".")):
        raise RefError(
            "{}: neither a .py file nor a dotted path".format(ref),
            "give a file such as problem.py, or a dotted path such as pkg.module.Problem",
        )
    # As `python -c "import pkg.module"` run in the current folder would: that folder first, after
    # the import roots given.
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(len(list(import_roots)), cwd)
    if "." not in ref:
        module = _import_dotted(ref, ref)
        return _attribute(module, default_attributes, ref, import_root_of(module.__name__, module.__file__))
    module_name, attribute = ref.rsplit(".", 1)
    module = _import_dotted(module_name, ref)
    if not hasattr(module, attribute):
        # pkg.module given without its attribute: the last part is a module holding the default one.
        try:
            module = _import(ref)
        except ModuleNotFoundError as e:
            if e.name != ref:
                raise
            raise RefError(
                "{}: module '{}' has no attribute '{}'".format(ref, module_name, attribute),
                "check the name defined in {}".format(_shown(module.__file__)),
            )
        return _attribute(module, default_attributes, ref, import_root_of(module.__name__, module.__file__))
    return Loaded(getattr(module, attribute), attribute, module, import_root_of(module.__name__, module.__file__))


def _import(module_name):
    # __import__ rather than importlib: this runs at the start of every evaluation, and importlib
    # is one more package to load.
    __import__(module_name)
    return sys.modules[module_name]


def _import_dotted(module_name, ref):
    try:
        return _import(module_name)
    except ModuleNotFoundError as e:
        # Only the reference's own module (or a package of it) missing is a wrong reference; a
        # module the user's code imports and lacks is the user's error, with their file and line.
        if e.name is None or not (module_name == e.name or module_name.startswith(e.name + ".")):
            raise
        raise RefError(
            "{}: no module named '{}' (searched the import roots, the current folder and PYTHONPATH)".format(ref, e.name),
            "run from the folder that holds '{}', or add that folder to PYTHONPATH".format(e.name.split(".")[0]),
        )


def _import_file(ref):
    path = os.path.abspath(ref)
    if not os.path.isfile(path):
        raise RefError("{}: no such file".format(ref), "give the path of a .py file, or a dotted path pkg.module.NAME")
    if not path.endswith(".py"):
        raise RefError("{}: not a .py file".format(ref), "give a Python file, or a dotted path pkg.module.NAME")
    module_name, root = module_name_of_file(path)
    if root in sys.path:
        sys.path.remove(root)
    sys.path.insert(0, root)
    existing = sys.modules.get(module_name.split(".")[0])
    existing_file = getattr(existing, "__file__", None) if existing is not None else None
    if existing is not None and (existing_file is None or not _same(import_root_of(existing.__name__, existing_file), root)):
        raise RefError(
            "{}: the name '{}' is already taken by the module {}".format(ref, module_name.split(".")[0], _shown(existing_file) if existing_file else "built into Python"),
            "rename the file (or its package folder)",
        )
    module = _import(module_name)
    if not _same(getattr(module, "__file__", "") or "", path):
        raise RefError(
            "{}: importing '{}' found {} instead".format(ref, module_name, _shown(module.__file__)),
            "a module of the same name comes first on sys.path; rename the package or fix PYTHONPATH",
        )
    return module, root


def _attribute(module, names, ref, root):
    for name in names:
        if hasattr(module, name):
            return Loaded(getattr(module, name), name, module, root)
    raise RefError(
        "{}: defines no {}".format(ref, " and no ".join("'{}'".format(n) for n in names)),
        "name it {} in {}, or give its dotted path pkg.module.NAME".format(
            " or ".join("'{}'".format(n) for n in names), _shown(module.__file__)
        ),
    )


def _same(a, b):
    return os.path.realpath(a) == os.path.realpath(b)


def _shown(path):
    """A path as messages show it: relative to the current folder when under it."""
    if not path:
        return "?"
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative
