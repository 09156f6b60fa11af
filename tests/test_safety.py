"""Model directories are data, never code: trust_remote_code stays off and pickled weights are not preferred (issue 4)."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

from typer.testing import CliRunner

from summarizer.cli.main import app

EVIL = "import pathlib\npathlib.Path({marker!r}).write_text('code from the model directory ran')\n"


class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (Path.write_text, (Path(self.marker), "pickle ran"))


def _booby_trapped(src: Path, dst: Path, marker: Path) -> Path:
    """A copy of a model whose config and tokenizer config name custom code, plus a malicious pickle beside the safetensors."""
    shutil.copytree(src, dst)
    (dst / "modeling_evil.py").write_text(EVIL.format(marker=str(marker)))
    (dst / "tokenization_evil.py").write_text(EVIL.format(marker=str(marker)))
    config = json.loads((dst / "config.json").read_text())
    config["auto_map"] = {"AutoConfig": "modeling_evil.EvilConfig", "AutoModelForSeq2SeqLM": "modeling_evil.EvilModel"}
    (dst / "config.json").write_text(json.dumps(config))
    tok = json.loads((dst / "tokenizer_config.json").read_text())
    tok["auto_map"] = {"AutoTokenizer": ["tokenization_evil.EvilTokenizer", None]}
    (dst / "tokenizer_config.json").write_text(json.dumps(tok))
    (dst / "pytorch_model.bin").write_bytes(pickle.dumps(_Payload(marker)))
    return dst


def test_model_directory_code_is_never_executed(tmp_path, tiny_models):
    marker = tmp_path / "pwned"
    models = {role: _booby_trapped(path, tmp_path / role, marker) for role, path in tiny_models.items()}
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("De minister zei dat het plan volgend jaar begint. Er is geld nodig voor scholen.")
    args = ["--nl-en", str(models["nl-en"]), "--summarizer", str(models["summarizer"]), "--en-nl", str(models["en-nl"])]
    for engine in ("torch", "auto"):  # auto: CTranslate2's converter when installed
        out = tmp_path / f"out-{engine}"
        result = CliRunner().invoke(app, ["run", str(src), "--out", str(out), "--cache-dir", str(tmp_path / "cache"),
                                          "--engine", engine, "--num-beams", "1", "--max-length", "12", *args])
        assert result.exit_code == 0, result.output
        assert (out / "a.json").exists()
        assert not marker.exists(), f"{engine}: {marker.read_text()}"
