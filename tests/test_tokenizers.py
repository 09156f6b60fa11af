"""The light tokenizers give what transformers gives, token for token, on the real-like stand-ins."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarizer.engines.tokenizers import BartTokens, MarianTokens, load_tokens
from summarizer.inputs.segment import split_paragraphs, split_sentences

REPO = Path(__file__).resolve().parents[1]
ROLES = ["nl-en", "en-nl", "summarizer"]
SAVED = ["nl-en-saved", "summarizer-saved"]  # re-saved by transformers: tokenizer_config.json in full, tokenizer.json

NEWS_EN = [
    "The North Korean leader is determined to hold the summit with the American president.",
    "Talks about the cancelled meeting are progressing very well, the White House said on Sunday.",
    "Shares in Apple Inc. rose 3.5% to $172.40 on Tuesday, its best day since March.",
    "\"We're not going to stop,\" said Dr. O'Neill, 54, who's led the U.N. team since 2019.",
    "The storm -- the worst in decades -- left 1,200 homes without power (officials said).",
]
DIACRITICS = ["één", "ruïne", "café", "coördinatie", "ĳ", "Ĳsselmeer", "ĳverig", "naïef", "reünie", "überhaupt",
              "Zoë en Chloë gaan naar de crèche.", "e\u0301e\u0301n (decomposed)", "ÉÉN", "Curaçao", "Škoda"]
PUNCTUATION = [
    "„Dit is een citaat,” zei hij.", "“Quoted” and ‘single’ and «guillemets» and ‹single›.",
    "Dashes: a – b — c ‒ d ― e - f", "Ellipsis… and ... and . . .", "no\u00a0break\u202fnarrow\u2007figure",
    "zero\u200bwidth\u200cjoin\u200dnon\ufeffbom", "emoji 😀👍🏽🇳🇱 and 👨‍👩‍👧", "CJK 中文 日本語 한국어 テスト",
    "math ∑ ≤ ≥ ≠ ± × ÷ ½ ¾ ² ³ ‰", "bullets • · ◦ ▪ and arrows → ← ⇒", "tabs\tand\nnewlines\r\nand\u2028separators",
    "brackets [x] {y} (z) <w>", "at @user #hashtag $5 €10 £20 ¥30 ₿1", "apostrophe's ’s `back` ´acute",
    "«  spaced  »  ;  :  !  ?", "''double single'' ``tex``", "¿Qué? ¡Sí!",
]
NUMBERS = ["1.250,50", "€ 1.250,50", "1,250.50", "12:30", "27-05-2018", "3,5 %", "-0,5°C", "10^6", "1e-9", "0012345",
           "+31 (0)20 123 4567", "Ⅻ ① ²"]
URLS = ["https://www.nieuwsblad.be/cnt/dmf20180527_03532219?utm_source=x&y=1#frag",
        "http://example.com/a%20b/ü", "mailto:jan@example.nl", "www.vrt.be/nws", "ftp://x.y/z.tar.gz"]
LITERALS = ["<mask>", "</s>", "<pad>", "<unk>", "<s>", "<mask> </s> <pad> <unk> <s>", "a<mask>b", "</s></s>",
            "<s>Hallo</s>", "▁<unused1>", "Ġ<unused1>", ">>fr<< Bonjour", ">>nld<<Hallo", ">><<", ">>open",
            "a >>fr<< b", "<<x>>", ">>a<<>>b<< c", "▁", "▁▁x", "Ġx", "ĠĠ"]
UNKNOWN = ["ŋ ɣ ʃ", "ᚠᛇᚻ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "ภาษาไทย", "العربية", "עברית", "\x00\x01\x07", "\ue000 private", "ꙮ",
           "\U0001f9ec\U0001fae0", "�", "ﬁ ﬂ", "Ａｂｃ１２３"]
EDGES = ["", " ", "  ", "\n", "\t", " leading", "trailing ", "  double  spaces  ", "a" * 3000,
         "Kindercarnavalsoptochtvoorbereidingswerkzaamhedenplan" * 20, "x" + "é" * 1000, "😀" * 300,
         "1" * 500, "-" * 400, "ab" * 1500]


def seed_sentences() -> list[str]:
    out = []
    for path in sorted((REPO / "seeds").glob("*.txt")):
        for paragraph in split_paragraphs(path.read_text(encoding="utf-8")):
            out.extend(split_sentences(paragraph, "nl"))
    return out


TEXTS = NEWS_EN + DIACRITICS + PUNCTUATION + NUMBERS + URLS + LITERALS + UNKNOWN + EDGES


@pytest.fixture(scope="module")
def model_dirs(hub_repos, tmp_path_factory):
    """The stand-ins as published, plus copies re-saved by transformers' save_pretrained."""
    from transformers import AutoTokenizer

    dirs = dict(hub_repos)
    root = tmp_path_factory.mktemp("saved-tokenizers")
    for role in ("nl-en", "summarizer"):
        out = root / role
        AutoTokenizer.from_pretrained(hub_repos[role]).save_pretrained(out)
        shutil.copyfile(hub_repos[role] / "config.json", out / "config.json")
        dirs[f"{role}-saved"] = out
    return dirs


