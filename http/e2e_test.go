package http

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/domain/scoring"
	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/projections"
	"github.com/appraisal-hr/appraisal/projections/cycles"
)

// staffScore is how each of E1..E8 is rated: self, everyone else, and the
// sales actual against a target of 100. Only E1 is rated differently by
// themself, so that the rater-kind weighting shows in the numbers.
var staffScore = []struct{ self, others, sales string }{
	{"100", "90", "95"}, {"98", "98", "98"}, {"88", "88", "88"}, {"60", "60", "60"},
	{"65", "65", "65"}, {"68", "68", "68"}, {"55", "55", "55"}, {"84", "84", "84"},
}

// TestMonthlyCycleEndToEnd runs a whole monthly cycle through the API on a
// loopback port and checks the payroll export against numbers worked out by
// hand below.
func TestMonthlyCycleEndToEnd(t *testing.T) {
	eachBackend(t, func(t *testing.T, store eventstore.Store) {
		h := newHarness(t, store, nil)
		co := newCompany(t, h)
		co.throughGoalSetting(t)
		co.throughReview(t)
		co.calibrateApprovePublish(t)
		co.acknowledgeAppealClose(t)
		co.checkPayroll(t)
		co.checkReads(t)
	})
}

// throughReview: self-reviews, then 3 peers, the manager, 2 customers (via
// their links) and the sales actual for everyone.
func (co *company) throughReview(t *testing.T) {
	t.Helper()
	h, hr := co.h, co.h.hr
	h.send("POST", co.cyclePath("/self-review"), hr, nil, http.StatusOK)
	for i, e := range co.staff {
		h.send("POST", co.review(e, "/evaluations/self"), co.tokens[e], scores("self", staffScore[i].self), http.StatusCreated)
	}
	w := h.send("POST", co.cyclePath("/review"), hr, nil, http.StatusOK).written(t)
	co.checkTasks(t, w.Position)
	co.draftThenSubmit(t)
	for i, e := range co.staff {
		for _, p := range co.peers[e] {
			h.send("POST", co.review(e, "/evaluations/peer"), co.tokens[p], scores("peer", staffScore[i].others), http.StatusCreated)
		}
		h.send("POST", co.review(e, "/evaluations/manager"), co.tokens[co.sup], scores("manager", staffScore[i].others), http.StatusCreated)
		for _, link := range co.links[e] {
			h.send("GET", link, "", nil, http.StatusOK)
			h.send("POST", link, "", scores("customer", staffScore[i].others), http.StatusCreated)
		}
		h.send("PUT", co.review(e, "/kpis/sales/actual"), co.tokens[co.sup], map[string]any{"value": staffScore[i].sales}, http.StatusOK)
	}
	// Scores in progress are not the employee's or the manager's to see.
	h.refused("GET", co.review(co.staff[0], "/results"), co.tokens[co.staff[0]], nil, http.StatusConflict, "wrong-state")
	h.refused("GET", co.review(co.staff[0], "/results"), co.tokens[co.sup], nil, http.StatusConflict, "wrong-state")
}

