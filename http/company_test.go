package http

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain/scoring"
)

// company is the commercial-operations unit of the tests: a general manager
// heading the unit, a supervisor managing eight people (three specialists at
// the 300 standard, five security and cleaning staff at 50), a cycle with a
// three-criterion template, and a token for everyone.
type company struct {
	h                *harness
	unit, gm, sup    uuid.UUID
	staff            []uuid.UUID // E1..E8
	tokens           map[uuid.UUID]string
	auditor          string
	template, policy uuid.UUID
	cycle            uuid.UUID
	level            uuid.UUID // the specialist level
	peers            map[uuid.UUID][]uuid.UUID
	links            map[uuid.UUID][]string
	selfEval         map[uuid.UUID]uuid.UUID
	beforeAppeal     int64     // the log's head just before the appeal was upheld
	beforeAppealAt   time.Time // and a time between that event and the next
}

// review is the path of employee e's review in the company's cycle.
func (co *company) review(e uuid.UUID, sub string) string {
	return fmt.Sprintf("/api/v1/cycles/%s/employees/%s%s", co.cycle, e, sub)
}

func (co *company) cyclePath(sub string) string {
	return fmt.Sprintf("/api/v1/cycles/%s%s", co.cycle, sub)
}

// newCompany builds the organisation, template, policy and a draft cycle.
func newCompany(t *testing.T, h *harness) *company {
	t.Helper()
	co := &company{h: h, tokens: map[uuid.UUID]string{}, peers: map[uuid.UUID][]uuid.UUID{}, links: map[uuid.UUID][]string{}, selfEval: map[uuid.UUID]uuid.UUID{}}
	hr := h.hr
	level := map[string]uuid.UUID{}
	for _, l := range []struct{ name, std string }{{"manager", "500"}, {"supervisor", "400"}, {"specialist", "300"}, {"staff", "50"}} {
		level[l.name] = h.send("POST", "/api/v1/levels", hr, map[string]any{"name": l.name, "monthly_standard": l.std}, http.StatusCreated).written(t).ID
	}
	co.level = level["specialist"]
	co.unit = h.send("POST", "/api/v1/units", hr, map[string]any{"name": "Commercial Operations"}, http.StatusCreated).written(t).ID
	hire := func(name, lvl string, manager uuid.UUID) uuid.UUID {
		body := map[string]any{"name": name, "unit_id": co.unit, "level_id": level[lvl]}
		if manager != uuid.Nil {
			body["manager_id"] = manager
		}
		id := h.send("POST", "/api/v1/employees", hr, body, http.StatusCreated).written(t).ID
		var tok IssuedToken
		r := h.send("POST", "/api/v1/employees/"+id.String()+"/tokens", hr, map[string]any{"role": "employee"}, http.StatusCreated)
		if err := json.Unmarshal(r.body, &tok); err != nil {
			t.Fatal(err)
		}
		co.tokens[id] = tok.Token
		return id
	}
	co.gm = hire("General manager", "manager", uuid.Nil)
	h.send("POST", "/api/v1/units/"+co.unit.String()+"/head", hr, map[string]any{"head_id": co.gm}, http.StatusOK)
	co.sup = hire("Supervisor", "supervisor", co.gm)
	for i, lvl := range []string{"specialist", "specialist", "specialist", "staff", "staff", "staff", "staff", "staff"} {
		co.staff = append(co.staff, hire(fmt.Sprintf("E%d", i+1), lvl, co.sup))
	}
	var aud IssuedToken
	if err := json.Unmarshal(h.send("POST", "/api/v1/employees/"+co.gm.String()+"/tokens", hr, map[string]any{"role": "auditor"}, http.StatusCreated).body, &aud); err != nil {
		t.Fatal(err)
	}
	co.auditor = aud.Token

	co.template = h.send("POST", "/api/v1/templates", hr, map[string]any{
		"name": "Commercial operations",
		"dimensions": []any{
			map[string]any{"key": "results", "name": "Results", "weight": "60", "criteria": []any{
				map[string]any{"key": "service", "name": "Service quality", "weight": "50", "kind": "rated", "rated_by": []string{"self", "peer", "manager", "customer"}, "scale": "0-100"},
				map[string]any{"key": "sales", "name": "Sales against target", "weight": "50", "kind": "measured"},
			}},
			map[string]any{"key": "attitude", "name": "Attitude", "weight": "40", "criteria": []any{
				map[string]any{"key": "teamwork", "name": "Teamwork", "weight": "100", "kind": "rated", "rated_by": []string{"self", "peer", "manager"}, "scale": "0-100"},
			}},
		},
	}, http.StatusCreated).written(t).ID
	pol := scoring.DefaultPolicy()
	pol.ID = uuid.Nil
	pol.Version = 0
	pol.Name = "Company policy"
	co.policy = h.send("POST", "/api/v1/policies", hr, pol, http.StatusCreated).written(t).ID

	co.cycle = h.send("POST", "/api/v1/cycles", hr, map[string]any{"settings": map[string]any{
		"name": "October 2026", "cadence": "monthly",
		"period_start": "2026-10-01T00:00:00Z", "period_end": "2026-10-31T00:00:00Z",
		"scope":       map[string]any{"employees": co.staff},
		"template_id": co.template, "policy_id": co.policy,
		"deadlines": map[string]any{"goals_due": "2026-10-05T00:00:00Z", "self_review_due": "2026-10-25T00:00:00Z",
			"reviews_due": "2026-10-31T00:00:00Z", "payroll_due": "2026-11-04T00:00:00Z"},
	}}, http.StatusCreated).written(t).ID
	return co
}

