"""Circuit file formats: round trips, known facts of the benchmark files, error reports,
and semantics against hand-computed truth tables (STYLE.md §7)."""
from __future__ import annotations

import re
from itertools import product
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verify.circuits.aiger import dump_aag, dump_aig
from verify.circuits.bench import dump_bench
from verify.circuits.evaluate import BitParallelAlgebra, evaluate_outputs, simulate
from verify.circuits.formats import read_circuit, write_circuit
from verify.circuits.ir import Circuit, Op, Vertex, from_vertices
from verify.errors import CircuitFileError

BENCHMARKS = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks"


# --- helpers ---------------------------------------------------------------------------------
def truth_table(circuit: Circuit) -> list[int]:
    """Each output as a bit-vector over all assignments (inputs, then random sources)."""
    leaves = list(circuit.inputs) + list(circuit.randoms)
    alg = BitParallelAlgebra(1 << len(leaves))
    return evaluate_outputs(circuit, alg, {v: alg.pattern(k) for k, v in enumerate(leaves)})


def assert_same_semantics(a: Circuit, b: Circuit) -> None:
    assert len(a.inputs) == len(b.inputs) and len(a.randoms) == len(b.randoms)
    assert a.input_names == b.input_names and a.random_names == b.random_names
    assert len(a.outputs) == len(b.outputs)
    assert truth_table(a) == truth_table(b)


# Random circuits: inputs ("x…") and random sources ("r…") interleaved, a constant sometimes,
# gates of every op reading complemented literals freely, outputs anywhere (also on inputs
# and constants), names that may collide with each other.
@st.composite
def circuits(draw) -> Circuit:
    vertices: list[Vertex] = []
    kinds = draw(st.lists(st.booleans(), min_size=1, max_size=6))  # True = random source
    nx = nr = 0
    for is_random in kinds:
        if is_random:
            vertices.append(Vertex(Op.RANDOM, (), f"r{nr}"))
            nr += 1
        else:
            vertices.append(Vertex(Op.INPUT, (), f"x{nx}"))
            nx += 1
    if draw(st.booleans()):
        vertices.append(Vertex(Op.CONST, (), draw(st.sampled_from([None, "zero", "g0"]))))
    names = st.sampled_from([None, None, "g0", "g1", "y0", "x0", "a b", "n(1)"])
    for _ in range(draw(st.integers(0, 10))):
        op = draw(st.sampled_from([Op.BUF, Op.AND, Op.OR, Op.XOR, Op.MAJ]))
        k = 1 if op == Op.BUF else draw(st.integers(1, 4))
        fanins = tuple(draw(st.lists(st.integers(0, 2 * len(vertices) - 1), min_size=k, max_size=k)))
        vertices.append(Vertex(op, fanins, draw(names)))
    outs = draw(st.lists(st.integers(0, 2 * len(vertices) - 1), min_size=1, max_size=4))
    onames = draw(st.lists(st.sampled_from(["y0", "y1", "g0", "x0", "r0", "zero"]),
                           min_size=len(outs), max_size=len(outs)))
    return from_vertices(vertices, outs, onames, "rnd")


ROUND_TRIP = settings(max_examples=150, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("ext", [".bench", ".aag", ".aig"])
@ROUND_TRIP
@given(c=circuits())
def test_round_trip_preserves_semantics(tmp_path, ext, c):
    path = tmp_path / f"rnd{ext}"
    write_circuit(c, path)
    back = read_circuit(path, random_prefix="r")
    assert back.name == "rnd"
    assert_same_semantics(c, back)
    # Without the prefix every random source reads back as an ordinary input.
    plain = read_circuit(path)
    assert len(plain.inputs) == len(c.inputs) + len(c.randoms) and not plain.randoms


@ROUND_TRIP
@given(c=circuits())
def test_aag_and_aig_writers_agree(tmp_path, c):
    (tmp_path / "a.aag").write_text(dump_aag(c))
    (tmp_path / "a.aig").write_bytes(dump_aig(c))
    a, b = read_circuit(tmp_path / "a.aag"), read_circuit(tmp_path / "a.aig")
    assert a.vertices == b.vertices and a.outputs == b.outputs and a.output_names == b.output_names


# --- the benchmark files ---------------------------------------------------------------------
def _sources_table() -> dict[str, dict[str, str]]:
    """Rows of the tables in SOURCES.md, by file path relative to the benchmarks folder."""
    rows: dict[str, dict[str, str]] = {}
    folder = ""
    header: list[str] = []
    for line in (BENCHMARKS / "SOURCES.md").read_text().splitlines():
        m = re.match(r"## (\S+)/", line)
        if m:
            folder = m.group(1)
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0] == "file":
            header = cells
            continue
        rows[f"{folder}/{cells[0]}"] = dict(zip(header, cells))
    return rows