// calibrateApprovePublish: the unit head takes 2 points off E3 (88 B+ → 86 B)
// so the unit stays within budget; approval is refused while the unit has an
// A+ (E2) and no C, until HR overrides with a justification; the sign-off
// chain runs; awards and a penalty are granted; results are published.
func (co *company) calibrateApprovePublish(t *testing.T) {
	t.Helper()
	h, hr := co.h, co.h.hr
	h.send("POST", co.cyclePath("/calibration"), hr, nil, http.StatusOK)
	h.send("POST", co.review(co.staff[2], "/adjustments"), co.tokens[co.gm],
		map[string]any{"kind": "delta", "value": "-2", "reason": "two complaints in the last week of October"}, http.StatusCreated)
	p := h.refused("POST", co.cyclePath("/approval"), hr, nil, http.StatusConflict, "blocked")
	if !strings.Contains(p.Detail, "pairing") && !strings.Contains(p.Detail, "A+") {
		t.Fatalf("approval should be blocked by forced pairing: %s", p.Detail)
	}
	h.send("POST", co.cyclePath("/pairing-overrides"), hr, map[string]any{"unit_id": co.unit,
		"justification": "E2 carried the mall through the October security incident; nobody performed at C level"}, http.StatusOK)
	h.send("POST", co.cyclePath("/approval"), hr, nil, http.StatusOK)
	h.send("POST", co.cyclePath("/sign-offs"), co.tokens[co.gm], map[string]any{"step": "unit_head", "unit_id": co.unit, "comment": "签字确认"}, http.StatusOK)
	h.send("POST", co.cyclePath("/sign-offs"), hr, map[string]any{"step": "operations_head"}, http.StatusOK)
	h.send("POST", co.cyclePath("/sign-offs"), hr, map[string]any{"step": "leader"}, http.StatusOK)
	h.send("POST", co.review(co.staff[1], "/awards"), hr, map[string]any{"type": "excellent_employee", "amount": "200", "reason": "employee of the month"}, http.StatusCreated)
	h.send("POST", co.review(co.staff[6], "/penalties"), hr, map[string]any{"type": "fine", "amount": "20", "reason": "late for two night shifts"}, http.StatusCreated)
	h.send("POST", co.cyclePath("/publish"), hr, nil, http.StatusOK)

	// HR reopens with a reason; every later step repeats.
	h.refused("POST", co.cyclePath("/reopen"), hr, map[string]any{"reason": ""}, http.StatusUnprocessableEntity, "validation")
	h.send("POST", co.cyclePath("/reopen"), hr, map[string]any{"reason": "E3's calibration note was attached to the wrong month"}, http.StatusOK)
	h.refused("POST", co.cyclePath("/publish"), hr, nil, http.StatusConflict, "wrong-state")
	h.send("POST", co.cyclePath("/approval"), hr, nil, http.StatusOK)
	h.send("POST", co.cyclePath("/sign-offs"), co.tokens[co.gm], map[string]any{"step": "unit_head", "unit_id": co.unit}, http.StatusOK)
	h.send("POST", co.cyclePath("/sign-offs"), hr, map[string]any{"step": "operations_head"}, http.StatusOK)
	h.send("POST", co.cyclePath("/sign-offs"), hr, map[string]any{"step": "leader"}, http.StatusOK)
	h.send("POST", co.cyclePath("/publish"), hr, nil, http.StatusOK)
}

// acknowledgeAppealClose: E1-E7 acknowledge; E8 appeals and HR upholds with
// 91.50; then the cycle closes.
func (co *company) acknowledgeAppealClose(t *testing.T) {
	t.Helper()
	h, hr := co.h, co.h.hr
	for _, e := range co.staff[:7] {
		h.send("POST", co.review(e, "/acknowledgement"), co.tokens[e], nil, http.StatusOK)
	}
	e8 := co.staff[7]
	appeal := h.send("POST", co.review(e8, "/appeals"), co.tokens[e8], map[string]any{"reason": "the night-shift KPI missed two weeks of patrol logs"}, http.StatusCreated).written(t).ID
	h.refused("POST", co.cyclePath("/close"), hr, nil, http.StatusConflict, "blocked")
	co.beforeAppeal = h.head()
	time.Sleep(5 * time.Millisecond) // recorded times have microsecond resolution
	co.beforeAppealAt = time.Now()
	time.Sleep(5 * time.Millisecond)
	h.send("POST", co.review(e8, "/appeals/"+appeal.String()+"/resolution"), hr,
		map[string]any{"upheld": true, "new_score": "91.5", "reason": "patrol logs found; sales actual corrected"}, http.StatusOK)
	h.send("POST", co.cyclePath("/close"), hr, nil, http.StatusOK)
}