@pytest.fixture(scope="module")
def pairs(model_dirs):
    """(light, transformers) tokenizers for every model directory."""
    from transformers import AutoTokenizer

    return {role: (load_tokens(path), AutoTokenizer.from_pretrained(path)) for role, path in model_dirs.items()}


def hf_encode(hf, texts, special=True):
    return hf(list(texts), add_special_tokens=special, truncation=False, split_special_tokens=True)["input_ids"]


def hf_decode(hf, batch):
    return [t.strip() for t in hf.batch_decode(batch, skip_special_tokens=True)]


def assert_same_encoding(light, hf, texts):
    for special in (True, False):
        ours, theirs = light.encode(texts, add_special_tokens=special), hf_encode(hf, texts, special)
        bad = [(t, a, b) for t, a, b in zip(texts, ours, theirs) if a != b]
        assert not bad, f"add_special_tokens={special}: {len(bad)} mismatches, first {bad[0]}"
    assert light.count(texts) == [len(ids) for ids in hf_encode(hf, texts, False)]


@pytest.mark.parametrize("role", ROLES + SAVED)
def test_load_picks_the_class(pairs, role):
    light, hf = pairs[role]
    assert isinstance(light, BartTokens if role.startswith("summarizer") else MarianTokens)
    assert light.vocab_size == len(hf)
    assert light.model_max_length == hf.model_max_length
    assert light.special_count == len(hf_encode(hf, [""])[0]) == hf.num_special_tokens_to_add()


@pytest.mark.parametrize("role", ROLES + SAVED)
@pytest.mark.parametrize("group", ["seeds", "news", "diacritics", "punctuation", "numbers", "urls", "literals",
                                   "unknown", "edges"])
def test_encode_and_count_match(pairs, role, group):
    texts = {"seeds": seed_sentences(), "news": NEWS_EN, "diacritics": DIACRITICS, "punctuation": PUNCTUATION,
             "numbers": NUMBERS, "urls": URLS, "literals": LITERALS, "unknown": UNKNOWN, "edges": EDGES}[group]
    assert texts
    light, hf = pairs[role]
    assert_same_encoding(light, hf, texts)
    for text in texts[:20]:  # one at a time too: batching must not change anything
        assert light.encode([text]) == hf_encode(hf, [text])


@pytest.mark.parametrize("role", ROLES + SAVED)
def test_whole_seeds_match(pairs, role):
    light, hf = pairs[role]
    seeds = [p.read_text(encoding="utf-8") for p in sorted((REPO / "seeds").glob("*.txt"))]
    assert_same_encoding(light, hf, seeds)


@pytest.mark.parametrize("role", ROLES)
def test_ids_to_tokens_over_the_whole_vocabulary(pairs, role):
    light, hf = pairs[role]
    ids = list(range(light.vocab_size))
    assert light.ids_to_tokens(ids) == hf.convert_ids_to_tokens(ids)
    with pytest.raises(ValueError, match="not in the vocabulary"):
        light.ids_to_tokens([light.vocab_size])


@pytest.mark.parametrize("role", ROLES)
def test_tokens_to_ids_over_the_whole_vocabulary_and_unknowns(pairs, role):
    light, hf = pairs[role]
    tokens = hf.convert_ids_to_tokens(list(range(light.vocab_size)))
    tokens += ["not-a-token", "", " ", "▁▁▁", "ĠĠĠĠĠĠĠĠĠĠĠĠĠĠĠĠĠĠ", "<MASK>", "<mask> ", "😀", ">>fr<<", "\x00"]
    assert light.tokens_to_ids(tokens) == hf.convert_tokens_to_ids(tokens)


@pytest.mark.parametrize("role", ROLES + SAVED)
def test_decode_round_trips_and_arbitrary_ids(pairs, role):
    light, hf = pairs[role]
    encoded = light.encode(TEXTS + seed_sentences())
    assert light.decode(encoded) == hf_decode(hf, encoded)
    rng = random.Random(role)
    special = [hf.convert_tokens_to_ids(t) for t in hf.all_special_tokens]
    batch = [[rng.randrange(light.vocab_size) for _ in range(rng.randrange(0, 40))] for _ in range(300)]
    batch += [[rng.choice(special + [rng.randrange(light.vocab_size)]) for _ in range(12)] for _ in range(100)]
    batch += [[], special, special * 3, [special[0]] + batch[0] + [special[-1]]]
    assert light.decode(batch) == hf_decode(hf, batch)


def test_literal_special_tokens_are_text(pairs):
    """`<mask>` typed in an article never becomes BART's id 50264, which the model has no row for."""
    light, _ = pairs["summarizer"]
    for text in ["<mask>", "a <mask> b", "</s><s><pad><unk>"]:
        ids = light.encode([text])[0]
        assert ids[0] == 0 and ids[-1] == 2 and 50264 not in ids and 1 not in ids and 3 not in ids
    marian, _ = pairs["nl-en"]
    assert marian.encode(["</s> <pad>"])[0][:-1].count(0) == 0
    assert 67027 not in marian.encode(["<pad>"])[0]


