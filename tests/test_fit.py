import pytest

from summarizer.generation.fit import pack, split_to_fit
from summarizer.generation.batching import batches


def words(texts):
    return [len(t.split()) for t in texts]


def chars(texts):
    return [len(t) for t in texts]


@pytest.mark.parametrize("limit", [1, 3, 7, 50])
def test_pieces_fit_and_cover_everything(limit):
    text = "een twee drie, vier vijf; zes zeven acht negen: tien elf twaalf dertien veertien"
    pieces = split_to_fit(text, words, limit)
    assert all(n <= limit for n in words(pieces))
    assert " ".join(pieces).split() == text.split()


def test_prefers_clause_boundaries():
    assert split_to_fit("a b c, d e f", words, 3) == ["a b c,", "d e f"]


def test_text_without_spaces_is_split_by_characters():
    text = "x" * 1000
    pieces = split_to_fit(text, chars, 64)
    assert "".join(pieces) == text
    assert max(chars(pieces)) <= 64


def test_pack_respects_limit():
    assert pack(["a", "b", "c", "d"], [1, 1, 1, 1], 4) == ["a b", "c d"]


def test_batches_respect_budget_and_cover_all():
    lengths = [5, 50, 7, 3, 48, 20]
    groups = batches(lengths, budget=100)
    assert sorted(i for g in groups for i in g) == list(range(6))
    for g in groups:
        assert len(g) * max(lengths[i] for i in g) <= 100 or len(g) == 1
    assert groups[0][0] == 1  # longest first