def _need_benchmarks() -> None:
    if not (BENCHMARKS / "SOURCES.md").is_file():
        pytest.skip(f"benchmark folder {BENCHMARKS} (with SOURCES.md) is absent")


BENCH_FILES = sorted(str(p.relative_to(BENCHMARKS)) for p in BENCHMARKS.rglob("*")
                     if p.suffix in (".bench", ".blif", ".aig", ".aag")) if BENCHMARKS.is_dir() else []

# Depth of the .bench files as read, before strash: Berkeley ABC 1.01+20221019 (Debian
# berkeley-abc), `read <file>; print_stats`, column lev (run when these readers were written).
ABC_BENCH_LEVELS = {"c17": 3, "c432": 17, "c499": 11, "c880": 24, "c1355": 24, "c1908": 40,
                    "c2670": 32, "c3540": 47, "c5315": 49, "c6288": 124, "c7552": 43}


@pytest.fixture(scope="module")
def loaded():
    """Every benchmark circuit, read once for the whole module."""
    _need_benchmarks()
    return {rel: read_circuit(BENCHMARKS / rel) for rel in BENCH_FILES}


def test_benchmark_folder_matches_sources_table():
    _need_benchmarks()
    assert BENCH_FILES, "no circuit files found"
    assert sorted(_sources_table()) == BENCH_FILES


@pytest.mark.parametrize("rel", BENCH_FILES or ["(no benchmarks)"])
def test_benchmark_known_facts(loaded, rel):
    facts = _sources_table()[rel]
    c = loaded[rel]
    assert c.name == Path(rel).stem
    assert (len(c.inputs), len(c.outputs)) == (int(facts["I"]), int(facts["O"]))
    assert not c.randoms
    if rel.endswith(".bench"):
        assert c.size == int(facts["gates"])  # one vertex per gate line
        assert c.depth == ABC_BENCH_LEVELS[c.name]
    elif rel.endswith(".blif"):
        assert c.size == int(facts[".names"])  # one vertex per .names node (EPFL: all 1 cube)
        # EPFL nodes are single 2-literal cubes, buffers or constants, so the depth as read
        # equals ABC's level after strash.
        assert c.depth == int(facts["lev"])
    else:
        assert c.size == int(facts["AIG ands"])
        assert c.depth == int(facts["lev"])


def test_c17_depth_and_gates(loaded):
    c = loaded["iscas85/c17.bench"]
    assert c.depth == 3 and c.size == 6 and c.gate_counts == {"OR": 6}  # NAND = OR of complements
    assert c.input_names == ("1", "2", "3", "6", "7") and c.output_names == ("22", "23")


def test_iscas_bench_round_trip_keeps_every_line_one_vertex(loaded, tmp_path):
    """NAND/NOR/XNOR/NOT/BUFF come back under their own names: size and depth are kept."""
    for rel in BENCH_FILES:
        if rel.endswith(".bench"):
            c = loaded[rel]
            path = tmp_path / Path(rel).name
            write_circuit(c, path)
            back = read_circuit(path)
            assert (back.size, back.depth, back.gate_counts) == (c.size, c.depth, c.gate_counts), rel
            assert back.output_names == c.output_names and back.input_names == c.input_names
            if len(c.inputs) <= 16:
                assert truth_table(back) == truth_table(c)


