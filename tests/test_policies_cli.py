"""The [sampler] subject through the CLI: claims, bad input (exit 2 naming the key), a
researcher's own policy behind --allow-code, and the policies command."""
import io
import json
from pathlib import Path

import pytest

from verify.cli import main

GOOD = '''
[claim]
name = "s"
statement = "x"

[sampler]
length = 3
vocab = ["a", "b"]

[sampler.target]
family = "markov"
initial = ["1/2", "1/2"]
transition = [["3/4", "1/4"], ["1/4", "3/4"]]

[sampler.policy]
name = "top-k-confidence"
schedule = [2, 1]

[[check]]
kind = "distribution"
expect = "REFUTED"

[[check]]
kind = "kl"
epsilon = "1/2"

[[check]]
kind = "li-cai"
'''


def run(args):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


def write(tmp_path, text, name="s.toml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_good_sampler_spec(tmp_path):
    code, out, err = run([str(write(tmp_path, GOOD)), "--proofs", str(tmp_path / "proofs")])
    assert code == 0, out + err
    assert "REFUTED  s distribution" in out and "most off:" in out and "confirmed by brute force" in out
    assert "PROVED   s kl" in out and "PROVED   s li-cai" in out
    assert not (tmp_path / "proofs").exists()


BAD = [
    ('initial = ["1/2", "1/2"]', 'initial = ["-1/2", "3/2"]', "sampler.target.initial", "must be >= 0"),
    ('initial = ["1/2", "1/2"]', 'initial = ["1/2", "1/4"]', "sampler.target.initial", "sum to 3/4"),
    ('transition = [["3/4", "1/4"], ["1/4", "3/4"]]', 'transition = [["3/4", "1/4"], ["1/4", "1/4"]]',
     "sampler.target.transition[1]", "sum to 1/2"),
    ("schedule = [2, 1]", "schedule = [2, 2]", "sampler.policy.schedule", "sums to 4, not L = 3"),
    ('vocab = ["a", "b"]', 'vocab = ["a"]', "sampler.vocab", "at least two"),
    ('name = "top-k-confidence"', 'name = "top-k-confidence"\nbogus = 1', "sampler.policy.bogus", "unknown key"),
    ('name = "top-k-confidence"', 'name = "top-k-confidence"\nconfidence = "loud"', "sampler.policy.confidence",
     "expected one of"),
    ('name = "top-k-confidence"', 'name = "greedy"', "sampler.policy.name", "unknown policy"),
    ('kind = "kl"\nepsilon = "1/2"', 'kind = "kl"\nepsilon = "ln -1"', "check[1].epsilon", "expected"),
    ('family = "markov"', 'family = "zipf"', "sampler.target.family", "expected one of"),
]


@pytest.mark.parametrize("old,new,key,words", BAD)
def test_bad_input_exits_2_naming_the_key(tmp_path, old, new, key, words):
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new))
    report = tmp_path / "r.json"
    code, out, err = run([str(path), "--json", str(report)])
    assert code == 2
    assert str(path) in err and f"key '{key}'" in err and words in err, err
    assert "Traceback" not in err + out


CUSTOM = '''
from fractions import Fraction

def left_to_right(state, step, steps, q):
    """Reveal the first masked position from the denoiser (the autoregressive sampler)."""
    i = state.index(-1)
    probs = q(i, state)
    return [(p, state[:i] + (v,) + state[i + 1:]) for v, p in enumerate(probs) if p]
'''


def custom_spec(ref, steps):
    return (GOOD.replace('[sampler.policy]\nname = "top-k-confidence"\nschedule = [2, 1]', "")
            .replace('vocab = ["a", "b"]', f'vocab = ["a", "b"]\npolicy = "{ref}"\nsteps = {steps}')
            .replace('expect = "REFUTED"', ""))


def test_custom_policy_needs_allow_code(tmp_path):
    (tmp_path / "mine.py").write_text(CUSTOM)
    spec = custom_spec("mine.py:left_to_right", 3)
    path = write(tmp_path, spec)
    code, out, err = run([str(path)])
    assert code == 1 and "ERROR    s distribution" in out and "--allow-code" in out
    code, out, err = run([str(path), "--allow-code"])
    assert code == 0, out + err
    assert "PROVED   s distribution" in out and "custom policy left_to_right from mine.py" in out


def test_custom_policy_bad_answer_is_an_error(tmp_path):
    (tmp_path / "mine.py").write_text("def half(state, step, steps, q):\n    return [(1, state)]\n")
    spec = custom_spec("mine.py:half", 1)
    code, out, err = run([str(write(tmp_path, spec)), "--allow-code"])
    assert code == 1 and "still masked" in out


def test_policies_command_table_and_json():
    code, out, err = run(["policies", "markov", "--L", "3", "--T", "2"])
    assert code == 0, err
    lines = [l for l in out.splitlines() if l.startswith("| ")]
    assert lines[0].startswith("| policy | T | TV |")
    assert any(l.startswith("| top-k-confidence (sampled) | 2 |") for l in lines)
    code, out, err = run(["policies", "parity-even", "--L", "3", "--T", "1..3", "--json", "--exact"])
    doc = json.loads(out)
    rows = {(r["policy"], r["T"]): r for r in doc["rows"]}
    assert rows[("random-order", 3)]["kl"] == "0"
    assert rows[("random-order", 2)]["kl"] == "0"        # schedule (2, 1): last step reveals one
    assert rows[("random-order", 1)]["kl"] == "ln 2"
    assert rows[("random-order", 1)]["tv"] == "1/2"


@pytest.mark.parametrize("args,words", [
    (["policies", "zipf"], "unknown target"),
    (["policies", "markov", "--V", "1"], "--V"),
    (["policies", "markov", "--T", "9"], "--T"),
    (["policies", "markov", "--initial", "1/2,1/4"], "sum to 3/4"),
    (["policies", "product"], "--marginals"),
])
def test_policies_command_bad_flags(args, words):
    code, out, err = run(args)
    assert code == 2 and words in err and "Traceback" not in err