@pytest.mark.parametrize("role", ROLES)
def test_empty_batches(pairs, role):
    light, _ = pairs[role]
    assert light.encode([]) == [] and light.count([]) == [] and light.decode([]) == []
    assert light.ids_to_tokens([]) == [] and light.tokens_to_ids([]) == []


_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200)
_WORDY = st.lists(st.sampled_from(TEXTS[:60] + ["de", "het", "een", "the", " ", "  ", "\n", ",", "."]), max_size=12).map(" ".join)


@pytest.mark.parametrize("role", ROLES)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.one_of(_TEXT, _WORDY), min_size=1, max_size=6))
def test_random_text_matches(pairs, role, texts):
    light, hf = pairs[role]
    assert_same_encoding(light, hf, texts)
    encoded = light.encode(texts)
    assert light.decode(encoded) == hf_decode(hf, encoded)


@pytest.mark.parametrize("role", ROLES)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_ids_decode_the_same(pairs, role, data):
    light, hf = pairs[role]
    batch = data.draw(st.lists(st.lists(st.integers(0, light.vocab_size - 1), max_size=30), min_size=1, max_size=4))
    assert light.decode(batch) == hf_decode(hf, batch)
    flat = [i for ids in batch for i in ids]
    assert light.ids_to_tokens(flat) == hf.convert_ids_to_tokens(flat)


def test_converted_models_load_too(converted_models):
    """The safetensors copies a run loads carry the same tokenizer files."""
    assert isinstance(load_tokens(converted_models["nl-en"]), MarianTokens)
    assert isinstance(load_tokens(converted_models["summarizer"]), BartTokens)


def _copy(src, dst):
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.bin", "*.h5", "*.ot", "*.msgpack", "*.safetensors"))
    return dst


@pytest.mark.parametrize(("name", "update"), [
    ("config.json", {"model_type": "t5"}),
    ("config.json", {"model_type": None}),
    ("tokenizer_config.json", {"separate_vocabs": True}),
    ("tokenizer_config.json", {"unk_token": "<oov>"}),
    ("tokenizer_config.json", {"tokenizer_class": "PreTrainedTokenizerFast"}),
    ("tokenizer_config.json", {"clean_up_tokenization_spaces": True}),
    ("tokenizer_config.json", {"additional_special_tokens": ["<eop>"]}),
    ("tokenizer_config.json", {"added_tokens_decoder": {"5": {"content": "<pad>", "special": True}}}),
])
def test_unsupported_settings_fall_back(hub_repos, tmp_path, name, update):
    model = _copy(hub_repos["nl-en"], tmp_path / "m")
    data = json.loads((model / name).read_text())
    data.update(update)
    (model / name).write_text(json.dumps(data))
    assert load_tokens(model) is None


def test_bart_with_a_prefix_space(hub_repos, tmp_path):
    """add_prefix_space in tokenizer_config.json changes the ids; both libraries follow it alike."""
    from transformers import AutoTokenizer

    model = _copy(hub_repos["summarizer"], tmp_path / "bart")
    config = json.loads((model / "tokenizer_config.json").read_text())
    (model / "tokenizer_config.json").write_text(json.dumps({**config, "add_prefix_space": True}))
    light, hf = load_tokens(model), AutoTokenizer.from_pretrained(model)
    texts = NEWS_EN + LITERALS + EDGES[:8]
    assert light.encode(texts) != BartTokens(hub_repos["summarizer"]).encode(texts)
    assert_same_encoding(light, hf, texts)
    assert light.decode(light.encode(texts)) == hf_decode(hf, light.encode(texts))


def test_missing_or_broken_files_fall_back(hub_repos, tmp_path):
    assert load_tokens(tmp_path) is None  # no config.json
    marian = _copy(hub_repos["nl-en"], tmp_path / "marian")
    (marian / "source.spm").write_bytes(b"not a model")
    assert load_tokens(marian) is None
    bart = _copy(hub_repos["summarizer"], tmp_path / "bart")
    (bart / "merges.txt").unlink()
    assert load_tokens(bart) is None
    bart_mask = _copy(hub_repos["summarizer"], tmp_path / "bart-mask")
    vocab = json.loads((bart_mask / "vocab.json").read_text())
    del vocab["<mask>"]
    (bart_mask / "vocab.json").write_text(json.dumps(vocab))
    assert load_tokens(bart_mask) is None  # transformers would add <mask> itself: not reproduced


def test_import_and_use_need_neither_torch_nor_transformers(hub_repos):
    code = textwrap.dedent(f"""
        import sys
        from summarizer.engines.tokenizers import load_tokens
        for path in {[str(hub_repos[r]) for r in ROLES]!r}:
            tokens = load_tokens(path)
            tokens.decode(tokens.encode(["Hallo wereld <mask>"]))
        heavy = sorted(m for m in ("torch", "transformers", "sacremoses") if m in sys.modules)
        assert not heavy, heavy
    """)
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, env={**_env(), "PYTHONPATH": str(REPO)})


def _env():
    import os

    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