def test_hyp_aig_rewrites_to_the_same_and_section(loaded):
    """Our binary writer reproduces ABC's file byte for byte up to the comment section:
    header, outputs, delta-encoded AND section and symbol table."""
    rel = "epfl/arithmetic/hyp.aig"
    original = (BENCHMARKS / rel).read_bytes()
    ours = dump_aig(loaded[rel])
    comments = ours.rindex(b"\nc\n") + 3
    assert original[:comments] == ours[:comments]


def test_blif_to_aig_keeps_function(loaded, tmp_path):
    for rel in ("epfl/random_control/ctrl.blif", "epfl/random_control/router.blif",
                "epfl/random_control/int2float.blif"):
        c = loaded[rel]
        for ext in (".aig", ".bench"):
            write_circuit(c, tmp_path / f"x{ext}")
            back = read_circuit(tmp_path / f"x{ext}")
            assert back.output_names == c.output_names
            if len(c.inputs) <= 11:
                assert truth_table(back) == truth_table(c), (rel, ext)


# --- semantics against hand-computed truth tables -------------------------------------------
def nand(a: bool, b: bool) -> bool:
    return not (a and b)


def test_c17_truth_table(loaded):
    """c17 is six NANDs; its truth table from the netlist definition."""
    c = loaded["iscas85/c17.bench"]
    for x1, x2, x3, x6, x7 in product([False, True], repeat=5):
        g10 = nand(x1, x3)
        g11 = nand(x3, x6)
        g16 = nand(x2, g11)
        g19 = nand(g11, x7)
        expected = [nand(g10, g16), nand(g16, g19)]
        assert simulate(c, [x1, x2, x3, x6, x7]) == expected


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def test_bench_gate_semantics(tmp_path):
    path = _write(tmp_path, "g.bench", """
        # every gate type, used before defined, with an output that is an input
        OUTPUT(o_and)
        OUTPUT(o_nand)
        OUTPUT(o_or)
        OUTPUT(o_nor)
        OUTPUT(o_xor)
        OUTPUT(o_xnor)
        OUTPUT(o_not)
        OUTPUT(o_buf)
        OUTPUT(b)
        o_and = and(a, b, c)
        o_nand = NAND(a, b, c)
        o_or = Or(a, b, c)
        o_nor = NOR(a, b, c)
        o_xor = XOR(a, b, c)
        o_xnor = XNOR(a, b, c)
        o_not = NOT(a)
        o_buf = BUF(a)
        INPUT(a)
        INPUT(b)
        INPUT(c)
    """)
    c = read_circuit(path)
    assert c.input_names == ("a", "b", "c") and c.size == 8 and c.depth == 1
    for a, b, cc in product([False, True], repeat=3):
        xor = (a + b + cc) % 2 == 1
        assert simulate(c, [a, b, cc]) == [a and b and cc, not (a and b and cc), a or b or cc,
                                           not (a or b or cc), xor, not xor, not a, a, b]


def cover_value(rows: list[str], k: int, bits: tuple[bool, ...]) -> bool:
    """A BLIF cover's value by its definition: on-set rows OR their cubes, off-set rows NOR."""
    hit = False
    value = True
    for row in rows:
        cube, out = (row.split() if k else ("", row.strip()))
        value = out == "1"
        if all(ch == "-" or (ch == "1") == bits[j] for j, ch in enumerate(cube)):
            hit = True
    if not rows:
        return False
    return hit if value else not hit


