"""The README is accurate (issue 12, items 1 and 6): CI runs its quick-start lines verbatim, it
documents everything ``list`` shows and every command, its ``sh`` examples run on a clone, and
without the dependencies ``python -m verify`` says how to install them in one line (exit 2)."""
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from verify.cli import COMMANDS, INSTALL, main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def sh_blocks(text: str) -> list[list[str]]:
    return [[line for line in block.splitlines() if line.strip()]
            for block in re.findall(r"^```sh\n(.*?)^```", text, flags=re.S | re.M)]


def quick_start() -> list[str]:
    return sh_blocks(README)[0]


def test_ci_runs_the_readme_quick_start_verbatim():
    lines = quick_start()
    assert len(lines) == 2 and all(line.startswith("python3 -m venv .venv && .venv/bin/pip install") for line in lines)
    assert "--all --strict" in lines[0] and "pytest" in lines[1]
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    start, end = ci.index("# --- the README's quick start (keep verbatim) ---"), ci.index("# --- end of the quick start ---")
    assert sorted(ci[start + 1:end]) == sorted(lines)
    assert "/usr/bin/python3" in "\n".join(ci[:start])        # Debian's python3 where it exists
    assert any(line.startswith(".venv/bin/python -m verify check proofs/") for line in ci[end:])


def test_install_hint_is_the_quick_start_install():
    assert quick_start()[0].startswith(INSTALL + " && ")


def test_missing_dependency_is_one_line_and_exit_2(tmp_path):
    """A meta-path finder that hides python-sat stands for an interpreter without the deps."""
    script = ("import sys\n"
              "class Hide:\n"
              "    def find_spec(self, name, path=None, target=None):\n"
              "        if name.split('.')[0] == 'pysat': raise ModuleNotFoundError(name)\n"
              "sys.meta_path.insert(0, Hide())\n"
              "from verify.cli import main\n"
              "sys.exit(main(sys.argv[1:]))\n")
    for argv in ([], ["list"], ["specs/parity-revise.toml"]):
        done = subprocess.run([sys.executable, "-c", script, *argv], cwd=ROOT, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr.count("\n") == 1 and "python-sat" in done.stderr and INSTALL in done.stderr


def test_readme_documents_everything_list_shows():
    out, err = io.StringIO(), io.StringIO()
    assert main(["list"], out, err) == 0
    text = out.getvalue()
    subjects = re.findall(r"\[([a-z]+)\]", text.splitlines()[0])
    kinds = re.findall(r"^  (\S+)\s+on ", text, flags=re.M)
    constructions = text.split("--construction): ")[1].splitlines()[0].split(", ")
    targets = text.split("distribution targets: ")[1].splitlines()[0].split(", ")
    assert subjects and kinds and constructions and targets
    missing = [f"[{s}]" for s in subjects if f"`[{s}]`" not in README]
    missing += [k for k in kinds + constructions + targets if f"`{k}`" not in README]
    kind_rows = re.findall(r"^\| `([a-z-]+)` \|", README.split("## Check kinds")[1], flags=re.M)
    missing += [f"check kind row {k}" for k in kinds if k not in kind_rows]
    missing += [f"command {c}" for c in COMMANDS if f"`python -m verify {c}" not in README]
    assert missing == [], missing
    assert "[check.table]" in README and "random_prefix" in README


def test_readme_points_only_to_files_that_exist():
    for ref in set(re.findall(r"\((docs/[\w./-]+)\)|`(docs/[\w./-]+\.md)`", README)):
        path = next(r for r in ref if r)
        assert (ROOT / path).is_file(), path
    assert (ROOT / "docs" / "model.md").is_file()
    assert "MODEL.md of the project's shared notes" not in README


def readme_examples() -> list:
    params = []
    for line in [line for block in sh_blocks(README)[1:] for line in block]:
        command = line.split("  #")[0].strip()
        assert command.startswith("python -m verify"), command
        params.append(pytest.param(command, id=command[len("python -m verify "):][:60]))
    return params


@pytest.mark.parametrize("command", readme_examples())
def test_readme_example_runs(command, tmp_path):
    """Each README ``sh`` example (after the quick start, which installs and runs everything:
    checked verbatim above and run by .ci/run) on this clone, /tmp paths moved to tmp_path.
    Every example is small (a few seconds); the slowest, the gap example, takes about 5 s."""
    argv = command.replace("/tmp/", f"{tmp_path}/").split()[3:]
    if argv[0] == "check":      # re-checks what the previous examples wrote: write it first
        assert main(["specs/quick/constructions.toml",
                     "--proofs", f"{tmp_path}/dlm-proofs"], io.StringIO(), io.StringIO()) == 0
    done = subprocess.run([sys.executable, "-m", "verify", *argv], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert done.stdout.strip()
