"""The verifier printed in docs/allocation.md, run exactly as printed on an exported trial."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

from adapters.config import StoreConfig
from application.export import export_events
from application.trial import TrialService
from betrokken.system import open_service
from tests.application.test_trial import run_trial

DOC = Path(__file__).resolve().parents[2] / "docs" / "allocation.md"


def verifier() -> str:
    (code,) = re.findall(r"^```python\n(.*?)^```$", DOC.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)
    return code


def test_the_documented_verifier_re_derives_every_arm_of_a_locked_trial(sqlite_store: StoreConfig, tmp_path: Path) -> None:
    service = open_service(sqlite_store)
    try:
        program_id, _ = run_trial(service, n=12)
        script, export = tmp_path / "verify_allocation.py", tmp_path / "export.jsonl"
        script.write_text(verifier(), encoding="utf-8")

        def run() -> subprocess.CompletedProcess[str]:
            out = io.StringIO()
            export_events(service, out, True)
            export.write_text(out.getvalue(), encoding="utf-8")
            return subprocess.run([sys.executable, str(script), str(export), str(program_id)],
                                  capture_output=True, text=True, timeout=60)

        assert run().returncode != 0  # not locked yet: nothing to check against
        TrialService(service).lock(program_id)
        done = run()
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "12 assignments match the seed"
        # an assignment someone chose by hand is caught
        lines = [json.loads(line) for line in export.read_text(encoding="utf-8").splitlines()]
        first = next(e for e in lines if e["type"] == "TrainingProgram.ArmAssigned")
        first["data"]["arm"] = next(a for a in ("cash", "fund", "control") if a != first["data"]["arm"])
        export.write_text("".join(json.dumps(e) + "\n" for e in lines), encoding="utf-8")
        tampered = subprocess.run([sys.executable, str(script), str(export), str(program_id)],
                                  capture_output=True, text=True, timeout=60)
        assert tampered.returncode != 0 and "AssertionError" in tampered.stderr
    finally:
        service.close()