// checkPayroll compares the CSV export with the numbers worked by hand.
//
// Template: results 60% (service 50% rated by all four kinds, sales 50%
// measured), attitude 40% (teamwork rated by self, peer, manager). Rater
// weights self 10, peer 20, manager 50, customer 20.
//
//	E1: service = .1×100 + .2×90 + .5×90 + .2×90 = 91
//	    teamwork (no customer: weights over 80) = (10×100 + 20×90 + 50×90)/80 = 91.25
//	    sales = 95/100×100 = 95; results = (91+95)/2 = 93
//	    overall = .6×93 + .4×91.25 = 92.30 → A- (110%) → 300 × 1.10 = 330.00
//	E2..E8 are rated s by everyone with sales s, so overall = s:
//	E2 98 → A+ 120% → 360.00 (+ award 200 outside the budget)
//	E3 88 − 2 calibration = 86 → B 100% → 300.00
//	E4 60, E5 65, E6 68, E7 55 → D 50% → 50 × 0.5 = 25.00 each (E7: penalty 20)
//	E8 84 B, appeal upheld at 91.50 → A- 110% → 50 × 1.10 = 55.00
//	unit: budget 3×300 + 5×50 = 1150 ≥ pay 330+360+300+4×25+55 = 1145: no proration.
func (co *company) checkPayroll(t *testing.T) {
	t.Helper()
	want := map[string][]string{ // employee → final, grade, coefficient, pay, factor, awards, penalties
		"E1": {"92.30", "A-", "1.1", "330.00", "1", "0.00", "0.00"},
		"E2": {"98.00", "A+", "1.2", "360.00", "1", "200.00", "0.00"},
		"E3": {"86.00", "B", "1", "300.00", "1", "0.00", "0.00"},
		"E4": {"60.00", "D", "0.5", "25.00", "1", "0.00", "0.00"},
		"E5": {"65.00", "D", "0.5", "25.00", "1", "0.00", "0.00"},
		"E6": {"68.00", "D", "0.5", "25.00", "1", "0.00", "0.00"},
		"E7": {"55.00", "D", "0.5", "25.00", "1", "0.00", "20.00"},
		"E8": {"91.50", "A-", "1.1", "55.00", "1", "0.00", "0.00"},
	}
	r := co.h.send("GET", co.cyclePath("/payroll?format=csv"), co.h.hr, nil, http.StatusOK)
	rows, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v\n%s", err, r.body)
	}
	if strings.Join(rows[0], ",") != strings.Join(payrollHeader, ",") {
		t.Fatalf("csv header: %q", rows[0])
	}
	if len(rows) != 1+len(want) {
		t.Fatalf("%d rows, want %d:\n%s", len(rows)-1, len(want), r.body)
	}
	position := r.header.Get("X-Position")
	for _, row := range rows[1:] {
		if row[13] != co.cycle.String() || row[14] != position || position == "" {
			t.Fatalf("row %q does not name the cycle and position %s", row, position)
		}
		w, ok := want[row[1]]
		if !ok {
			t.Fatalf("unexpected row %q", row)
		}
		got := []string{row[5], row[6], row[7], row[8], row[9], row[10], row[11]}
		if strings.Join(got, " ") != strings.Join(w, " ") {
			t.Errorf("%s: got %v, want %v", row[1], got, w)
		}
	}
	x := co.h.send("GET", co.cyclePath("/payroll?format=xlsx"), co.h.hr, nil, http.StatusOK)
	if !strings.Contains(x.header.Get("Content-Type"), "spreadsheetml") || len(x.body) < 1000 {
		t.Fatalf("xlsx: %s, %d bytes", x.header.Get("Content-Type"), len(x.body))
	}
	j := co.h.send("GET", co.cyclePath("/payroll?format=json"), co.h.hr, nil, http.StatusOK)
	var exp PayrollExport
	if err := json.Unmarshal(j.body, &exp); err != nil {
		t.Fatalf("json: %v\n%s", err, j.body)
	}
	if fmt.Sprint(exp.Position) != position || j.header.Get("X-Position") != position || exp.CycleID != co.cycle.String() || len(exp.Rows) != len(want) {
		t.Fatalf("json export: position %d (header %q), cycle %s, %d rows; csv said position %s, %d rows",
			exp.Position, j.header.Get("X-Position"), exp.CycleID, len(exp.Rows), position, len(want))
	}
	for _, row := range exp.Rows {
		if w := want[row.Name]; row.FinalScore.StringFixed(2) != w[0] || row.Grade != w[1] {
			t.Errorf("json %s: %s %s, want %v", row.Name, row.FinalScore, row.Grade, w)
		}
	}
}

