import pytest

from hypothesis import given, strategies as st

from summarizer.generation.fit import pack, pack_even, split_to_fit
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


def test_pack_even_cuts_halves_not_a_full_chunk_and_a_leftover():
    units, counts = [f"s{i}" for i in range(12)], [10] * 12  # 132 tokens with spaces; limit 100: greedy 99 + 33
    assert [c.count("s") for c in pack(units, counts, 100)] == [9, 3]
    assert [c.count("s") for c in pack_even(units, counts, 100)] == [6, 6]


@given(st.lists(st.integers(1, 60), min_size=1, max_size=60), st.integers(61, 400))
def test_pack_even_needs_no_more_chunks_and_its_longest_is_as_short_as_can_be(counts, limit):
    units = [f"u{i}" for i in range(len(counts))]
    greedy, even = pack(units, counts, limit), pack_even(units, counts, limit)
    size = dict(zip(units, counts))

    def tokens(chunk: str) -> int:
        return sum(size[u] + 1 for u in chunk.split())

    assert " ".join(even).split() == units  # every unit once, in order
    assert len(even) == len(greedy)
    longest = max(tokens(c) for c in even)
    assert longest <= max(tokens(c) for c in greedy) and longest <= limit
    if len(even) > 1 and longest > max(counts) + 1:  # one token less and the same units need another chunk
        assert len(pack(units, counts, longest - 1)) > len(greedy)
