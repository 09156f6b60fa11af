"""Wired: a CTranslate2 run on an already converted model imports neither torch nor transformers."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from summarizer.engines.ctranslate2 import CT2Engine
from summarizer.models.sources import ModelSource

pytest.importorskip("ctranslate2")
REPO = Path(__file__).resolve().parents[1]
TEXTS = {"nl-en": ["Kim Jong-un is vastberaden <mask> om door te gaan.", "Ja.", ""],
         "summarizer": ["The North Korean leader is determined <mask> to hold the summit. " * 3, "Yes."]}


@pytest.mark.parametrize("role", ["nl-en", "summarizer"])
def test_light_run_matches_and_stays_light(tiny_models, tmp_path, role):
    source = ModelSource(role=role, id=str(tiny_models[role]), revision="r", path=tiny_models[role])
    engine = CT2Engine(source, device="cpu", store=tmp_path, compute_type="float32")
    kwargs = {"num_beams": 2, "max_new_tokens": 20}
    texts = [t for t in TEXTS[role] if t]
    light = engine.generate(texts, **kwargs)
    assert engine.tokens is not None
    heavy = CT2Engine(source, device="cpu", store=tmp_path, compute_type="float32")
    heavy.tokens = None  # the transformers path
    assert heavy.generate(texts, **kwargs) == light
    assert heavy.count_tokens(TEXTS[role]) == engine.count_tokens(TEXTS[role])
    assert (heavy.max_input_tokens, heavy.max_content_tokens, heavy.vocab_size) == \
        (engine.max_input_tokens, engine.max_content_tokens, engine.vocab_size)
    code = textwrap.dedent(f"""
        import json, sys
        from pathlib import Path
        from summarizer.engines.ctranslate2 import CT2Engine
        from summarizer.models.sources import ModelSource
        source = ModelSource(role={role!r}, id={str(tiny_models[role])!r}, revision="r", path=Path({str(tiny_models[role])!r}))
        engine = CT2Engine(source, device="cpu", store=Path({str(tmp_path)!r}), compute_type="float32")
        out = engine.generate({texts!r}, **{kwargs!r})
        print(json.dumps({{"out": out, "heavy": sorted(m for m in ("torch", "transformers") if m in sys.modules),
                          "conversions": engine.conversions}}))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"})
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"out": light, "heavy": [], "conversions": 0}
