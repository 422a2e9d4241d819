"""pytest fixtures of the layer tests (tests/layers); the shared code is in layers_common."""

from layers_common import facts, recipes, root  # noqa: F401  (fixtures)