// throughGoalSetting opens the cycle; everyone drafts a goal, the supervisor
// agrees it, assigns three peers each (the next three colleagues), sets the
// sales target and asks two customers per person for feedback.
func (co *company) throughGoalSetting(t *testing.T) {
	t.Helper()
	h, hr := co.h, co.h.hr
	h.send("POST", co.cyclePath("/open"), hr, nil, http.StatusOK)
	sup := co.tokens[co.sup]
	for i, e := range co.staff {
		goal := h.send("POST", co.review(e, "/goals"), co.tokens[e], map[string]any{"title": "Serve the tenants well", "description": "no complaint left open"}, http.StatusCreated).written(t).ID
		h.send("POST", co.review(e, "/goals/"+goal.String()+"/agree"), sup, nil, http.StatusOK)
		for j := 1; j <= 3; j++ {
			peer := co.staff[(i+j)%len(co.staff)]
			h.send("POST", co.review(e, "/peers"), sup, map[string]any{"peer_id": peer}, http.StatusOK)
			co.peers[e] = append(co.peers[e], peer)
		}
		h.send("PUT", co.review(e, "/kpis/sales/target"), sup, map[string]any{"value": "100"}, http.StatusOK)
		for j := range 2 {
			var issued CustomerRequestIssued
			r := h.send("POST", co.review(e, "/customer-requests"), sup, map[string]any{"contact": map[string]any{
				"name": fmt.Sprintf("Tenant %d", j+1), "email": fmt.Sprintf("tenant%d@example.com", j+1), "company": "Mall tenant"}}, http.StatusCreated)
			if err := json.Unmarshal(r.body, &issued); err != nil {
				t.Fatal(err)
			}
			co.links[e] = append(co.links[e], issued.Link)
		}
	}
}

// scores gives every criterion rater kind k rates the same score.
func scores(k string, v string) map[string]any {
	s := []any{map[string]any{"criterion": "service", "score": v}}
	if k != "customer" {
		s = append(s, map[string]any{"criterion": "teamwork", "score": v})
	}
	return map[string]any{"scores": s, "summary": "Worked through the month against the agreed goal."}
}

// inReview brings the company's cycle to review with every self-evaluation in.
func (co *company) inReview(t *testing.T) {
	t.Helper()
	co.throughGoalSetting(t)
	h := co.h
	h.send("POST", co.cyclePath("/self-review"), h.hr, nil, http.StatusOK)
	for _, e := range co.staff {
		co.selfEval[e] = h.send("POST", co.review(e, "/evaluations/self"), co.tokens[e], scores("self", "80"), http.StatusCreated).written(t).ID
	}
	h.send("POST", co.cyclePath("/review"), h.hr, nil, http.StatusOK)
}
