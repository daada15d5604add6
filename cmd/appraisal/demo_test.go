package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/appraisal-hr/appraisal/domain"
)

// TestDemoSeedsOnceAndClosesAProratedCycle: the demo company's September
// cycle is closed with the unit's pay prorated exactly to its budget, October
// is in review, and a second start seeds nothing.
func TestDemoSeedsOnceAndClosesAProratedCycle(t *testing.T) {
	backends(t, func(t *testing.T, url string, _ func(string)) {
		ctx := context.Background()
		cfg := defaultConfig()
		cfg.DatabaseURL = url
		cfg.Bus = ""
		a, err := newApp(ctx, cfg, newLogger(cfg, &bytes.Buffer{}))
		if err != nil {
			t.Fatal(err)
		}
		defer a.close()
		var out bytes.Buffer
		if err := seedDemo(ctx, a, &out); err != nil {
			t.Fatalf("seed: %v", err)
		}
		printed := out.String()
		if strings.Count(out.String(), "apr_") != 4 {
			t.Fatalf("want four tokens printed:\n%s", out.String())
		}
		states := map[domain.CycleState]int{}
		budget := decimal.Zero
		var closed []string
		var closedID uuid.UUID
		for _, id := range cycleIDs(t, a) {
			ev, err := a.service.Evaluate(ctx, id, 0)
			if err != nil {
				t.Fatal(err)
			}
			states[ev.State]++
			if ev.State != domain.StateClosed {
				continue
			}
			closedID = id
			exp, err := a.server.Payroll(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			total := decimal.Zero
			for _, r := range exp.Rows {
				total = total.Add(r.PerformancePay)
				budget = budget.Add(r.Standard)
				if r.ProrationFactor.GreaterThanOrEqual(decimal.NewFromInt(1)) {
					t.Fatalf("%s was not prorated: %s", r.Name, r.ProrationFactor)
				}
				closed = append(closed, r.Name)
			}
			if !total.Equal(budget) {
				t.Fatalf("prorated total %s, budget %s", total, budget)
			}
		}
		if states[domain.StateClosed] != 1 || states[domain.StateReview] != 1 || len(closed) != 11 {
			t.Fatalf("states %v, %d people paid", states, len(closed))
		}
		if !strings.Contains(printed, "--cycle "+closedID.String()) {
			t.Fatalf("the closed cycle's id is not printed:\n%s", printed)
		}
		out.Reset()
		if err := seedDemo(ctx, a, &out); err != nil || !strings.Contains(out.String(), "nothing seeded") {
			t.Fatalf("second seed: %v %q", err, out.String())
		}
		exportAndTokens(t, closedID, a.gmID(t))
	})
}

// exportAndTokens drives export payroll and token create from the command line.
func exportAndTokens(t *testing.T, closed, employee uuid.UUID) {
	csv, err := runCmd(t, "export", "payroll", "--cycle", closed.String())
	if err != nil || strings.Count(csv, "\n") != 12 || !strings.HasPrefix(csv, "employee_id,") {
		t.Fatalf("export csv: %v\n%s", err, csv)
	}
	file := filepath.Join(t.TempDir(), "payroll.xlsx")
	if _, err := runCmd(t, "export", "payroll", "--cycle", closed.String(), "--format", "xlsx", "--output", file); err != nil {
		t.Fatalf("export xlsx: %v", err)
	}
	if st, err := os.Stat(file); err != nil || st.Size() < 1000 {
		t.Fatalf("xlsx file: %v", err)
	}
	if _, err := runCmd(t, "export", "payroll", "--cycle", uuid.NewString()); err == nil {
		t.Fatal("exporting an unknown cycle must fail")
	}
	tok, err := runCmd(t, "token", "create", "--employee", employee.String(), "--role", "auditor")
	if err != nil || !strings.HasPrefix(tok, "apr_") {
		t.Fatalf("token create: %v %q", err, tok)
	}
	if _, err := runCmd(t, "token", "create", "--employee", uuid.NewString()); err == nil {
		t.Fatal("a token for someone who is not an employee must be refused")
	}
}

// gmID finds the demo's general manager, the first person hired.
func (a *app) gmID(t *testing.T) uuid.UUID {
	t.Helper()
	org, _, err := a.service.Organisation(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range org.Employees() {
		if strings.HasPrefix(e.Name, "Zhang Wei") {
			return e.ID
		}
	}
	t.Fatal("no general manager in the demo")
	return uuid.Nil
}

// cycleIDs lists the cycles created in the log.
func cycleIDs(t *testing.T, a *app) []uuid.UUID {
	t.Helper()
	evs, err := a.store.ReadAll(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []uuid.UUID
	for _, e := range evs {
		if e.Type == "appraisal.cycle_created" {
			ids = append(ids, uuid.MustParse(strings.TrimPrefix(e.StreamID, "cycle-")))
		}
	}
	return ids
}
