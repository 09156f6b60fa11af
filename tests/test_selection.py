"""Which files of a hub repo a run downloads: the real repos' listings (../shared/CHECKPOINTS.md) and their likely successors."""

from __future__ import annotations

import pytest

from summarizer.models.hubclient import select_files, weights_of

OPUS_MAIN = ["config.json", "generation_config.json", "source.spm", "target.spm", "tokenizer_config.json", "vocab.json",
             "README.md", ".gitattributes", "pytorch_model.bin", "tf_model.h5", "rust_model.ot"]
DISTILBART_MAIN = ["config.json", "merges.txt", "vocab.json", "tokenizer_config.json", "README.md", ".gitattributes",
                   "pytorch_model.bin", "flax_model.msgpack", "rust_model.ot"]
OPUS_FILES = ["config.json", "generation_config.json", "source.spm", "target.spm", "tokenizer_config.json", "vocab.json"]


@pytest.mark.parametrize(
    ("listing", "expected"),
    [
        (OPUS_MAIN, sorted([*OPUS_FILES, "pytorch_model.bin"])),
        (DISTILBART_MAIN, ["config.json", "merges.txt", "pytorch_model.bin", "tokenizer_config.json", "vocab.json"]),
        # main gains a safetensors conversion: the pickle is no longer fetched
        ([*OPUS_MAIN, "model.safetensors"], sorted([*OPUS_FILES, "model.safetensors"])),
        # a sharded safetensors checkpoint, with a stray ONNX export in a sub-folder
        ([*OPUS_FILES, "model.safetensors.index.json", "model-00001-of-00002.safetensors",
          "model-00002-of-00002.safetensors", "onnx/model.onnx", "onnx/config.json", "onnx/model.safetensors"],
         sorted([*OPUS_FILES, "model.safetensors.index.json", "model-00001-of-00002.safetensors",
                 "model-00002-of-00002.safetensors"])),
        # sharded pickles only
        (["config.json", "pytorch_model.bin.index.json", "pytorch_model-00001-of-00002.bin",
          "pytorch_model-00002-of-00002.bin", "tf_model.h5"],
         ["config.json", "pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin", "pytorch_model.bin.index.json"]),
        # no PyTorch weights at all: nothing to load
        (["config.json", "tf_model.h5", "flax_model.msgpack", "model.onnx"], ["config.json"]),
        # weights only in a sub-folder do not count
        (["config.json", "tokenizer.json", "sub/model.safetensors", "sub/pytorch_model.bin"], ["config.json", "tokenizer.json"]),
    ],
)
def test_selection_picks_config_tokenizer_and_one_weight_set(listing, expected):
    assert select_files(listing) == expected


def test_never_tf_flax_rust_onnx_or_subfolders():
    listing = [*OPUS_MAIN, "flax_model.msgpack", "model.onnx", "onnx/encoder_model.onnx", "coreml/x.json",
               "tf_model.h5.index.json", "training_args.bin", "optimizer.pt"]
    chosen = select_files(listing)
    assert not [n for n in chosen if "/" in n or n.endswith((".h5", ".msgpack", ".ot", ".onnx", ".pt"))]
    assert "training_args.bin" not in chosen


def test_weights_of_reports_missing_weights():
    assert weights_of(["config.json", "tf_model.h5"]) == []
    assert weights_of(["model.safetensors.index.json"]) == []  # an index without shards is not a checkpoint
