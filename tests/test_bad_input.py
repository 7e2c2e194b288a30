"""Bad input never produces a traceback: random edits of a good spec give exit 0, 1 or 2,
and exit 2 always comes with a message naming the spec file."""
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verify.cli import main

ROOT = Path(__file__).resolve().parents[1]
BASE = (ROOT / "specs" / "parity-remask.toml").read_text()
LINES = BASE.splitlines()
VALUES = ['"all"', '"none"', '"0..{n}"', '"{n-1}"', "-1", "0", "3", "1.5", "true", '"x"', '"m0 &"',
          '"r7"', '"v99"', "[1, 2]", "[]", "{}", '"{i+}"', '"{n/0}"', '"maj()"', '"ite(1,2)"',
          '"sat"', '"z3"', '"PROVED"', '"plain"', '"remask+revise"', '"table"', "99999"]


@st.composite
def edited_specs(draw):
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 3))):
        k = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["value", "delete", "dup", "key"]))
        if action == "delete":
            del lines[k]
        elif action == "dup":
            lines.insert(k, lines[k])
        elif action == "value" and "=" in lines[k]:
            lines[k] = lines[k].split("=", 1)[0] + "= " + draw(st.sampled_from(VALUES))
        elif action == "key" and "=" in lines[k]:
            lines[k] = draw(st.sampled_from(["n", "at", "kind", "mode", "bogus"])) + " =" + lines[k].split("=", 1)[1]
    # keep the run small: only a few params
    text = "\n".join(lines).replace("n = [2, 3, 4, 5, 6]", "n = [2, 3]")
    return text


@settings(max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", "120")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edited_specs())
def test_random_spec_edits_never_crash(tmp_path, text):
    spec = tmp_path / "s.toml"
    spec.write_text(text)
    out, err = io.StringIO(), io.StringIO()
    code = main([str(spec), "--proofs", str(tmp_path / "proofs"), "--timeout", "20"], out, err)
    assert code in (0, 1, 2)
    assert "Traceback" not in err.getvalue() + out.getvalue()
    assert "internal error" not in out.getvalue(), out.getvalue()
    if code == 2:
        assert str(spec) in err.getvalue()
    assert spec.read_text() == text


def test_unwritable_report_path(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text(BASE.replace("n = [2, 3, 4, 5, 6]", "n = [2]"))
    out, err = io.StringIO(), io.StringIO()
    code = main([str(spec), "--json", str(tmp_path), "--proofs", str(tmp_path / "p")], out, err)
    assert code == 2 and str(tmp_path) in err.getvalue() and "Traceback" not in err.getvalue()
