"""Generation settings follow the checkpoint unless overridden; summaries of short inputs get a smaller minimum."""

from __future__ import annotations

import json

import pytest

from summarizer.generation.settings import Overrides, SummarySettings, TranslationSettings, published_settings

# What the real checkpoints publish (../shared/CHECKPOINTS.md).
OPUS_NL_EN_GENERATION = {"bad_words_ids": [[67027]], "bos_token_id": 0, "decoder_start_token_id": 67027, "eos_token_id": 0,
                         "forced_eos_token_id": 0, "max_length": 512, "num_beams": 6, "pad_token_id": 67027,
                         "renormalize_logits": True}
DISTILBART_CONFIG = {"model_type": "bart", "vocab_size": 50264, "num_beams": 4, "length_penalty": 2.0, "min_length": 56,
                     "max_length": 142, "no_repeat_ngram_size": 3, "early_stopping": True, "prefix": " ",
                     "task_specific_params": {"summarization": {"early_stopping": True, "length_penalty": 2.0,
                                                                "max_length": 142, "min_length": 56,
                                                                "no_repeat_ngram_size": 3, "num_beams": 4}}}


def test_marian_beams_come_from_generation_config(tmp_path):
    (tmp_path / "generation_config.json").write_text(json.dumps(OPUS_NL_EN_GENERATION))
    (tmp_path / "config.json").write_text(json.dumps({"num_beams": 2}))  # generation_config.json wins
    assert Overrides().translation(published_settings(tmp_path, task="translation")).num_beams == 6
    (tmp_path / "generation_config.json").write_text(json.dumps({**OPUS_NL_EN_GENERATION, "num_beams": 4}))
    assert Overrides().translation(published_settings(tmp_path, task="translation")).num_beams == 4


def test_bart_settings_come_from_config_json_without_generation_config(tmp_path):
    config = {**DISTILBART_CONFIG, "num_beams": 1, "task_specific_params": {"summarization": {"num_beams": 3, "min_length": 30}}}
    (tmp_path / "config.json").write_text(json.dumps(config))
    settings = Overrides().summary(published_settings(tmp_path, task="summarization"))
    assert (settings.num_beams, settings.min_length, settings.max_length) == (3, 30, 142)  # task-specific values first
    assert settings.length_penalty == 2.0 and settings.no_repeat_ngram_size == 3


def test_user_overrides_win_over_the_checkpoint(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps(DISTILBART_CONFIG))
    published = published_settings(tmp_path, task="summarization")
    settings = Overrides(num_beams=2, min_length=10, length_penalty=1.0).summary(published)
    assert (settings.num_beams, settings.min_length, settings.max_length, settings.length_penalty) == (2, 10, 142, 1.0)
    assert Overrides(num_beams=1).translation({"num_beams": 6}).num_beams == 1


@pytest.mark.parametrize("published", [{}, {"num_beams": "six"}, {"num_beams": 0}, {"num_beams": 2.5}, {"num_beams": True}])
def test_missing_or_bad_published_values_keep_defaults(published):
    assert TranslationSettings.published(published).num_beams == TranslationSettings().num_beams


def test_missing_model_dir_or_broken_json_publishes_nothing(tmp_path):
    assert published_settings(None, task="translation") == {}
    (tmp_path / "config.json").write_text("{not json")
    assert published_settings(tmp_path, task="translation") == {}


@pytest.mark.parametrize(("tokens", "expected"), [(20, 10), (60, 30), (112, 56), (900, 56), (1, 1)])
def test_min_length_scales_with_short_inputs(tokens, expected):
    assert SummarySettings().min_length_for(tokens) == expected


def test_min_length_scaling_can_be_turned_off_and_is_part_of_the_key():
    assert SummarySettings(min_length_ratio=0).min_length_for(10) == 56
    assert SummarySettings().as_dict() != SummarySettings(min_length_ratio=0).as_dict()


def test_generation_kwargs_use_the_scaled_minimum():
    short = SummarySettings().generate_kwargs(40, 1021)
    long = SummarySettings().generate_kwargs(700, 1021)
    assert short["min_length"] == 20 and long["min_length"] == 56
    assert short["max_length"] == long["max_length"] == 142


def test_chunking_is_even_or_greedy_and_part_of_the_key():
    assert SummarySettings().chunking == "even"
    assert SummarySettings(chunking="greedy").as_dict() != SummarySettings().as_dict()
    with pytest.raises(ValueError, match="chunking must be one of even, greedy, not 'half'"):
        SummarySettings(chunking="half")
