#!/usr/bin/env bash
# One page of every document kind as a small PNG, so that a reviewer can look at all kinds in
# one go: builds the plan and every consultation package into a scratch folder and renders
# one page of the first paper of each kind with pdftoppm (poppler-utils).
#
#   scripts/visual-check.sh [--plan DIR] [--udvalg BIN] [--dpi N] OUT_DIR
#
# Default plan: the built-in one; default binary: target/release/udvalg; default 40 dpi.
# OUT_DIR gets <nn>-<kind>-p<page>.png, one per kind found, and index.txt naming each PNG's PDF;
# with ImageMagick's `montage` on the PATH, also contact-sheet.png with all of them.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
udvalg="$repo/target/release/udvalg" plan="" dpi=40
while [ $# -gt 1 ]; do
  case $1 in
    --plan) plan=$2; shift 2 ;;
    --udvalg) udvalg=$2; shift 2 ;;
    --dpi) dpi=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ $# -eq 1 ] || { sed -n 2,10p "$0" >&2; exit 2; }
out=$1
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
args=(--templates "$repo/templates" --out "$work/out")
[ -n "$plan" ] && args=(--plan "$plan" "${args[@]}")
"$udvalg" "${args[@]}" build >/dev/null 2>>"$work/log" || { cat "$work/log" >&2; exit 1; }
consultations="${plan:-$repo/plans/udsattestrategi}/consultations"
for file in "$consultations"/*.toml; do
  [ -e "$file" ] || continue
  "$udvalg" "${args[@]}" consult "$(basename "$file" .toml)" >/dev/null 2>>"$work/log"
done

# kind, a find(1) -path pattern for its papers, the page to show (the last page if the paper
# is shorter). Of a kind's papers the longest is shown (the first of those by path): the most
# of the layout. The strategy shows its third page (sections and the matrix), not its cover.
kinds=(
  "agenda|*/dagsorden-*.pdf|1"
  "agenda-item|*/punkt-*.pdf|1"
  "minutes|*/referat-*.pdf|1"
  "invitation|*/invitation*.pdf|1"
  "seminar-summary|*/opsamling*.pdf|1"
  "strategy|*/consultations/*/*-hoeringsudkast.pdf|3"
  "action-plan|*/handleplaner/*.pdf|2"
  "key-figures|*/noegletal/*.pdf|1"
  "process-plan|*/procesplan.pdf|1"
  "consultation-letter|*/hoeringsbrev-*.pdf|1"
  "consultee-list|*/hoeringsliste.pdf|1"
  "consultation-summary|*/hoeringsnotat.pdf|1"
)
: >"$out/index.txt"
n=0
for entry in "${kinds[@]}"; do
  IFS='|' read -r kind pattern page <<<"$entry"
  pdf=$(find "$work/out" -path "$pattern" -name '*.pdf' | LC_ALL=C sort | while read -r f; do
    echo "$(pdfinfo "$f" 2>/dev/null | awk '/^Pages:/ {print $2}') $f"
  done | sort -s -k1,1nr | head -n 1 | cut -d' ' -f2-)
  n=$((n + 1))
  if [ -z "$pdf" ]; then
    echo "$kind: none in this plan" >>"$out/index.txt"
    continue
  fi
  pages=$(pdfinfo "$pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
  [ "$page" -le "$pages" ] || page=$pages
  name=$(printf '%02d-%s-p%s' "$n" "$kind" "$page")
  pdftoppm -png -r "$dpi" -f "$page" -l "$page" -singlefile "$pdf" "$out/$name" 2>/dev/null
  echo "$name.png: ${pdf#"$work/out/"}, page $page of $pages" >>"$out/index.txt"
done
if command -v montage >/dev/null; then
  montage "$out"/[0-9]*.png -tile 6x -geometry +4+4 "$out/contact-sheet.png"
fi
cat "$out/index.txt"
