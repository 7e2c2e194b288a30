"""Decoding policies with a denoiser, checked exactly (MODEL.md §7; the ``[sampler]`` subject).

A sibling of :mod:`verify.dlm` with its own model and exact semantics: targets over ``V^L``
(:mod:`.targets`), denoisers (:mod:`.denoiser`), policies and their one-step kernels
(:mod:`.policy`), the exact output distribution (:mod:`.semantics`), brute force over every
random choice (:mod:`.brute`), exact divergences and the Li–Cai quantities (:mod:`.divergence`)
over exact log-linear forms (:mod:`.logs`). The spec subject and check kinds live in
:mod:`.spec` and :mod:`.check`, the ``policies`` command in :mod:`.cli`.
"""
