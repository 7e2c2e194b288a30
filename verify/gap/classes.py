"""Finite classes of DLMs with ``L = n`` for the gap engine (MODEL.md §6).

A class fixes ``n``, the number of rounds ``T``, the mode, the predictor model, the
complexity bound and the semantics. Conventions (documented in docs/gap.md, "What exactly a class is"):

* **Predictor model** ``self-unmask``: ``P_i`` may output ``M`` at a masked position ("stay
  masked"); no unmasking strategy (every predicted token is committed). This is the model of
  the first readings of MODEL.md §6 that use "self-unmasking predictors".
* **Predictor models** ``ab+F`` and ``ab+F-unbounded``: ``P_i`` outputs only ``a``/``b``
  (support a non-empty subset of ``{a, b}``); a deterministic unmasking strategy ``F_i``
  decides, from the state and the sampled predictions, whether position ``i`` commits its
  prediction (else it stays masked). In ``ab+F`` ``F_i`` reads the state and the sampled
  predictions of the positions of the same read set ``S_i`` as ``P_i`` (MODEL.md §6: "each
  position's output and unmask decision read at most k positions"); reading its own sampled
  prediction ``y_i`` counts, so ``i`` may be selected and then costs one (the predictor
  itself never needs ``x_i = M``). In ``ab+F-unbounded`` ``F_i`` reads everything and the
  bound ``k`` applies to ``P_i`` only (the reading of MODEL.md §6 "with any unmasking
  strategy"). ``ab+F-state``: ``F_i`` reads the whole state ``x`` but no sampled prediction
  (so the commit set is fixed before sampling). Every mode: in ``revise`` modes ``P_i`` is
  consulted at every position and ``F_i`` decides at every position; committing ``y_i`` at a
  revealed position replaces the token (MODEL.md §3, as the simulator does), and ``F`` sees
  the sampled predictions at revealed positions too (not in ``ab+F-state``).
* **Locality k**: each position ``i`` has one read set ``S_i`` with ``|S_i| <= k`` chosen by
  the search; ``P_i`` is an arbitrary function of the tokens ``x_j, j ∈ S_i``, and (remask
  modes) ``G_i`` an arbitrary function of the committed tokens ``z_j, j ∈ S_i``. In ``plain``
  and ``remask`` the predictor is consulted only at a masked position, so it knows ``x_i = M``
  for free; reading the own token counts otherwise (MODEL.md §6).
* **Remask G** (``remask_reads = "z"``, the default and the first classes' convention) reads
  the committed tokens ``z`` (which include every kept ``x_j``), not ``x`` and ``z``
  separately. ``remask_reads = "xz"`` (MODEL.md §3, ``x' = G(x, z)``): ``G_i`` reads the pairs
  ``(x_j, z_j)`` on the same read set; encoded by :mod:`verify.gap.full`, and every clause of
  :mod:`verify.gap.encode` that assumes G reads only z ("G keeps every even string" of the
  last-round goal, the template bound) stays in the z-only classes.
* **Predictor model** ``full`` (MODEL.md §3, :mod:`verify.gap.full`): ``P_i`` may output
  ``M`` and is consulted at every position; ``F_i`` reads ``(x_j, y_j)`` and ``G_i`` reads
  ``z_j`` or ``(x_j, z_j)`` on the one read set ``S_i``, the own position counted like any
  other. ``rule`` ``enforce`` (the decoder applies the mode) or ``literal`` (what the circuits
  compute, with the mode's rule holding in every state, so a witness passes the ``mode``
  check). The other models are enforce classes.
* **Semantics** ``support``: the set of possible outputs is exactly the even strings (and no
  output is ever masked). ``exact``: with ``rho = 1`` private random bit per position and
  round, the output distribution is exactly uniform on the even strings. With ``rho = 1`` a
  local distribution is one token or a fair mix of two, so it is fixed by its support; the
  exact class is the support class restricted to supports of size <= 2, plus exactness.
  With ``rho >= 2`` (self-unmasking predictors, locality bound) a local distribution is a
  multiset of ``2^rho`` outcomes, i.e. a count per token summing to ``2^rho``
  (:func:`verify.gap.encode.count_clauses`); ``rho`` applies to exact semantics only (support
  semantics already allows every support).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..dlm.model import Mode

SEMANTICS = ("support", "exact")
BOUNDS = ("locality", "template")
MAX_RHO = 4
PREDICTOR_MODELS = ("self-unmask", "ab+F", "ab+F-unbounded", "ab+F-state", "full")
_KEY = {"self-unmask": "", "ab+F": "-abF", "ab+F-unbounded": "-abFany", "ab+F-state": "-abFstate",
        "full": "-full"}
#: what G_i reads on its read set: the committed tokens z_j only, or the pair (x_j, z_j)
REMASK_READS = ("z", "xz")
#: the decoder rule of the class (verify.dlm.semantics.Rule): "enforce" (the decoder applies
#: the mode) or "literal" (the next state is what P, F, G compute, and the mode's rule must
#: hold through them in every state, as the ``mode`` check asks)
RULES = ("enforce", "literal")


class GapClassError(ValueError):
    """A class the engine does not implement (named in the message)."""


@dataclass(frozen=True)
class GapClass:
    n: int
    rounds: int
    mode: Mode
    semantics: str = "support"
    locality: int = 1
    rho: int = 1
    predictor_model: str = "self-unmask"
    #: the complexity bound: "locality" (``locality`` = k) or "template" (``size`` = s: each
    #: predictor output bit a DNF of at most s terms over all 2n state bits and r_i; in remask
    #: modes G_i's bit a DNF of at most s terms over the 2n bits of z; see
    #: :mod:`verify.gap.template`)
    bound: str = "locality"
    size: int = 0
    #: remask modes: G_i reads z_j ("z", the convention of the first classes) or (x_j, z_j)
    #: ("xz", MODEL.md §3 ``x' = G(x, z)``) for j in S_i
    remask_reads: str = "z"
    #: decoder rule; "literal" only for the full model (the other models are enforce classes)
    rule: str = "enforce"

    def __post_init__(self) -> None:
        if self.n < 2:
            raise GapClassError("n must be at least 2")
        if self.rounds < 1:
            raise GapClassError("rounds must be at least 1")
        if self.semantics not in SEMANTICS:
            raise GapClassError(f"semantics must be one of {', '.join(SEMANTICS)}")
        if self.predictor_model not in PREDICTOR_MODELS:
            raise GapClassError(f"predictor model '{self.predictor_model}' is not implemented "
                                f"(implemented: {', '.join(PREDICTOR_MODELS)})")
        if self.semantics == "support" and self.rho != 1:
            raise GapClassError("rho (random bits per position and round) applies to exact "
                                "semantics only; support semantics allows every support")
        if not 1 <= self.rho <= MAX_RHO:
            raise GapClassError(f"rho must be in 1..{MAX_RHO}")
        if self.rho >= 2 and (self.has_strategy or self.bound != "locality"):
            raise GapClassError("exact semantics with rho >= 2 is implemented for self-unmasking "
                                "predictors with the locality bound only (ab+F models and the "
                                "template bound: rho = 1)")
        if not 0 <= self.locality <= self.n:
            raise GapClassError(f"locality must be in 0..{self.n}")
        if self.bound not in BOUNDS:
            raise GapClassError(f"bound must be one of {', '.join(BOUNDS)}")
        if self.remask_reads not in REMASK_READS:
            raise GapClassError(f"remask_reads must be one of {', '.join(REMASK_READS)}")
        if self.rule not in RULES:
            raise GapClassError(f"rule must be one of {', '.join(RULES)}")
        if self.remask_reads == "xz":
            if not self.mode.allows_remask:
                raise GapClassError("remask_reads = 'xz' needs a remask mode (G exists only there)")
            if self.predictor_model not in ("self-unmask", "full"):
                raise GapClassError("remask_reads = 'xz' is implemented for the predictor models "
                                    "self-unmask and full")
        if self.rule == "literal" and self.predictor_model != "full":
            raise GapClassError("rule = 'literal' is implemented for the full predictor model only "
                                "(the other models are classes of the decoder rule 'enforce')")
        if self.general and (self.bound != "locality" or self.rho != 1):
            raise GapClassError("the full model and G reading (x, z) are implemented for the "
                                "locality bound with rho = 1")
        if self.bound == "template":
            if self.predictor_model != "self-unmask":
                raise GapClassError("the template bound is implemented for self-unmasking "
                                    "predictors only")
            if self.size < 0:
                raise GapClassError("template size s must be >= 0")

    @property
    def has_strategy(self) -> bool:
        """Predictors output a/b only and an unmasking strategy F decides the commits."""
        return self.predictor_model != "self-unmask"

    @property
    def general(self) -> bool:
        """Encoded by the general encoder (:mod:`verify.gap.full`): the full model, or G
        reading (x, z); every other class keeps the encoder of :mod:`verify.gap.encode`."""
        return self.predictor_model == "full" or self.remask_reads == "xz"

    @property
    def strategy_bounded(self) -> bool:
        """F reads the read set S_i (``ab+F``), not the whole state (``ab+F-unbounded``)."""
        return self.predictor_model == "ab+F"

    @property
    def own_free(self) -> bool:
        """The predictor knows its own token for free (it is consulted only when masked)."""
        return not self.mode.allows_revise

    @property
    def max_support(self) -> int:
        """Largest support of one local distribution: 2 for exact with rho = 1."""
        return 2 if self.semantics == "exact" and self.rho == 1 else 3

    @property
    def counted(self) -> bool:
        """Local distributions are encoded by counts out of ``2^rho`` (exact, rho >= 2)."""
        return self.semantics == "exact" and self.rho >= 2

    @property
    def template(self) -> bool:
        return self.bound == "template"

    def label(self) -> str:
        if self.template:
            return (f"n={self.n} T={self.rounds} mode={self.mode.value} {self.semantics} "
                    f"template s={self.size}")
        return (f"n={self.n} T={self.rounds} mode={self.mode.value} {self.semantics} "
                f"k={self.locality}"
                + (f" model={self.predictor_model}" if self.has_strategy else "")
                + (f" rule={self.rule}" if self.predictor_model == "full" else "")
                + (" G(x,z)" if self.remask_reads == "xz" else "")
                + (f" rho={self.rho}" if self.semantics == "exact" else ""))

    def key(self) -> str:
        """A file-name stem."""
        if self.template:
            return (f"n{self.n}-T{self.rounds}-{self.mode.value.replace('+', '-')}-{self.semantics}"
                    f"-dnf-s{self.size}")
        return (f"n{self.n}-T{self.rounds}-{self.mode.value.replace('+', '-')}-{self.semantics}"
                f"{_KEY[self.predictor_model]}"
                + (f"-{self.rule}" if self.predictor_model == "full" else "")
                + ("-Gxz" if self.remask_reads == "xz" else "")
                + (f"-rho{self.rho}" if self.rho != 1 else "")
                + f"-k{self.locality}")
