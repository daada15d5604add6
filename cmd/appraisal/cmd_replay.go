package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain/scoring"
	"github.com/appraisal-hr/appraisal/projections/cycles"
)

// runReplay recomputes recorded decisions from the events up to each
// decision's last input position and says MATCH or MISMATCH with the
// differing fields; one decision prints its whole derivation. Any mismatch
// exits 2.
func runReplay(ctx context.Context, args []string, stdout io.Writer) error {
	cfg := defaultConfig()
	fs := newFlagSet("replay", "Replay recorded decisions: appraisal replay DECISION_ID | --all.", &cfg, stdout)
	fs.allowArgs = true
	all := fs.Bool("all", false, "replay every recorded decision")
	if err := fs.parse(args, &cfg); err != nil {
		return err
	}
	if *all == (fs.NArg() == 1) || fs.NArg() > 1 {
		fs.Usage()
		return errors.New("replay: give one decision id or --all")
	}
	store, rs, err := readSideFor(ctx, cfg, existing)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := rs.CatchUp(ctx); err != nil {
		return err
	}
	var reports []cycles.ReplayReport
	if *all {
		if reports, err = rs.Auditor.ReplayAll(ctx); err != nil {
			return err
		}
	} else {
		id, err := uuid.Parse(fs.Arg(0))
		if err != nil {
			return fmt.Errorf("replay: decision id %q is not a uuid", fs.Arg(0))
		}
		rep, err := rs.Auditor.Replay(ctx, id)
		if err != nil {
			return err
		}
		printDerivation(stdout, rep)
		reports = append(reports, rep)
	}
	var mismatched []string
	for _, rep := range reports {
		printVerdict(stdout, rep)
		if !rep.Match {
			mismatched = append(mismatched, rep.DecisionID.String())
		}
	}
	fmt.Fprintf(stdout, "%d decisions replayed, %d mismatched\n", len(reports), len(mismatched))
	if len(mismatched) > 0 {
		return &mismatchError{what: "recorded decisions differ from their replay", names: mismatched}
	}
	return nil
}

// printDerivation prints every employee's derivation and every unit's
// budget steps, as an auditor reads them.
func printDerivation(w io.Writer, rep cycles.ReplayReport) {
	fmt.Fprintf(w, "decision %s (%s) of cycle %s, recorded at position %d from the events up to %d\n",
		rep.DecisionID, rep.Kind, rep.CycleID, rep.Position, rep.LastInputPosition)
	fmt.Fprintf(w, "template v%d, policy v%d, engine %s (recorded) / %s (replayed)\n\n",
		rep.TemplateVersion, rep.PolicyVersion, rep.EngineVersion, rep.Derivation.EngineVersion)
	for _, e := range rep.Derivation.Employees {
		fmt.Fprintf(w, "employee %s (unit %s): final %s, grade %s, pay %s\n%s\n", e.EmployeeID, e.UnitID,
			e.Final.Value, e.Grade, e.Pay.Value, e.Derivation())
	}
	for _, u := range rep.Derivation.Units {
		fmt.Fprintf(w, "unit %s: budget %s, total %s, factor %s\n", u.UnitID, u.Budget.Value, u.PayTotal, u.Factor.Value)
		for _, t := range []scoring.Trace{u.Budget.Trace, u.PayTotalBeforeBudget.Trace, u.Factor.Trace} {
			fmt.Fprintln(w, t)
		}
	}
}

func printVerdict(w io.Writer, rep cycles.ReplayReport) {
	if rep.Match {
		fmt.Fprintf(w, "MATCH     %s %-11s cycle %s at %d (%d employees)\n", rep.DecisionID, rep.Kind, rep.CycleID,
			rep.LastInputPosition, len(rep.Derivation.Employees))
		return
	}
	fmt.Fprintf(w, "MISMATCH  %s %-11s cycle %s at %d\n", rep.DecisionID, rep.Kind, rep.CycleID, rep.LastInputPosition)
	for _, m := range rep.Mismatches {
		fmt.Fprintf(w, "          %s: recorded %s, recomputed %s\n", m.Field, m.Recorded, m.Recomputed)
	}
}
