"""The ladder Ladder ships with, and the seed document its TL2 level comes from.

Both are package data (src/ladder/ladders/, which the repository's top-level `ladders` links to),
so an installed Ladder has them without a clone beside it.
"""

from pathlib import Path

FOLDER = Path(__file__).resolve().parent.parent / "ladders"
BUNDLED_LADDER = FOLDER / "dotnet.md"
# The source name a version imported from it records: the same in a clone and in an installed
# package, rather than wherever the package happens to be installed.
BUNDLED_LADDER_NAME = "ladders/dotnet.md"
# The user's own document, one level of the ladder exactly as given: the shape of the format.
SEED = FOLDER / "dotnet-tl2-seed.txt"
