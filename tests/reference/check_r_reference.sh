#!/bin/sh
# Regenerates the R reference values (tests/reference/r_survival.R) into a temporary directory
# and checks that the committed files are exactly what R prints today. Exit 77 (ctest: skipped)
# when R or its survival package is missing: the committed values still drive test_survival.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v Rscript >/dev/null 2>&1 ||
   ! Rscript -e 'suppressPackageStartupMessages(library(survival))' >/dev/null 2>&1; then
    echo "skipped: Rscript with the survival package not found (Debian: r-base-core r-cran-survival)"
    exit 77
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
Rscript "$here/r_survival.R" "$out" >/dev/null
for f in r_survival.json r_survival_values.h; do
    if ! cmp -s "$out/$f" "$here/$f"; then
        echo "tests/reference/$f differs from what R prints now:"
        diff "$here/$f" "$out/$f" | head -20
        exit 1
    fi
done
echo "R reference values are current"
