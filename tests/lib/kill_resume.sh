# Sourced by tests that kill analyze and resume it (t_carry, t_jobs_equiv). Needs fail() and
# the array PIDS (killed in the test's EXIT trap).
#
# kill_resume MAX ARGS...: `analyze ARGS...` started in the background and SIGKILLed 0.10 to
# 0.69 s later, again and again, MAX times or until a run ends on its own (each resumes from
# the last one's checkpoint), then run to its end. KILLS says how many kills landed.
kill_resume() {
    local max=$1 pid
    shift
    KILLS=0
    for _ in $(seq 1 40); do
        "$SW_BIN" analyze "$@" &
        pid=$!
        PIDS+=("$pid")
        sleep "0.$(printf %02d $((RANDOM % 60 + 10)))"
        if ! kill -9 "$pid" 2>/dev/null; then
            wait "$pid" || fail "a resumed run (analyze $*) failed"
            return
        fi
        wait "$pid" 2>/dev/null
        KILLS=$((KILLS + 1))
        [ "$KILLS" -lt "$max" ] && continue
        "$SW_BIN" analyze "$@" || fail "the last resumed run (analyze $*) failed"
        return
    done
}
