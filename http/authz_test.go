package http

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// who may call each route on employee E1's review in a cycle in review
// (SPEC §13). "person" is any authenticated person; every other role is
// refused: 401 without credentials, 403 (or 404) with them, and nothing is
// written either way.
var routeAccess = map[string][]string{
	"GET /api/v1/me":                                                   {"person"},
	"GET /api/v1/organisation":                                         {"hr", "auditor"},
	"GET /api/v1/cycles/:cycle":                                        {"person"},
	"GET /api/v1/cycles/:cycle/results":                                {"hr", "auditor"},
	"GET " + reviewPath + "/results":                                   {"employee", "manager", "unit_head", "hr", "auditor"},
	"GET /api/v1/cycles/:cycle/units/:unit/summary":                    {"unit_head", "hr", "auditor"},
	"GET /api/v1/cycles/:cycle/replay":                                 {"hr", "auditor"},
	"GET /api/v1/audit/verify":                                         {"hr", "auditor"},
	"GET /api/v1/cycles/:cycle/payroll":                                {"hr"},
	"GET /api/v1/templates/:template":                                  {"person"},
	"GET /api/v1/policies/:policy":                                     {"person"},
	"POST /api/v1/units":                                               {"hr"},
	"POST /api/v1/units/:unit/head":                                    {"hr"},
	"POST /api/v1/levels":                                              {"hr"},
	"POST /api/v1/levels/:level/standard":                              {"hr"},
	"POST /api/v1/employees":                                           {"hr"},
	"POST /api/v1/employees/:employee/transfer":                        {"hr"},
	"POST /api/v1/employees/:employee/manager":                         {"hr"},
	"POST /api/v1/employees/:employee/level":                           {"hr"},
	"POST /api/v1/employees/:employee/leave":                           {"hr"},
	"POST /api/v1/employees/:employee/tokens":                          {"hr"},
	"POST /api/v1/templates":                                           {"hr"},
	"POST /api/v1/policies":                                            {"hr"},
	"POST /api/v1/cycles":                                              {"hr"},
	"PUT /api/v1/cycles/:cycle/settings":                               {"hr"},
	"POST /api/v1/cycles/:cycle/reopen":                                {"hr"},
	"POST /api/v1/cycles/:cycle/pairing-overrides":                     {"hr"},
	"POST /api/v1/cycles/:cycle/sign-offs":                             {"unit_head", "hr"},
	"POST /api/v1/cycles/:cycle/open":                                  {"hr"},
	"POST /api/v1/cycles/:cycle/self-review":                           {"hr"},
	"POST /api/v1/cycles/:cycle/review":                                {"hr"},
	"POST /api/v1/cycles/:cycle/calibration":                           {"hr"},
	"POST /api/v1/cycles/:cycle/approval":                              {"hr"},
	"POST /api/v1/cycles/:cycle/publish":                               {"hr"},
	"POST /api/v1/cycles/:cycle/close":                                 {"hr"},
	"POST " + reviewPath + "/goals":                                    {"employee"},
	"POST " + reviewPath + "/goals/:goal/agree":                        {"manager"},
	"POST " + reviewPath + "/delegate":                                 {"hr"},
	"POST " + reviewPath + "/peers":                                    {"manager", "hr"},
	"POST " + reviewPath + "/customer-requests":                        {"manager", "hr"},
	"PUT " + reviewPath + "/evaluations/:kind/draft":                   {"employee"},
	"POST " + reviewPath + "/evaluations/:kind":                        {"employee"},
	"POST " + reviewPath + "/evaluations/:kind/:evaluation/amendments": {"employee"},
	"PUT " + reviewPath + "/kpis/:criterion/target":                    {"manager", "hr"},
	"PUT " + reviewPath + "/kpis/:criterion/actual":                    {"manager", "hr"},
	"POST " + reviewPath + "/adjustments":                              {"unit_head", "hr"},
	"POST " + reviewPath + "/acknowledgement":                          {"employee"},
	"POST " + reviewPath + "/appeals":                                  {"employee"},
	"POST " + reviewPath + "/appeals/:appeal/resolution":               {"hr"},
	"POST " + reviewPath + "/awards":                                   {"hr"},
	"POST " + reviewPath + "/penalties":                                {"hr"},
	"POST " + reviewPath + "/recommendations/decisions":                {"hr"},
	"GET /api/v1/cycles":                                               {"hr", "auditor"},
	"GET /api/v1/cycles/:cycle/summary":                                {"hr", "auditor"},
	"GET /api/v1/cycles/:cycle/progress":                               {"hr", "auditor"},
	"GET /api/v1/cycles/:cycle/recommendations":                        {"hr", "auditor"},
	"GET /api/v1/approvals/pending":                                    {"hr", "auditor"},
	"GET /api/v1/appeals/pending":                                      {"hr", "auditor"},
	"GET /api/v1/cycles/:cycle/timeline":                               {"hr", "auditor"},
	"GET /api/v1/employees/:employee/timeline":                         {"hr", "auditor"},
	"GET " + reviewPath + "/evaluations/:kind/draft":                   {"employee"},
	"GET /api/v1/me/tasks":                                             {"person"},
	"POST /api/v1/employees/:employee/tokens/revoke":                   {"hr"},
	"GET /api/v1/feedback/:token":                                      {"customer"},
	"POST /api/v1/feedback/:token":                                     {"customer"},
}

