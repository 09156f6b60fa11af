"""The output signature: every role's model, revision and compute, and the settings, in a line that parses back."""

from __future__ import annotations

import pytest

from summarizer.outputs.signature import ModelStamp, Signature


def _signature(names=("opus-mt-nl-en", "distilbart-cnn-12-6", "opus-mt-en-nl")) -> Signature:
    computes = ("ctranslate2:cpu:int8", "torch:cpu:float32", "ctranslate2:cpu:int8")  # the summarizer fell back to torch
    return Signature(
        version="0.1.0",
        models=tuple(ModelStamp.of(role, f"org/{name}", f"sha256:{'ab' * 32}", compute)
                     for role, name, compute in zip(("nl-en", "summarizer", "en-nl"), names, computes)),
        beams=(6, 4, 4), min_length=56, max_length=142, min_length_ratio=0.5, length_penalty=2.0, no_repeat_ngram_size=3,
    )


def test_every_roles_compute_is_in_the_line():
    line = str(_signature())
    assert "summarizer:distilbart-cnn-12-6@abababababab(torch:cpu:float32)" in line
    assert line.count("(ctranslate2:cpu:int8)") == 2
    assert line.startswith("summarize:0.1.0|nl-en:opus-mt-nl-en@abababababab(") and line.endswith("|nrng:3")


@pytest.mark.parametrize("names", [
    ("opus-mt-nl-en", "distilbart-cnn-12-6", "opus-mt-en-nl"),
    ("a|b", "c(d)@e", "f%g /h"),  # local folders may be named anything
    ("nl-en", "summarizer", "en-nl"),
])
def test_it_parses_back(names):
    signature = _signature(names)
    assert Signature.parse(str(signature)) == signature


@pytest.mark.parametrize("line", ["", "summarize:0.1.0", "hello|world", "summarize:1|beam:x|len:1-2|minr:0|lp:1|nrng:0"])
def test_other_lines_are_refused(line):
    with pytest.raises(ValueError):
        Signature.parse(line)
