"""The error tree: every error newsdesk raises on purpose has its own class."""

from __future__ import annotations

import ast
from pathlib import Path

from service import errors

SERVICE = Path(errors.__file__).parent


def test_no_module_raises_the_bare_base_class():
    # A bare ServiceError reaches the API's catch-all 503 and tells a client nothing about
    # its kind (issue 14, item 5): each raise names the class that says what went wrong.
    bare = []
    for path in sorted(SERVICE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                name = node.exc.func.id if isinstance(node.exc.func, ast.Name) else getattr(node.exc.func, "attr", "")
                if name == "ServiceError":
                    bare.append(f"{path.relative_to(SERVICE)}:{node.lineno}")
    assert bare == []


def test_every_error_class_is_a_service_error_with_a_one_line_docstring():
    classes = [value for value in vars(errors).values() if isinstance(value, type) and issubclass(value, Exception)]
    assert all(issubclass(kind, errors.ServiceError) for kind in classes)
    assert all(kind.__doc__ and "\n" not in kind.__doc__.strip() for kind in classes)