BLIF_COVERS = [
    # (rows, k, expected vertices of the node, expected op of the named vertex)
    (["11 1"], 2, 1, Op.AND),
    (["10 1"], 2, 1, Op.AND),
    (["11 0"], 2, 1, Op.OR),          # NAND
    (["1 1"], 1, 1, Op.BUF),
    (["0 1"], 1, 1, Op.BUF),          # NOT
    (["1-- 1", "-1- 1", "--0 1"], 3, 1, Op.OR),
    (["1-- 0", "-1- 0"], 3, 1, Op.AND),  # NOR
    (["01 1", "10 1"], 2, 1, Op.XOR),
    (["00 1", "11 1"], 2, 1, Op.XOR),  # XNOR
    (["01 0", "10 0"], 2, 1, Op.XOR),
    (["11- 1", "1-1 1", "-11 1"], 3, 1, Op.MAJ),
    (["00- 1", "0-1 1", "-01 1"], 3, 1, Op.MAJ),
    (["11- 0", "1-1 0", "-11 0"], 3, 1, Op.MAJ),
    (["11- 1", "--1 1"], 3, 2, Op.OR),   # SOP: AND(a,b) + c
    (["110 1", "0-1 1", "111 1"], 3, 4, Op.OR),
    (["110 0", "0-1 0"], 3, 3, Op.AND),  # off-set SOP
    (["--- 1"], 3, 1, Op.CONST),       # tautology cube
    (["1"], 0, 1, Op.CONST),
    (["0"], 0, 1, Op.CONST),
    ([], 0, 1, Op.CONST),
    ([], 2, 1, Op.CONST),
]


@pytest.mark.parametrize("rows,k,nvertices,op", BLIF_COVERS)
def test_blif_cover_semantics(tmp_path, rows, k, nvertices, op):
    ins = ["a", "b", "c"][:k]
    text = (".model m\n.inputs a b c\n.outputs y\n"
            f".names {' '.join(ins + ['y'])}\n" + "".join(r + "\n" for r in rows) + ".end\n")
    c = read_circuit(_write(tmp_path, "m.blif", text))
    assert c.size == nvertices
    assert c.vertices[c.outputs[0] >> 1].op == op and c.vertices[-1].name == "y"
    for bits in product([False, True], repeat=3):
        assert simulate(c, list(bits)) == [cover_value(rows, k, bits[:k])], bits


def test_blif_continuations_comments_and_output_input(tmp_path):
    path = _write(tmp_path, "cont.blif", "# header\n.model cont  # name\n.inputs a \\\n b\n"
                  ".outputs y \\\n a\n.names a \\\n b y   # AND\n11 1\n.end\n")
    c = read_circuit(path)
    assert c.input_names == ("a", "b") and c.output_names == ("y", "a")
    assert [simulate(c, [a, b]) for a, b in product([False, True], repeat=2)] == [
        [False, False], [False, False], [False, True], [True, True]]


def test_aag_semantics_with_symbols_and_constants(tmp_path):
    # half adder: s = a XOR b (3 ANDs), carry = a AND b; plus constant outputs; unsorted ANDs
    text = ("aag 5 2 0 4 3\n2\n4\n10\n6\n0\n1\n"
            "10 9 7\n6 2 4\n8 3 5\n"
            "i0 a\ni1 b\no0 sum\no1 carry\nc\nany comment\n")
    c = read_circuit(_write(tmp_path, "ha.aag", text))
    assert c.input_names == ("a", "b") and c.output_names == ("sum", "carry", "o2", "o3")
    assert c.size == 4  # 3 ANDs and the constant
    for a, b in product([False, True], repeat=2):
        assert simulate(c, [a, b]) == [a != b, a and b, False, True]


def test_random_prefix(tmp_path):
    path = _write(tmp_path, "r.bench", "INPUT(x)\nINPUT(rnd1)\nINPUT(y)\nOUTPUT(z)\nz = XOR(x, rnd1, y)\n")
    c = read_circuit(path, random_prefix="rnd")
    assert c.input_names == ("x", "y") and c.random_names == ("rnd1",)
    assert c.layers[c.randoms[0]] == 1


def test_deep_circuit_defined_backwards_reads_without_recursion(tmp_path):
    n = 30000
    lines = ["INPUT(s0)", f"OUTPUT(s{n})"]
    lines += [f"s{i} = NOT(s{i - 1})" for i in range(n, 0, -1)]
    c = read_circuit(_write(tmp_path, "deep.bench", "\n".join(lines) + "\n"))
    assert c.depth == n and simulate(c, [True]) == [n % 2 == 0]