// checkReads: the employee sees their own result anonymised (customer means
// hidden: 2 < threshold 3; no rater ids), not a colleague's; the manager sees
// the report's; the auditor replays the three decisions as MATCH and
// verifies the log.
func (co *company) checkReads(t *testing.T) {
	t.Helper()
	h := co.h
	e1 := co.staff[0]
	r := h.send("GET", co.review(e1, "/results"), co.tokens[e1], nil, http.StatusOK)
	var v EmployeeView
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatal(err)
	}
	if v.Grade != "A-" || v.Final.String() != "92.3" || len(v.HiddenKinds) != 1 || v.HiddenKinds[0] != "customer" {
		t.Fatalf("employee view: %s", r.body)
	}
	for _, p := range append(co.peers[e1], co.sup) {
		if strings.Contains(string(r.body), p.String()) {
			t.Fatalf("the employee view names rater %s: %s", p, r.body)
		}
	}
	h.refused("GET", co.review(co.staff[1], "/results"), co.tokens[e1], nil, http.StatusForbidden, "forbidden")
	h.send("GET", co.review(e1, "/results"), co.tokens[co.sup], nil, http.StatusOK)
	var reports []ReplayView
	if err := json.Unmarshal(h.send("GET", co.cyclePath("/replay"), co.auditor, nil, http.StatusOK).body, &reports); err != nil {
		t.Fatal(err)
	}
	if len(reports) != 3 { // published, published again after the reopen, closed
		t.Fatalf("replay: %d reports, want 3", len(reports))
	}
	for _, r := range reports {
		if !r.Match {
			t.Fatalf("decision %s (%s) does not replay: %+v", r.DecisionID, r.Kind, r.Mismatches)
		}
	}
	co.checkAsOf(t)
	co.checkReadModels(t)
	var rep VerifyView
	if err := json.Unmarshal(h.send("GET", "/api/v1/audit/verify", co.auditor, nil, http.StatusOK).body, &rep); err != nil || !rep.OK || rep.Events == 0 {
		t.Fatalf("verify: %+v %v", rep, err)
	}
}

// checkReadModels reads the projections after the close, waiting for them to
// reach the close's position: the cycle list shows it closed, and its
// timeline holds every event in order with actor, role and the correlation
// id of the request that caused it.
func (co *company) checkReadModels(t *testing.T) {
	t.Helper()
	h := co.h
	pos := h.head()
	var list []cycles.Summary
	if err := json.Unmarshal(h.send("GET", fmt.Sprintf("/api/v1/cycles?min_position=%d", pos), h.hr, nil, http.StatusOK).body, &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].CycleID != co.cycle || list[0].State != domain.StateClosed {
		t.Fatalf("cycles: %+v", list)
	}
	var tl []projections.TimelineEntry
	if err := json.Unmarshal(h.send("GET", co.cyclePath(fmt.Sprintf("/timeline?min_position=%d", pos)), co.auditor, nil, http.StatusOK).body, &tl); err != nil {
		t.Fatal(err)
	}
	if len(tl) < 10 || tl[0].Type != "appraisal.cycle_created" || tl[0].ActorRole != "hr" || tl[0].CorrelationID == uuid.Nil {
		t.Fatalf("timeline: %d entries, first %+v", len(tl), tl[0])
	}
	for i := 1; i < len(tl); i++ {
		if tl[i].Position <= tl[i-1].Position {
			t.Fatalf("timeline out of order at %d", i)
		}
	}

	// E2's A+ in a closed cycle makes them an excellence-award candidate;
	// HR accepts, and the read model shows the decision with its reason.
	e2 := co.staff[1]
	w := h.send("POST", co.review(e2, "/recommendations/decisions"), h.hr,
		map[string]any{"kind": "excellence_award", "outcome": "accepted", "reason": "优秀员工 for October"}, http.StatusOK).written(t)
	var recs []cycles.Recommendation
	if err := json.Unmarshal(h.send("GET", co.cyclePath(fmt.Sprintf("/recommendations?min_position=%d", w.Position)), h.hr, nil, http.StatusOK).body, &recs); err != nil {
		t.Fatal(err)
	}
	decided := false
	for _, r := range recs {
		if r.EmployeeID == e2 && r.Kind == "excellence_award" && r.Decision != nil && r.Decision.Outcome == "accepted" {
			decided = true
		}
	}
	if !decided {
		t.Fatalf("recommendations: %+v", recs)
	}
	// As of before the close, E2 was not yet a candidate: the excellence
	// award needs a closed cycle.
	var before []scoring.Recommendation
	if err := json.Unmarshal(h.send("GET", co.cyclePath(fmt.Sprintf("/recommendations?as_of=%d", co.beforeAppeal)), co.auditor, nil, http.StatusOK).body, &before); err != nil {
		t.Fatal(err)
	}
	for _, r := range before {
		if r.EmployeeID == e2 && r.Kind == "excellence_award" {
			t.Fatalf("excellence award before the close: %+v", r)
		}
	}
}

