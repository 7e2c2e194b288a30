"""Test configuration: in CI, hypothesis runs derandomized so a run is reproducible; locally
it explores new examples every time (set HYPOTHESIS_PROFILE=ci to reproduce CI)."""
import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
