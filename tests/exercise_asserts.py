"""What every exercise check must do: ✅ and True for a right answer, a ❌ hint and False otherwise."""


def passes(capsys, result):
    out = capsys.readouterr().out
    assert result is True and out.startswith("✅"), out
    return out


def hints(capsys, result, *words):
    out = capsys.readouterr().out
    assert result is False and out.startswith("❌ Not yet: "), out
    for word in words:
        assert word in out, (word, out)