// checkAsOf: E8's result as of just before the appeal was upheld, by
// position and by time, is the original B; now it is A-. Reading history is
// the auditor's; E8 may read only the present.
func (co *company) checkAsOf(t *testing.T) {
	t.Helper()
	e8 := co.review(co.staff[7], "/results")
	for _, q := range []string{"", fmt.Sprintf("?as_of=%d", co.beforeAppeal), "?as_of=" + co.beforeAppealAt.UTC().Format(time.RFC3339Nano)} {
		var v struct {
			Result scoring.EmployeeResult `json:"result"`
		}
		if err := json.Unmarshal(co.h.send("GET", e8+q, co.auditor, nil, http.StatusOK).body, &v); err != nil {
			t.Fatal(err)
		}
		want := "B 84"
		if q == "" {
			want = "A- 91.5"
		}
		if got := v.Result.Grade + " " + v.Result.Final.Value.String(); got != want {
			t.Errorf("E8 results%s: %s, want %s", q, got, want)
		}
	}
	co.h.refused("GET", e8+fmt.Sprintf("?as_of=%d", co.beforeAppeal), co.tokens[co.staff[7]], nil, http.StatusForbidden, "forbidden")
}

// draftThenSubmit: the manager saves a draft of E1's evaluation twice, reads
// the last one back (nobody else can), and submission later replaces it.
func (co *company) draftThenSubmit(t *testing.T) {
	t.Helper()
	h, e1 := co.h, co.staff[0]
	draft := co.review(e1, "/evaluations/manager/draft")
	h.send("PUT", draft, co.tokens[co.sup], scores("manager", "70"), http.StatusOK)
	h.send("PUT", draft, co.tokens[co.sup], scores("manager", "75"), http.StatusOK)
	var d DraftView
	if err := json.Unmarshal(h.send("GET", draft, co.tokens[co.sup], nil, http.StatusOK).body, &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Scores) != 2 || d.Scores[0].Score.String() != "75" {
		t.Fatalf("draft read back: %+v", d)
	}
	h.refused("GET", draft, co.tokens[e1], nil, http.StatusForbidden, "forbidden")
	h.refused("GET", draft, co.auditor, nil, http.StatusForbidden, "forbidden")
}

// checkTasks: in review, E1's inbox holds the three peer evaluations E1 was
// asked for and the supervisor's holds all eight manager evaluations.
func (co *company) checkTasks(t *testing.T, pos int64) {
	t.Helper()
	count := func(token string) map[string]int {
		var tasks []Task
		if err := json.Unmarshal(co.h.send("GET", fmt.Sprintf("/api/v1/me/tasks?min_position=%d", pos), token, nil, http.StatusOK).body, &tasks); err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, task := range tasks {
			n[task.What]++
		}
		return n
	}
	if n := count(co.tokens[co.staff[0]]); n["peer_evaluation"] != 3 || len(n) != 1 {
		t.Fatalf("E1's tasks: %v", n)
	}
	if n := count(co.tokens[co.sup]); n["manager_evaluation"] != 8 || len(n) != 1 {
		t.Fatalf("supervisor's tasks: %v", n)
	}
}