# --- malformed files: every error names the file and the line --------------------------------
def expect_error(path: Path, line: int | None, *words: str, **kw) -> CircuitFileError:
    with pytest.raises(CircuitFileError) as info:
        read_circuit(path, **kw)
    e = info.value
    assert e.file == str(path)
    assert e.line == line, str(e)
    for w in words:
        assert w in str(e), str(e)
    if line is not None:
        assert str(e).startswith(f"{path}:{line}: ")
    return e


BAD_TEXT_FILES = [
    # (file name, contents, line, words in the message)
    ("undef.bench", "INPUT(a)\nOUTPUT(y)\n\ny = AND(a, b)\n", 4, ["'b'", "never defined"]),
    ("undef_out.bench", "INPUT(a)\nOUTPUT(q)\n", 2, ["'q'", "never defined"]),
    ("redef.bench", "INPUT(a)\nOUTPUT(y)\ny = NOT(a)\ny = BUFF(a)\n", 4, ["'y'", "defined twice"]),
    ("redef_in.bench", "INPUT(a)\nINPUT(a)\n", 2, ["'a'", "defined twice"]),
    ("cycle.bench", "INPUT(a)\nOUTPUT(y)\ny = AND(a, z)\nz = OR(y, a)\n", 3, ["cycle", "'y'"]),
    ("badgate.bench", "INPUT(a)\n# c\nOUTPUT(y)\ny = FOO(a)\n", 4, ["unknown gate", "FOO"]),
    ("dff.bench", "INPUT(a)\nOUTPUT(y)\ny = DFF(a)\n", 3, ["sequential"]),
    ("arity.bench", "INPUT(a)\nINPUT(b)\nOUTPUT(y)\ny = NOT(a, b)\n", 4, ["NOT", "exactly 1"]),
    ("arity0.bench", "INPUT(a)\nOUTPUT(y)\ny = AND()\n", 3, ["at least 1"]),
    ("syntax.bench", "INPUT(a)\nOUTPUT(y)\ny = AND(a, b\n", 3, ["cannot parse"]),
    ("fanins.bench", "INPUT(a)\nOUTPUT(y)\ny = AND(a, , a)\n", 3, ["bad fan-in"]),
    ("empty.bench", "", 1, ["empty"]),
    ("latch.blif", ".model m\n.inputs a\n.outputs y\n.latch a y re clk 0\n.end\n", 4,
     ["sequential circuits are not supported"]),
    ("subckt.blif", ".model m\n.inputs a\n.outputs y\n.subckt f x=a y=y\n.end\n", 4, ["hierarchical"]),
    ("twomodels.blif", ".model m\n.end\n.model n\n.end\n", 3, ["more than one .model"]),
    ("unknown.blif", ".model m\n.inputs a\n.frob x\n", 3, ["unknown BLIF construct"]),
    ("mixed.blif", ".model m\n.inputs a b\n.outputs y\n.names a b y\n11 1\n00 0\n.end\n", 6,
     ["on-set", "off-set"]),
    ("cube.blif", ".model m\n.inputs a b\n.outputs y\n.names a b y\n1x 1\n.end\n", 5, ["cube '1x'"]),
    ("cubelen.blif", ".model m\n.inputs a b\n.outputs y\n.names a b y\n111 1\n.end\n", 5, ["2 characters"]),
    ("outval.blif", ".model m\n.inputs a b\n.outputs y\n.names a b y\n11 2\n.end\n", 5, ["0 or 1"]),
    ("stray.blif", ".model m\n.inputs a\n11 1\n", 3, ["outside a .names"]),
    ("undef.blif", ".model m\n.inputs a\n.outputs y\n.names a \\\n  q y\n11 1\n.end\n", 4, ["'q'", "never defined"]),
    ("cycle.blif", ".model m\n.inputs a\n.outputs y\n.names a z y\n11 1\n.names y z\n0 1\n.end\n", 4,
     ["cycle", "'y'"]),
    ("redef.blif", ".model m\n.inputs a\n.outputs a\n.names a\n1\n.end\n", 4, ["'a'", "defined twice"]),
    ("latches.aag", "aag 1 0 1 0 0\n2 3\n", 1, ["sequential circuits are not supported"]),
    ("bad.aag", "aag 1 1 0 1 0 1\n2\n2\n2\n", 1, ["sequential circuits are not supported", "bad-state"]),
    ("header.aag", "aag 1 1 x 1 0\n2\n2\n", 1, ["bad number 'x'"]),
    ("magic.aag", "aig2 1 1 0 1 0\n", 1, ["not an AIGER file"]),
    ("shortheader.aag", "aag 1 1 0\n", 1, ["header"]),
    ("badlit.aag", "aag 3 2 0 1 1\n2\n4\n6\n6 2 x4\n", 5, ["bad literal 'x4'"]),
    ("oddinput.aag", "aag 3 2 0 1 1\n2\n5\n6\n6 2 4\n", 3, ["must be even"]),
    ("biglit.aag", "aag 3 2 0 1 1\n2\n4\n6\n6 2 9\n", 5, ["exceeds", "7"]),
    ("fields.aag", "aag 3 2 0 1 1\n2\n4\n6\n6 2\n", 5, ["expected 3 literals"]),
    ("undef.aag", "aag 4 2 0 1 1\n2\n4\n6\n6 2 8\n", 5, ["'8'", "never defined"]),
    ("cycle.aag", "aag 4 1 0 1 2\n2\n6\n6 2 8\n8 6 2\n", 4, ["cycle"]),
    ("redef.aag", "aag 3 2 0 1 2\n2\n4\n6\n6 2 4\n6 4 2\n", 6, ["'6'", "defined twice"]),
    ("truncated.aag", "aag 3 2 0 1 1\n2\n4\n6\n", 5, ["truncated"]),
    ("symbol.aag", "aag 3 2 0 1 1\n2\n4\n6\n6 2 4\ni5 a\n", 6, ["symbol for input 5"]),
    ("symbol2.aag", "aag 3 2 0 1 1\n2\n4\n6\n6 2 4\nfoo\n", 6, ["bad symbol table line"]),
]


