"""What the server stores and serves meets every W3C annotation-model MUST."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import Klass, note


def test_served_annotations_pass_the_w3c_checker(
    klass: Klass, tmp_path: Path, w3c_checker: Path
) -> None:
    checker = w3c_checker
    ana = klass.join("Ana")
    root = klass.post(ana, text="emoji 🇯🇵, 東京 and <script>")
    klass.post(ana, audience="private")
    klass.post(klass.teacher, reply_to=root["id"], motivation="assessing", text="Good")
    tagged = note()
    tagged["body"].append({"type": "TextualBody", "purpose": "tagging", "value": "Opinion"})
    klass.client.post(klass.container, json=tagged, headers=ana)
    files = []
    for name, who in (("teacher", klass.teacher), ("ana", ana)):
        page = klass.client.get(klass.container, headers=who).json()
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(page), encoding="utf-8")
        files.append(str(path))
    single = tmp_path / "single.json"
    single.write_text(json.dumps(klass.client.get(root["id"], headers=ana).json()))
    proc = subprocess.run(
        [sys.executable, str(checker), *files, str(single)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
