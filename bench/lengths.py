"""Engine alone, by sentence length: transformers one sentence at a time vs CTranslate2 int8 in token-budget batches.

    python bench/lengths.py [--sentences 16]

Uses the real-shape en-nl model and its CTranslate2 conversion that `bench/bench.py` leaves in
bench/.models/ (run `python bench/bench.py --articles 2 --paths default` once first). Inputs are sentences of shuffled
seed words, short and long; beam 4; outputs capped at the input's length, as in bench.py.
Nothing is deduplicated, so this shows the engine and batching without the pipeline's reuse of
repeated sentences.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MODELS = HERE / ".models"
LENGTHS = {"short": 18, "long": 110}  # words per sentence


def main() -> None:
    """Print tok/s of both paths and their ratio for short and long sentences."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=16, help="sentences per length (default: 16)")
    args = parser.parse_args()
    converted = sorted((MODELS / "cache-default" / "ct2").glob("en-nl-*-int8-*"))
    if not (MODELS / "en-nl" / "pytorch_model.bin").is_file() or not converted:
        raise SystemExit("bench/.models/ lacks the en-nl model or its CTranslate2 conversion: run `python bench/bench.py --articles 2 --paths default` first")
    sys.path.insert(0, str(REPO))
    import ctranslate2
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from summarizer.inputs.articles import find_articles, read_article
    from summarizer.generation.batching import batches

    words = " ".join(s for p, n in find_articles(REPO / "seeds") for s in read_article(p, n).sentences).split()
    tokenizer = AutoTokenizer.from_pretrained(MODELS / "en-nl")
    model = AutoModelForSeq2SeqLM.from_pretrained(MODELS / "en-nl").eval()
    translator = ctranslate2.Translator(str(converted[-1]), device="cpu", compute_type="int8")
    rng = random.Random(0)
    print("| mean input length | naive | CTranslate2 int8 | ratio |\n| --- | ---: | ---: | ---: |")
    for n_words in LENGTHS.values():
        sentences = [" ".join(rng.sample(words, n_words)) for _ in range(args.sentences)]
        ids = tokenizer(sentences)["input_ids"]
        lengths = [len(i) for i in ids]
        start, naive = time.perf_counter(), 0
        for sentence, n in zip(sentences, lengths):
            with torch.inference_mode():
                out = model.generate(**tokenizer([sentence], return_tensors="pt"), num_beams=4, max_new_tokens=n - 1)
            naive += out.shape[1] - 1  # minus the decoder start token
        naive_tps = naive / (time.perf_counter() - start)
        start, fast = time.perf_counter(), 0
        for group in batches(lengths, 1024):
            results = translator.translate_batch([tokenizer.convert_ids_to_tokens(ids[i]) for i in group], beam_size=4,
                                                 max_decoding_length=max(lengths[i] for i in group) - 1, max_input_length=0)
            fast += sum(len(r.hypotheses[0]) for r in results)
        fast_tps = fast / (time.perf_counter() - start)
        print(f"| {sum(lengths) / len(lengths):.0f} tokens | {naive_tps:.1f} tok/s | {fast_tps:.1f} tok/s | {fast_tps / naive_tps:.1f}x |", flush=True)


if __name__ == "__main__":
    main()