// peerRoute is the one route a peer may use on E1's review: the kind in the
// path is peer, which the matrix's self-kind paths do not cover.
const peerRoute = "POST " + reviewPath + "/evaluations/:kind"

var matrixRoles = []string{"anonymous", "employee", "colleague", "peer", "manager", "unit_head", "hr", "auditor"}

// TestAuthorisationMatrix calls every registered route as every role.
func TestAuthorisationMatrix(t *testing.T) {
	eachBackend(t, authorisationMatrix)
}

func authorisationMatrix(t *testing.T, store eventstore.Store) {
	h := newHarness(t, store, nil)
	co := newCompany(t, h)
	co.inReview(t)
	e1 := co.staff[0]
	tokens := map[string]string{
		"employee": co.tokens[e1], "colleague": co.tokens[co.staff[5]], "peer": co.tokens[co.peers[e1][0]],
		"manager": co.tokens[co.sup], "unit_head": co.tokens[co.gm], "hr": h.hr, "auditor": co.auditor,
	}
	fill := strings.NewReplacer(":cycle", co.cycle.String(), ":employee", e1.String(), ":unit", co.unit.String(),
		":level", co.level.String(), ":template", co.template.String(), ":policy", co.policy.String(),
		":goal", uuid.NewString(), ":kind", "self", ":evaluation", co.selfEval[e1].String(), ":criterion", "sales",
		":appeal", uuid.NewString())
	covered := 0
	for _, r := range h.srv.table() {
		if r.access == public {
			continue
		}
		key := r.method + " " + r.path
		allowed, ok := routeAccess[key]
		if !ok {
			t.Errorf("route %s has no row in the authorisation matrix", key)
			continue
		}
		covered++
		if r.access == link {
			co.linkRoute(t, r, fill)
			continue
		}
		path := fill.Replace(r.path)
		var body any
		if r.mutating() {
			body = map[string]any{}
		}
		if key == "POST /api/v1/employees/:employee/tokens/revoke" {
			// Revoke someone nobody uses, or the rest of the matrix loses E1's token.
			path = strings.Replace(path, e1.String(), co.staff[7].String(), 1)
		}
		if key == "POST /api/v1/cycles/:cycle/sign-offs" {
			body = map[string]any{"step": "unit_head", "unit_id": co.unit}
		}
		for _, role := range matrixRoles {
			if !permits(allowed, role) {
				want := http.StatusForbidden
				if role == "anonymous" {
					want = http.StatusUnauthorized
				}
				h.refusedAny(r.method, path, tokens[role], body, want)
			}
		}
		for _, role := range matrixRoles {
			if permits(allowed, role) {
				if got := h.do(r.method, path, tokens[role], jsonBody(t, body)); got.status == 401 || got.status == 403 || got.status >= 500 {
					t.Errorf("%s as %s: %d %s", key, role, got.status, got.body)
				}
			}
		}
		if key == peerRoute {
			peerPath := strings.Replace(path, "/evaluations/self", "/evaluations/peer", 1)
			h.refusedAny(r.method, peerPath, tokens["colleague"], body, http.StatusForbidden)
			if got := h.do(r.method, peerPath, tokens["peer"], "{}"); got.status == 403 || got.status >= 500 {
				t.Errorf("peer evaluation as the assigned peer: %d %s", got.status, got.body)
			}
		}
	}
	if covered != len(routeAccess) {
		t.Errorf("the matrix has %d rows for %d routes", len(routeAccess), covered)
	}
}

func permits(allowed []string, role string) bool {
	for _, a := range allowed {
		if a == role || (a == "person" && role != "anonymous") {
			return true
		}
	}
	return false
}

// linkRoute: the customer's link opens its route; a forged link, and a
// bearer token in place of a link, are refused alike.
func (co *company) linkRoute(t *testing.T, r route, fill *strings.Replacer) {
	t.Helper()
	link := co.links[co.staff[0]][0]
	forged := link[:len(link)-4] + "AAAA"
	var body any
	if r.mutating() {
		body = map[string]any{}
	}
	co.h.refusedAny(r.method, forged, "", body, http.StatusGone)
	co.h.refusedAny(r.method, "/api/v1/feedback/x", co.h.hr, body, http.StatusGone)
	if got := co.h.do(r.method, link, "", jsonBody(t, body)); got.status == 401 || got.status == 403 || got.status == 410 || got.status >= 500 {
		t.Errorf("%s %s with its link: %d %s", r.method, r.path, got.status, got.body)
	}
}

func jsonBody(t *testing.T, body any) string {
	t.Helper()
	if body == nil {
		return ""
	}
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