@pytest.mark.parametrize("name,text,line,words", BAD_TEXT_FILES, ids=[c[0] for c in BAD_TEXT_FILES])
def test_malformed_text_file(tmp_path, name, text, line, words):
    expect_error(_write(tmp_path, name, text), line, *words)


def test_blank_file_is_empty(tmp_path):
    expect_error(_write(tmp_path, "blank.blif", "  \n\n"), 1, "empty")


@pytest.mark.parametrize("ext", [".bench", ".blif"])
def test_non_utf8_text_names_the_line(tmp_path, ext):
    path = _write(tmp_path, f"latin1{ext}", b"# ok\n# ok\n# caf\xe9\n")
    expect_error(path, 3, "not UTF-8")


def test_non_utf8_aag_body(tmp_path):
    expect_error(_write(tmp_path, "x.aag", b"aag 1 1 0 1 0\n2\n2\ni0 caf\xe9\n"), 4, "not UTF-8")


def test_missing_file(tmp_path):
    expect_error(tmp_path / "nope.bench", None, "file not found")


def test_unknown_extension(tmp_path):
    expect_error(_write(tmp_path, "c.v", "module m; endmodule\n"), None, "unknown circuit file extension")


def test_empty_binary_aig(tmp_path):
    expect_error(_write(tmp_path, "e.aig", b""), 1, "empty")


def _aig(header: str, outputs: list[int], body: bytes, tail: bytes = b"") -> bytes:
    return (header + "\n" + "".join(f"{o}\n" for o in outputs)).encode() + body + tail


