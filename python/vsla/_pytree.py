"""Pytrees: nested tuples, lists and dicts whose leaves are tensors or other values."""

from __future__ import annotations


def flatten(tree) -> tuple:
    """(leaves, treedef); treedef is hashable and rebuilds the tree with unflatten."""
    leaves: list = []
    return leaves, _flatten(tree, leaves)


def _flatten(tree, leaves):
    if isinstance(tree, tuple) and not hasattr(tree, "_fields"):
        return ("tuple", tuple(_flatten(x, leaves) for x in tree))
    if isinstance(tree, list):
        return ("list", tuple(_flatten(x, leaves) for x in tree))
    if isinstance(tree, dict):
        keys = sorted(tree, key=repr)
        return ("dict", tuple(keys), tuple(_flatten(tree[k], leaves) for k in keys))
    if tree is None:
        return ("none",)
    leaves.append(tree)
    return ("leaf",)


def unflatten(treedef, leaves) -> object:
    it = iter(leaves)
    return _unflatten(treedef, it)


def _unflatten(treedef, it):
    kind = treedef[0]
    if kind == "leaf":
        return next(it)
    if kind == "none":
        return None
    if kind == "tuple":
        return tuple(_unflatten(t, it) for t in treedef[1])
    if kind == "list":
        return [_unflatten(t, it) for t in treedef[1]]
    return {k: _unflatten(t, it) for k, t in zip(treedef[1], treedef[2])}
