"""Reading an API definition document (JSON or YAML) without letting it cost more than its size (issue 16 item 10).

A YAML alias names a node already read, so a 560-byte document of nested aliases ("billion laughs") stands for
billions of nodes: PyYAML builds it cheaply with shared references, but whatever walks it afterwards (validation,
import, json.dumps, deepcopy) expands it. The loader here counts the nodes a document stands for *as it composes
it* (an alias counts as the whole node it names) and stops at MAX_NODES, before anything is expanded; a
self-referencing alias is refused outright. It also refuses text over AWS's size limit for imported definitions.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, SequenceNode

# "The maximum size of the API definition file is 6MB." (ImportRestApi / PutRestApi `body`:
# https://docs.aws.amazon.com/apigateway/latest/api/API_ImportRestApi.html#API_ImportRestApi_RequestBody;
# also "API definition file size" in "Amazon API Gateway quotas":
# https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html)
MAX_DOCUMENT_BYTES = 6 * 1024 * 1024
# Nodes a document may stand for once its aliases are expanded. A 6 MB definition written out has at most a few
# hundred thousand nodes (each takes a few bytes), so a million never refuses a real one, and walking a million
# nodes is bounded work.
MAX_NODES = 1_000_000


class DocumentTooLarge(ValueError):
    """The document, or what its YAML aliases expand to, is over the kit's limit."""


class RecursiveDocument(ValueError):
    """A YAML alias inside the node it names: the document has no finite expansion."""


class _CountingLoader(yaml.SafeLoader):
    """SafeLoader that weighs every node as it is composed and stops once the expansion passes MAX_NODES."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.weights: dict[int, int] = {}  # id(node) -> nodes it stands for; lives as long as this load
        self.total = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        is_alias = self.check_event(AliasEvent)
        node = super().compose_node(parent, index)
        if is_alias:
            if id(node) not in self.weights:  # named while still being composed: an alias inside its own anchor
                raise RecursiveDocument("a YAML alias refers to a node that contains it (a recursive document)")
            self.total += self.weights[id(node)]  # the whole node it names, again
        else:
            self.weights[id(node)] = self._weigh(node)
            self.total += 1
        if self.total > MAX_NODES:
            raise DocumentTooLarge(f"YAML aliases expand the document beyond {MAX_NODES} nodes")
        return node

    def _weigh(self, node: Node) -> int:
        """1 + the weight of each child (all composed, so all weighed, before their parent)."""
        if isinstance(node, SequenceNode):
            children = list(node.value)
        elif isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            return 1
        return 1 + sum(self.weights[id(child)] for child in children)


def load_text(text: str | bytes) -> Any:
    """The document a JSON or YAML text holds; DocumentTooLarge past MAX_DOCUMENT_BYTES or MAX_NODES,
    RecursiveDocument for an alias inside its own anchor, yaml.YAMLError when it is neither."""
    size = len(text.encode("utf-8") if isinstance(text, str) else text)
    if size > MAX_DOCUMENT_BYTES:
        raise DocumentTooLarge(f"the document is {size} bytes; an API definition may be at most "
                               f"{MAX_DOCUMENT_BYTES} bytes (6 MB)")
    decoded = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    try:
        return json.loads(decoded)  # JSON has no aliases, and its parser is far faster than PyYAML's
    except ValueError:
        pass
    loader = _CountingLoader(decoded)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
