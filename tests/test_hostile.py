"""Hostile inputs of issue 10 (one case per reproducer): each is refused with exit 2 and a
message naming the file (and the key), at once, with no traceback; what is legitimate but
large (1,000 ``&`` terms, 1,000 ``~``) is accepted without recursion depending on its size."""
import io
import time
from pathlib import Path

import pytest

from verify.cli import main

#: a hang guard, not a performance figure: every case below is refused in well under a second
QUICK = 10.0

GOOD = """[claim]
name = "hostile"
[params]
n = 3
[dlm]
length = 2
rounds = 1
mode = "plain"
random_bits = 1
outputs = "all"
[[dlm.predictor]]
value = "r0"
[[check]]
kind = "distribution"
target = "uniform"
"""


def edit(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


def run(tmp_path: Path, argv_tail: list[str]) -> tuple[int, str, float]:
    out, err = io.StringIO(), io.StringIO()
    t0 = time.monotonic()
    code = main(argv_tail + ["--proofs", str(tmp_path / "proofs")] if argv_tail[0] != "circuit" else argv_tail,
                out, err)
    return code, out.getvalue() + err.getvalue(), time.monotonic() - t0


CASES = {
    # name: (spec text, the key the message must name, a phrase it must contain)
    "floor division by zero": (edit("length = 2", 'length = "{1//0}"'), "dlm.length", "division by zero"),
    "modulo by zero": (edit("length = 2", 'length = "{n%0}"'), "dlm.length", "division by zero"),
    "string param in arithmetic": (edit("n = 3", 'n = "x"').replace("length = 2", 'length = "{n+1}"'),
                                   "dlm.length", "not an integer"),
    "power tower": (edit("length = 2", 'length = "{9**9**9}"'), "dlm.length", "template_exponent"),
    "huge product": (edit("length = 2", 'length = "{99999999999*99999999999*99999999999}"'),
                     "dlm.length", "template_bits"),
    "template too long": (edit("length = 2", 'length = "{' + "+".join(["1"] * 200) + '}"'),
                          "dlm.length", "template_chars"),
    "range of 10^10 positions": (edit('outputs = "all"', 'outputs = "0..10000000000"'), "dlm.outputs", "outside"),
    "length 10^9": (edit("length = 2", "length = 1000000000"), "dlm.length", "limit length"),
    "rounds 10^9": (edit("rounds = 1", "rounds = 1000000000"), "dlm.rounds", "limit rounds"),
    "random bits 10^9": (edit("random_bits = 1", "random_bits = 1000000000"), "dlm.random_bits", "limit random_bits"),
    "empty predictor list": (edit('[[dlm.predictor]]\nvalue = "r0"\n', "predictor = []\n"), "dlm.predictor",
                             "at least one rule"),
    "construction n 10^9": ('[claim]\nname = "c"\n[construction]\nname = "parity-revise"\nn = 1000000000\n'
                            '[[check]]\nkind = "resources"\nmax_rounds = 2\n', "construction.n", "limit length"),
    "params 10^8 combinations": (edit("n = 3", "n = 3\n" + "\n".join(
        f"p{k} = [{', '.join(str(j) for j in range(10))}]" for k in range(8))), "params", "limit instances"),
    "claim name with a leading dot": (edit('name = "hostile"', 'name = ".hidden"'), "claim.name", "not a claim name"),
    "claim name with a slash": (edit('name = "hostile"', 'name = "a/../../b"'), "claim.name", "not a claim name"),
    "Unicode digits": (edit("length = 2", 'length = "\u0662"'), "dlm.length", "expected an integer"),
    "Unicode digits in a range": (edit('outputs = "all"', 'outputs = "0..\u0661"'), "dlm.outputs", "not an integer"),
    "boolean random_bits": (edit("random_bits = 1", "random_bits = true"), "dlm.random_bits", "integer"),
    "booleans in a random_bits list": (edit("random_bits = 1", "random_bits = [true, 1]"), "dlm.random_bits",
                                       "integer"),
    "unknown sat_solver": (GOOD + '[[check]]\nkind = "encoding"\nsat_solver = "nosuchsolver"\n', "check[1].sat_solver",
                           "expected one of"),
    "negative table probability": (edit('target = "uniform"', 'target = "table"\ntable = { "00" = "-1/4", '
                                        '"01" = "1/4", "10" = "1/2", "11" = "1/2" }'), "table.00", "not a probability"),
    "probability with a huge exponent": (edit('target = "uniform"', 'target = "table"\ntable = { "00" = "1e999999999", '
                                              '"01" = "0" }'), "table.00", "not a probability"),
    "malformed outcome key": (edit('target = "uniform"', 'target = "table"\ntable = { "0x" = "1/2", "01" = "1/2" }'),
                              "table.0x", "outcome"),
    "outcome keys of different lengths": (edit('target = "uniform"', 'target = "table"\ntable = { "00" = "1/2", '
                                               '"1" = "1/2" }'), "table.1", "outcome"),
    "timeout nan in a spec": (GOOD + '[[check]]\nkind = "encoding"\ntimeout = nan\n', "check[1].timeout", "seconds"),
    "timeout inf in a spec": (GOOD + '[[check]]\nkind = "encoding"\ntimeout = inf\n', "check[1].timeout", "seconds"),
    "nested parentheses": (edit('value = "r0"', 'value = "' + "(" * 250 + "r0" + ")" * 250 + '"'),
                           "dlm.predictor[0].value", "syntax error"),
    "expression nested 150 deep": (edit('value = "r0"', 'value = "' + "r0 & (r0 | (" * 75 + "r0" + "))" * 75 + '"'),
                                   "dlm.predictor[0].value", "limit expression_depth"),
    "raising a limit below its default": (edit("[params]", "[limits]\nlength = 5\n[params]"), "limits.length",
                                          "can only be raised"),
    "unknown limit": (edit("[params]", "[limits]\nlenght = 5\n[params]"), "limits.lenght", "unknown limit"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_spec_is_refused(tmp_path, name):
    text, key, phrase = CASES[name]
    spec = tmp_path / "s.toml"
    spec.write_text(text, encoding="utf-8")
    code, out, seconds = run(tmp_path, [str(spec)])
    assert code == 2, out
    assert str(spec) in out and (f"key '{key}'" in out or f".{key}'" in out) and phrase in out, out
    assert "Traceback" not in out and "internal error" not in out
    assert seconds < QUICK


@pytest.mark.parametrize("text", ["a = " + "[" * 500, "a = " + "[" * 500 + "]" * 500,
                                  "a = " + "{b = " * 500 + "}" * 500, "[claim]\n" + "x = [[[[[[[[" * 63])
def test_deep_toml_is_refused_before_parsing(tmp_path, text):
    spec = tmp_path / "s.toml"
    spec.write_text(text)
    code, out, seconds = run(tmp_path, [str(spec)])
    assert code == 2 and str(spec) in out and "toml_depth" in out, out
    assert seconds < QUICK


@pytest.mark.parametrize("text", [GOOD.replace("rounds = 1", "rounds = 1\n" + ".".join(["a"] * 2000) + " = 1"),
                                  GOOD + "[" + ".".join(["a"] * 2000) + "]\n",
                                  '[claim]\nname = "x"\n' + ".".join(["a"] * 300000) + " = 1\n",
                                  GOOD.replace("rounds = 1", "rounds = 1\nx = {" + ".".join(["a"] * 300000) + " = 1}")])
def test_dotted_keys_nesting_deep_are_refused(tmp_path, text):
    spec = tmp_path / "s.toml"
    spec.write_text(text)
    code, out, seconds = run(tmp_path, [str(spec)])
    assert code == 2 and str(spec) in out and "toml_depth" in out and "Traceback" not in out, out
    assert seconds < QUICK


def test_floats_and_dotted_keys_within_the_limit_are_read(tmp_path):
    """64 decimals on one line (dots between digits, not dotted-key parts) are fine."""
    table = ", ".join(f'"{k:06b}" = 0.015625' for k in range(64))
    spec = tmp_path / "s.toml"
    spec.write_text(GOOD.replace("length = 2", "length = 6").replace('target = "uniform"', f"target = \"table\"\ntable = {{ {table} }}"))
    code, out, _ = run(tmp_path, [str(spec)])
    assert code == 0 and "PROVED" in out, out


def test_oversized_spec_is_refused(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text(GOOD + "# " + "x" * 1_000_001 + "\n")
    code, out, _ = run(tmp_path, [str(spec)])
    assert code == 2 and "spec_bytes" in out


@pytest.mark.parametrize("expr", [" & ".join(["r0"] * 1000), "~" * 1000 + "r0", "~" * 1001 + "r0",
                                  " | ".join(f"(r0 & ~r0)" for _ in range(1000)) + " | r0"])
def test_long_flat_expressions_need_no_deep_recursion(tmp_path, expr):
    """1,000 terms of one operator are one gate; 1,000 ``~`` are one complement (or none):
    accepted, and the DLM still samples what the expression says."""
    flips = len(expr) - len(expr.lstrip("~"))
    target = "uniform"
    spec = tmp_path / "s.toml"
    spec.write_text(edit('value = "r0"', f'value = "{expr}"').replace('target = "uniform"', f'target = "{target}"'))
    code, out, seconds = run(tmp_path, [str(spec)])
    assert code == 0 and "PROVED" in out, out   # r0 and ~r0 are both a fair coin
    assert seconds < QUICK and flips in (0, 1000, 1001)


def test_limits_table_raises_a_limit(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text(edit("[params]", "[limits]\ntemplate_exponent = 100\n[params]")
                    .replace("length = 2", 'length = "{2**100 // 2**99}"'))
    code, out, _ = run(tmp_path, [str(spec)])
    assert code == 2 and "template_bits" in out, out    # the exponent passes, the value is still too wide
    spec.write_text(edit("[params]", "[limits]\ntemplate_exponent = 100\ntemplate_bits = 128\n[params]")
                    .replace("length = 2", 'length = "{2**100 // 2**99}"'))
    code, out, _ = run(tmp_path, [str(spec)])
    assert code == 0, out


def test_cli_limit_flag(tmp_path):
    spec = tmp_path / "s.toml"
    big = "99999999999"
    spec.write_text(edit("length = 2", f'length = "{{{big}*{big}*{big} // {big} // {big} // {big}}}"'))
    code, out, _ = run(tmp_path, [str(spec)])
    assert code == 2 and "template_bits" in out, out
    code, out, _ = run(tmp_path, [str(spec), "--limit", "template_bits=120"])
    assert code == 0, out
    for bad in ["template_bits", "template_bits=1", "nosuch=5", "template_bits=1e9", "template_bits=nan"]:
        code, out, _ = run(tmp_path, [str(spec), "--limit", bad])
        assert code == 2 and "--limit" in out, (bad, out)


@pytest.mark.parametrize("header", [b"aig 100000000 100000000 0 0 0\n", b"aig 200000000 100000000 0 0 100000000\n",
                                    b"aag 100000000 100000000 0 0 0\n", b"aig 1 1 0 1 0\n" + b"9" * 5000 + b"\n",
                                    b"aig " + b"9" * 5000 + b" 1 0 0 0\n"])
def test_aiger_header_declaring_too_much_is_refused(tmp_path, header):
    path = tmp_path / "x.aig"
    path.write_bytes(header)
    code, out, seconds = run(tmp_path, ["circuit", str(path)])
    assert code == 2 and str(path) in out and "Traceback" not in out, out
    assert seconds < QUICK


def test_circuit_limit_flag_raises_the_vertex_limit(tmp_path):
    path = tmp_path / "x.aag"
    path.write_text("aag 6000000 6000000 0 0 0\n")
    code, out, _ = run(tmp_path, ["circuit", str(path)])
    assert code == 2 and "circuit_vertices" in out
    code, out, _ = run(tmp_path, ["circuit", str(path), "--limit", "circuit_vertices=7000000"])
    assert code == 2 and "circuit_vertices" not in out and "truncated" in out, out   # now read, and short


def test_special_files_are_not_read(tmp_path):
    """A spec or a circuit rule naming /dev/zero is refused, not read forever."""
    out, err = io.StringIO(), io.StringIO()
    assert main(["sample", "/dev/zero"], out, err) == 2 and "not a regular file" in err.getvalue()
    (tmp_path / "zero.bench").symlink_to("/dev/zero")
    spec = tmp_path / "s.toml"
    spec.write_text(edit('value = "r0"', 'circuit = "zero.bench"'))
    code, text, seconds = run(tmp_path, [str(spec)])
    assert code == 2 and "not a regular file" in text and seconds < QUICK, text
