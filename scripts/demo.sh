#!/usr/bin/env bash
# The README's main job: a whole local search of DeepHyper's polynome2 example on the embedded
# SQLite database — 40 evaluations, 4 at a time, progress on screen, the top 3 at the end.
# Usage: npm run demo   (SEARCHER=random npm run demo to compare with random search)
set -euo pipefail
cd "$(dirname "$0")/.."
SPRUCE=(node dist/src/cli/main.js --workspace "${SPRUCE_WORKSPACE:-$PWD/.spruce-demo}")
WF=${WORKFLOW:-polynome2-demo}
"${SPRUCE[@]}" rm "$WF" --yes 2>/dev/null || true     # the demo can be run again and again
"${SPRUCE[@]}" submit hps "$WF" \
  -p examples/polynome2/problem.ts -r examples/polynome2/run.ts \
  --scheduler local --searcher "${SEARCHER:-ambs}" --max-evals 40 --evals-per-node 4 --seed "${SEED:-42}" \
  --wait
echo
echo "Top 3 of $WF:"
"${SPRUCE[@]}" topk "$WF" -k 3
"${SPRUCE[@]}" status "$WF"
