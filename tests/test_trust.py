"""Provenance, the fact check and the repetition guard, on constructed English text with known answers."""

from __future__ import annotations

import pytest

from summarizer.trust.annotate import annotate
from summarizer.trust.factcheck import check, claims
from summarizer.trust.provenance import Index, content_tokens
from summarizer.generation.repetition import find_loop, guard
from summarizer.generation.settings import SummarySettings, TranslationSettings

SOURCE = [
    "North Korean leader Kim Jong-un is determined to hold the summit with US President Donald Trump.",
    "South Korean President Moon Jae-in said so on Sunday at a press conference in Seoul.",
    "The summit is planned for 12 June in Singapore.",
    "Russia and Japan called for restraint, Vladimir Putin said in Moscow.",
    "The talks between Kim and Moon lasted two hours.",
]


def test_planted_unsupported_number_is_flagged():
    sentence = "Kim and Moon talked for 7 hours before the summit on 12 June in Singapore."
    result = check(sentence, support=SOURCE[2:5], document=SOURCE)
    assert [s.text for s in result.unsupported] == ["7"]
    span = result.unsupported[0]
    assert sentence[span.start:span.end] == "7"


def test_planted_date_name_and_time_are_flagged_supported_ones_are_not():
    sentence = "Obama met Kim in Singapore on 14 June at 18:30, Moon said on Sunday."
    result = check(sentence, support=SOURCE, document=SOURCE)
    assert {s.text for s in result.unsupported} == {"Obama", "14 June", "18:30"}
    assert result.checked == 7  # Obama, Kim, Singapore, 14 June, 18:30, Moon, Sunday


def test_supported_elsewhere_is_not_unsupported():
    sentence = "The talks lasted two hours in Singapore."
    result = check(sentence, support=[SOURCE[4]], document=SOURCE)
    assert not result.unsupported
    assert [s.text for s in result.elsewhere] == ["Singapore"]


def test_numbers_normalise_across_forms():
    assert check("It cost 2,500 dollars.", support=[], document=["It cost 2500 dollars."]).unsupported == ()
    assert check("Het kostte 2.500 euro.", support=[], document=["Het kostte 2500 euro."], lang="nl").unsupported == ()
    assert check("They met twice.", support=[], document=["They met 2 times."]).unsupported == ()
    assert [s.text for s in claims("On May 3 they met; you may go.")] == ["May 3"]


def test_provenance_picks_the_sentences_a_summary_sentence_draws_on():
    index = Index(SOURCE)
    one = index.support("The summit in Singapore is planned for 12 June.")
    assert one.sources == (2,) and one.method == "bm25" and one.coverage > 0.9
    fused_text = "Kim is determined to hold the summit, and Putin called for restraint in Moscow."
    fused = index.support(fused_text)
    assert set(fused.sources) == {0, 3}
    assert fused.scores[0] == max(fused.scores)  # the best BM25 match comes first, the coverage pick after it
    assert fused.sources[0] == max(fused.sources, key=lambda i: index.scores(content_tokens(fused_text))[i])


def test_provenance_without_shared_words_is_a_weak_character_match():
    support = Index(SOURCE).support("Singaporean restrainment.")
    assert support.method == "characters" and support.coverage == 0.0 and len(support.sources) == 1


def test_annotate_gives_every_pair_sources_and_flags():
    translation = [{"paragraph": 0, "en": en, "nl": en} for en in SOURCE]
    pairs = annotate([{"en": "Trump will meet Kim on 12 June in Singapore with 40 advisers.", "nl": "x"}], translation)
    assert pairs[0]["sources"][0] == 2 and pairs[0]["match"] == "bm25"
    assert [s["text"] for s in pairs[0]["unsupported"]] == ["40"]


@pytest.mark.parametrize("text, loops", [
    ("The summit will go ahead. The summit will go ahead.", True),
    ("Moon Moon Moon said so.", True),
    ("talks went on and on and on and on", True),
    ("He said the talks with the North Korean leader went well, and that the North Korean leader agreed.", False),
    ("Kim met Moon in Panmunjom on Saturday.", False),
])
def test_find_loop(text, loops):
    assert bool(find_loop(text)) is loops


def test_guard_retries_once_then_flags_and_terminates():
    calls = []

    def regenerate(indices):
        calls.append(indices)
        return ["again again again" if i == 0 else "A clean sentence." for i in indices]

    outputs = ["spam spam spam spam", "fine output here", "x y x y x y"]
    result, flags, retried = guard(outputs, ["bron een", "bron twee", "bron drie"], regenerate)
    assert calls == [[0, 2]] and retried == 2  # one batched retry, never a second
    assert result == ["again again again", "fine output here", "A clean sentence."]
    assert flags[0] and flags[1] is None and flags[2] is None


def test_source_that_repeats_itself_is_not_a_loop():
    result, flags, retried = guard(["no no no"], ["nee nee nee"], lambda i: pytest.fail("must not regenerate"))
    assert retried == 0 and flags == [None]


def test_strict_settings_are_stricter():
    assert TranslationSettings().strict().no_repeat_ngram_size == 3
    assert SummarySettings().strict().no_repeat_ngram_size == 2  # smaller n forbids more
    assert SummarySettings(no_repeat_ngram_size=0).strict().no_repeat_ngram_size == 3