def test_aig_truncated_and_section(tmp_path):
    # 2 inputs, 2 ANDs: the second AND's first delta is a varint cut short
    path = _write(tmp_path, "t.aig", _aig("aig 4 2 0 1 2", [8], bytes([2, 2, 0x82, 0x81])))
    e = expect_error(path, None, "truncated", "byte offset")
    assert "AND gate 1 of 2" in str(e)
    # far too few bytes for the announced AND gates: refused before reading them
    path = _write(tmp_path, "h.aig", _aig("aig 99999999 2 0 1 99999997", [8], bytes([2, 2])))
    expect_error(path, None, "truncated", "99999997 AND gates need")


def test_aig_truncated_outputs(tmp_path):
    expect_error(_write(tmp_path, "o.aig", b"aig 2 2 0 3 0\n2\n"), 3, "truncated")


def test_aig_bad_delta(tmp_path):
    # lhs 6 with delta0 0 would read itself
    expect_error(_write(tmp_path, "d.aig", _aig("aig 3 2 0 1 1", [6], bytes([0, 1]))), None,
                 "bad delta encoding", "byte offset")


def test_aig_header_count_mismatch(tmp_path):
    expect_error(_write(tmp_path, "m.aig", _aig("aig 9 2 0 1 1", [6], bytes([2, 2]))), 1, "M = I + L + A")


def test_aig_bad_output_literal(tmp_path):
    expect_error(_write(tmp_path, "l.aig", _aig("aig 3 2 0 1 1", [99], bytes([2, 2]))), 2, "exceeds")


def test_aig_bad_symbol_table(tmp_path):
    e = expect_error(_write(tmp_path, "s.aig", _aig("aig 3 2 0 1 1", [6], bytes([2, 2]), b"i9 a\n")),
                     None, "symbol for input 9")
    assert "byte offset" in str(e)


def test_aig_reads_constants_and_symbols(tmp_path):
    path = _write(tmp_path, "k.aig", _aig("aig 3 2 0 3 1", [7, 0, 1], bytes([2, 2]),
                                          b"i0 p\ni1 q\no0 nand\nc\nfree text\n"))
    c = read_circuit(path)
    assert c.input_names == ("p", "q") and c.output_names == ("nand", "o1", "o2")
    for p, q in product([False, True], repeat=2):
        assert simulate(c, [p, q]) == [not (p and q), False, True]


def test_writer_rejects_unknown_extension(tmp_path):
    c = from_vertices([Vertex(Op.INPUT, (), "a")], [0], ["a"])
    with pytest.raises(CircuitFileError) as info:
        write_circuit(c, tmp_path / "c.blif")
    assert info.value.file == str(tmp_path / "c.blif")


def test_bench_writer_output_is_readable_by_name(tmp_path):
    """Constant outputs, complemented outputs and an output that is an input."""
    c = from_vertices([Vertex(Op.INPUT, (), "a"), Vertex(Op.CONST, (), "k"),
                       Vertex(Op.AND, (0, 3), "g")], [3, 2, 5, 0], ["k", "zero", "g", "a"], "w")
    text = dump_bench(c)
    assert "k = vdd" in text and "zero = gnd" in text and "g = NOT(g_1)" in text
    back = read_circuit(_write(tmp_path, "w.bench", text))
    assert back.output_names == ("k", "zero", "g", "a")
    assert_same_semantics(c, back)


def test_benchmark_circuits_are_deterministic(loaded):
    """README, "The benchmark circuits are deterministic": none of the circuits has a random
    source as read, and no spec that compiles one turns inputs into random sources, so the
    Thm 3.1/3.2 claims on them are claims of functional equivalence."""
    assert len(loaded) == 31
    assert [rel for rel, c in loaded.items() if c.randoms] == []
    specs = Path(__file__).resolve().parents[1] / "specs"
    using = [p for p in specs.rglob("*.toml") if "shared/benchmarks" in p.read_text(encoding="utf-8")]
    assert using, "no spec reads the benchmark circuits"
    assert [p.name for p in using if "random_prefix" in p.read_text(encoding="utf-8")] == []
