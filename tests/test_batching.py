"""Summaries batched across documents: identical to one by one, fewer model calls, each document done as soon as it is."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pytest

from summarizer.engines.base import Engine, Job, WrappedEngine
from summarizer.engines.ctranslate2 import CT2Engine
from summarizer.engines.torch import TorchEngine
from summarizer.generation.settings import SummarySettings
from summarizer.generation.summarize import chunk_sentences, summarize_many
from summarizer.models.sources import ModelSource

GREEDY = SummarySettings(num_beams=1, min_length=4, max_length=24, no_repeat_ngram_size=0)
SENTENCES = [
    "The North Korean leader is determined to hold the summit with the American president.",
    "Talks about the cancelled meeting are progressing very well, the White House said on Sunday.",
    "Russia and Japan called for restraint in the conflict between North and South Korea.",
    "South Korean President Moon Jae-in met Kim Jong-un at the border village of Panmunjom.",
]


class Counting(WrappedEngine):
    """A real engine that counts the batches it is given."""

    name = "counting"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.batches: list[int] = []

    @property
    def inner(self) -> Engine:
        return self.engine

    @property
    def loads(self) -> int:
        return self.engine.loads

    def generate_batches(self, jobs: Iterable[Job]) -> Iterator[list[str]]:
        def counted() -> Iterator[Job]:
            for texts, kwargs in jobs:
                self.batches.append(len(texts))
                yield texts, kwargs

        return self.engine.generate_batches(counted())


def _documents() -> list[list[str]]:
    long = [f"{SENTENCES[i % 4]} It was report number {i} of the day." for i in range(160)]  # several windows
    return [SENTENCES[:1], SENTENCES, long, SENTENCES[1:3], long[:70], SENTENCES[2:]]


@pytest.fixture(params=["torch", "ctranslate2"])
def engine(request, tiny_models, tmp_path) -> Engine:
    source = ModelSource("summarizer", str(tiny_models["summarizer"]), "r", tiny_models["summarizer"])
    if request.param == "torch":
        return TorchEngine(source, device="cpu", dtype="float32")
    return CT2Engine(source, device="cpu", store=tmp_path, compute_type="float32")


def test_batched_equals_one_by_one_with_fewer_calls(engine):
    documents = _documents()
    assert len(chunk_sentences(documents[2], engine)) > 1  # the long document really needs several rounds
    alone = Counting(engine)
    one_by_one = [summarize_many([d], engine=alone, settings=GREEDY)[0] for d in documents]
    together = Counting(engine)
    batched = summarize_many(documents, engine=together, settings=GREEDY)
    assert batched == one_by_one
    assert len(together.batches) < len(alone.batches) and max(together.batches) > 1


def test_each_document_is_reported_as_soon_as_it_is_done(engine):
    documents = _documents()
    order: list[int] = []
    summaries = summarize_many(documents, engine=engine, settings=GREEDY, on_done=lambda i, s: order.append(i))
    assert sorted(order) == list(range(len(documents)))
    single = [i for i, d in enumerate(documents) if len(chunk_sentences(d, engine)) == 1]
    assert order[: len(single)] == single  # documents that fit one window finish in the first round
    assert all(summaries)


def test_a_long_document_is_cut_into_even_chunks(engine):
    """Even chunks: no short leftover that gets a minimum length of its own, and so a batch of its own."""
    long = [f"{SENTENCES[i % 4]} It was report number {i} of the day." for i in range(160)]
    even, greedy = chunk_sentences(long, engine), chunk_sentences(long, engine, even=False)
    assert len(even) == len(greedy) > 1
    sizes, greedy_sizes = engine.count_tokens(even), engine.count_tokens(greedy)
    assert max(sizes) - min(sizes) < max(greedy_sizes) - min(greedy_sizes)
    assert max(sizes) <= engine.max_content_tokens
