"""labkit.documents: an API definition is read with bounded work (issue 16 item 10: a 560-byte YAML alias bomb
cost 2.4 GB and 14 s), and labkit.openapi.load_document refuses one with a ValueError naming the limit."""

from __future__ import annotations

import pytest
import yaml

from labkit import documents, openapi


def alias_bomb(levels: int) -> str:
    """'Billion laughs': each level lists the previous one nine times, so the document stands for 9**levels nodes."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.fixture
def never_constructed(monkeypatch):
    """Fail the test if PyYAML starts building Python objects (where an expansion would be paid)."""
    def refuse(*args, **kwargs):
        raise AssertionError("the document was constructed")
    monkeypatch.setattr(yaml.SafeLoader, "construct_document", refuse)


def test_an_alias_bomb_is_refused_before_it_is_built(never_constructed):
    bomb = alias_bomb(9)  # 9**9 = 387 million nodes, in under 600 bytes
    assert len(bomb) < 600
    with pytest.raises(documents.DocumentTooLarge, match=f"beyond {documents.MAX_NODES} nodes"):
        documents.load_text(bomb)


def test_aliases_within_the_limit_still_load():
    loaded = documents.load_text(alias_bomb(5))  # 9**5 = 59049 nodes: a large but honest document
    assert loaded["a4"][0][0][0][0] == ["lol"] * 9
    assert documents.load_text("base: &b {type: string}\nother: *b\n") == {"base": {"type": "string"},
                                                                           "other": {"type": "string"}}


def test_a_recursive_alias_is_refused(never_constructed):
    with pytest.raises(documents.RecursiveDocument):
        documents.load_text("a: &a [1, *a]\n")


def test_a_text_over_aws_size_limit_is_refused_unread(monkeypatch):
    monkeypatch.setattr(documents.json, "loads", lambda *a, **k: pytest.fail("the oversized text was parsed"))
    text = "x" * (documents.MAX_DOCUMENT_BYTES + 1)
    with pytest.raises(documents.DocumentTooLarge, match="at most 6291456 bytes"):
        documents.load_text(text)


def test_load_document_names_the_limit():
    with pytest.raises(ValueError, match=f"doc is refused: .*{documents.MAX_NODES} nodes"):
        openapi.load_document(alias_bomb(9))
