package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// The auditor's commands over the demo company: every recorded decision
// replays as MATCH, read models rebuild to the same digest, and a decision
// altered behind the store's back is reported as a MISMATCH with exit 2.
func TestReplayAndRebuildCommands(t *testing.T) {
	backends(t, func(t *testing.T, _ string, tamper func(string)) {
		serveUntilHealthy(t, "--demo")

		out, err := runCmd(t, "replay", "--all")
		if err != nil || !strings.Contains(out, "2 decisions replayed, 0 mismatched") || strings.Contains(out, "MISMATCH") {
			t.Fatalf("replay --all: %v\n%s", err, out)
		}
		for _, args := range [][]string{{"replay"}, {"replay", "not-a-uuid"}, {"replay", "--all", "extra"}} {
			if _, err := runCmd(t, args...); err == nil {
				t.Errorf("%v was accepted", args)
			}
		}

		for _, args := range [][]string{{"rebuild", "--check"}, {"rebuild"}, {"rebuild", "--check", "cycles"}} {
			out, err := runCmd(t, args...)
			if err != nil || strings.Contains(out, "MISMATCH") {
				t.Fatalf("%v: %v\n%s", args, err, out)
			}
			if args[len(args)-1] != "rebuild" && !strings.Contains(out, "MATCH") {
				t.Fatalf("%v printed no MATCH:\n%s", args, out)
			}
		}
		if _, err := runCmd(t, "rebuild", "no-such-projection"); err == nil || !strings.Contains(err.Error(), "no-such-projection") {
			t.Errorf("unknown projection: %v", err)
		}

		// Give one recorded employee a better grade than the engine computes.
		const betterGrade = `replace(payload%s, '"grade":"A-"', '"grade":"A+"')%s`
		set := fmt.Sprintf(betterGrade, "", "")
		if strings.HasSuffix(t.Name(), "postgres") {
			tamper("DROP TRIGGER events_append_only ON events")
			set = fmt.Sprintf(betterGrade, "::text", "::json")
		} else {
			tamper("DROP TRIGGER events_no_update")
		}
		tamper("UPDATE events SET payload = " + set + " WHERE type = 'appraisal.decision_part_recorded'")
		out, err = runCmd(t, "replay", "--all")
		var ec exitCoder
		if !errors.As(err, &ec) || ec.ExitCode() != 2 || !strings.Contains(out, "MISMATCH") {
			t.Fatalf("replay after tamper: %v\n%s", err, out)
		}
	})
}
