#!/bin/sh
# The chaos search's evaluation (bench/chaos): its length comes from SPRUCE_SEED (the workflow's
# seed + the evaluation's id), so lengths are random but the same when an evaluation is re-run.
# Most take 0.1-1.5 s, some 2-4 s; about 1 in 25 fails (exit 1) and 1 in 150 hangs past
# --eval-timeout (TIMEOUT). Under asha ($SPRUCE_MAX_LENGTH set) it prints a progress point per
# step from $SPRUCE_RESUME_STEP, and the launcher stops it with SIGTERM when a rung decides so.
t=$1; x=$2; y=$3
h=$(( (SPRUCE_SEED * 2654435761 + 40503) % 1000 ))
[ "$h" -lt 0 ] && h=$(( -h ))
if [ $(( h % 150 )) -eq 7 ]; then sleep 600; fi
if [ $(( h % 25 )) -eq 3 ]; then echo "chaos: this point fails (h=$h)" >&2; exit 1; fi
score=$(( 100 - (x - 7) * (x - 7) - (t - 3) * (t - 3) ))
[ "$y" = b ] && score=$(( score + 5 ))
if [ -n "${SPRUCE_MAX_LENGTH:-}" ]; then
  step=${SPRUCE_RESUME_STEP:-0}
  pause=$(( 30 + h % 120 ))
  while [ "$step" -lt "$SPRUCE_MAX_LENGTH" ]; do
    step=$(( step + 1 ))
    sleep "0.$(printf '%03d' "$pause")"
    echo "report: step=$step value=$(( score * step ))"
  done
  echo "objective: $(( score * step ))"
  exit 0
fi
if [ "$h" -lt 100 ]; then ms=$(( 2000 + h * 20 )); else ms=$(( 100 + (h - 100) * 1400 / 900 )); fi
sleep "$(( ms / 1000 )).$(printf '%03d' $(( ms % 1000 )))"
echo "objective: $score"
