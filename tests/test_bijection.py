"""The ``bijection`` check kind (verify/checks/bijection.py, issue 14 item 4).

Soundness is tested against the exact semantics: on small DLMs the check may only PROVE what
the exact output distribution confirms, and each kind of failure (reads a bit outside R′, leaves
S, not injective) must be REFUTED with a replayed run.
"""
from __future__ import annotations

import io

import pytest

from verify.cli import main

HEAD = """
[claim]
name = "b"
statement = "s"
reference = "r"
"""

DLM = HEAD + """
[dlm]
length = 2
rounds = 2
mode = "plain"
random_bits = 1
outputs = "all"

[[dlm.predictor]]        # position 0: its round-1 bit, then kept
at = "0"
value = "m0 & r0 | ~m0 & v0"

[[dlm.predictor]]        # position 1: masked in round 1, revealed in round 2
at = "1"
mask = "m0"
value = "~m0 & ({v1})"

[[check]]
kind = "bijection"
set = "{set}"
{bits}
expect = "{expect}"

[[check]]
kind = "distribution"
target = "{target}"
expect = "{dist}"
"""


def run(tmp_path, text):
    spec = tmp_path / "b.toml"
    spec.write_text(text)
    out, err = io.StringIO(), io.StringIO()
    code = main([str(spec), "--proofs", str(tmp_path / "proofs")], out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("v1,set_,bits,expect,dist,why", [
    ("v0", "parity-even", "", "PROVED", "PROVED", ""),                       # (r, r): uniform on 00, 11
    ("r0", "all", "", "PROVED", "PROVED", ""),
    ("v0 ^ r0", "all", "", "PROVED", "PROVED", ""),
    ("r0", "parity-even", 'bits = ["1.0.0"]', "REFUTED", "REFUTED", "outside R"),
    ("v0 & r0", "parity-even", 'bits = ["1.0.0"]', "REFUTED", "REFUTED", ""),
    ("1", "parity-even", 'bits = ["1.0.0"]', "REFUTED", "REFUTED", "not in parity-even"),
    ("v0", "all", 'bits = ["1.0.0", "2.1.0"]', "REFUTED", "REFUTED", "not injective"),
])
def test_bijection_agrees_with_exact(tmp_path, v1, set_, bits, expect, dist, why):
    target = "uniform" if set_ == "all" else set_
    code, out, err = run(tmp_path, DLM.format(v1=v1, set=set_, bits=bits, expect=expect,
                                              target=target, dist=dist))
    assert code == 0, out + err
    if why:
        assert why in out


def test_auto_gives_up_honestly(tmp_path):
    # the outputs read 2 random bits but |parity-even| = 2: UNKNOWN, never PROVED
    code, out, err = run(tmp_path, DLM.format(v1="v0 ^ r0", set="parity-even", bits="",
                                              expect="UNKNOWN", target="parity-even", dist="REFUTED"))
    assert code == 0, out + err


@pytest.mark.parametrize("bits,key", [('bits = ["0.0.0"]', "bits"), ('bits = ["1.0"]', "bits"),
                                      ('bits = []', "bits"), ('bits = ["1.0.0", "1.0.0"]', "bits")])
def test_bad_bits(tmp_path, bits, key):
    code, out, err = run(tmp_path, DLM.format(v1="v0", set="parity-even", bits=bits, expect="PROVED",
                                              target="parity-even", dist="PROVED"))
    assert code == 2 and key in err and "Traceback" not in err


def test_bits_outside_the_dlm_are_an_error(tmp_path):
    code, out, err = run(tmp_path, DLM.format(v1="v0", set="parity-even", bits='bits = ["1.5.0"]',
                                              expect="ERROR", target="parity-even", dist="PROVED"))
    assert code == 0, out + err


@pytest.mark.parametrize("construction", ["parity-revise", "parity-remask"])
def test_parity_samplers_and_defect(tmp_path, construction):
    text = HEAD + f"""
[construction]
name = "{construction}"
n = 12

[[check]]
kind = "bijection"
set = "parity-even"
expect = "PROVED"
"""
    code, out, err = run(tmp_path, text)
    assert code == 0, out + err
    defect = HEAD + """
[construction]
name = "thm3.1"
generate = "parity"
size = 8
defect = true

[[check]]
kind = "bijection"
set = "parity-even"
expect = "REFUTED"
"""
    code, out, err = run(tmp_path, defect)
    assert code == 0 and "replayed" in out, out + err
