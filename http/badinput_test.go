package http

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/eventstore"
)

// TestBadInput: every kind of bad request gets the right 4xx problem and
// writes nothing; none gets a 5xx.
func TestBadInput(t *testing.T) {
	eachBackend(t, func(t *testing.T, store eventstore.Store) {
		h := newHarness(t, store, func(c *Config) { c.MaxBodyBytes = 64 << 10 })
		co := newCompany(t, h)
		co.inReview(t)
		e1, peer := co.staff[0], co.peers[co.staff[0]][0]
		peerPath := co.review(e1, "/evaluations/peer")
		expired, err := IssueToken(context.Background(), h.srv.deps.DB, TokenRequest{EmployeeID: peer, Role: domain.RoleEmployee, IssuedBy: "test", TTL: time.Minute}, time.Now().Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		used := co.links[e1][0]
		h.send("POST", used, "", scores("customer", "90"), http.StatusCreated)
		version := h.send("GET", co.cyclePath(""), h.hr, nil, http.StatusOK).header.Get("ETag")

		cases := []struct {
			name, method, path, token, body string
			headers                         []string
			status                          int
			slug                            string
			fields                          []string
		}{
			{"malformed JSON", "POST", peerPath, co.tokens[peer], `{"scores":[`, nil, 400, "malformed-request", nil},
			{"two JSON values", "POST", peerPath, co.tokens[peer], `{} {}`, nil, 400, "malformed-request", nil},
			{"empty body", "POST", peerPath, co.tokens[peer], ``, nil, 400, "malformed-request", nil},
			{"wrong types", "POST", peerPath, co.tokens[peer], `{"scores":"all good","summary":7}`, nil, 422, "validation", []string{"scores", "summary"}},
			{"unknown field", "POST", peerPath, co.tokens[peer], `{"scores":[],"stars":5}`, nil, 422, "validation", []string{"stars"}},
			{"score out of range", "POST", peerPath, co.tokens[peer], body(`[{"criterion":"service","score":"101"},{"criterion":"teamwork","score":"-1"}]`), nil, 422, "validation", nil},
			{"missing score", "POST", peerPath, co.tokens[peer], body(`[{"criterion":"service","score":"90"}]`), nil, 422, "validation", nil},
			{"unknown criterion", "POST", peerPath, co.tokens[peer], body(`[{"criterion":"service","score":"90"},{"criterion":"teamwork","score":"90"},{"criterion":"charm","score":"90"}]`), nil, 422, "validation", nil},
			{"score not a number", "POST", peerPath, co.tokens[peer], body(`[{"criterion":"service","score":"ninety"}]`), nil, 422, "validation", []string{"scores[0].score"}},
			{"oversized body", "POST", peerPath, co.tokens[peer], `{"summary":"` + strings.Repeat("x", 70<<10) + `"}`, nil, 413, "payload-too-large", nil},
			{"not JSON", "POST", peerPath, co.tokens[peer], `scores=90`, []string{"Content-Type", "text/plain"}, 415, "unsupported-media-type", nil},
			{"wrong cycle state", "POST", co.review(e1, "/goals"), co.tokens[e1], `{"title":"late goal"}`, nil, 409, "wrong-state", nil},
			{"stale If-Match", "POST", co.cyclePath("/calibration"), h.hr, ``, []string{"If-Match", `"1"`}, 412, "precondition-failed", nil},
			{"malformed If-Match", "POST", co.cyclePath("/calibration"), h.hr, ``, []string{"If-Match", "yesterday"}, 422, "validation", []string{"If-Match"}},
			{"reused customer link", "POST", used, "", string(mustJSON(scores("customer", "95"))), nil, 410, "link-invalid", nil},
			{"expired token", "POST", peerPath, expired, string(mustJSON(scores("peer", "90"))), nil, 401, "unauthenticated", nil},
			{"malformed id in path", "GET", "/api/v1/cycles/not-a-uuid", h.hr, ``, nil, 404, "not-found", nil},
			{"unknown cycle", "GET", "/api/v1/cycles/" + uuid.NewString(), h.hr, ``, nil, 404, "not-found", nil},
			{"bad as_of", "GET", co.cyclePath("/results?as_of=last-tuesday"), h.hr, ``, nil, 422, "validation", []string{"as_of"}},
			{"as_of beyond the log", "GET", co.cyclePath("/results?as_of=99999999"), h.hr, ``, nil, 422, "validation", []string{"as_of"}},
			{"bad payroll format", "GET", co.cyclePath("/payroll?format=pdf"), h.hr, ``, nil, 422, "validation", []string{"format"}},
			{"payroll of an open cycle", "GET", co.cyclePath("/payroll"), h.hr, ``, nil, 409, "wrong-state", nil},
			{"unknown route", "DELETE", co.cyclePath(""), h.hr, ``, nil, 405, "method-not-allowed", nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := h.head()
				r := h.do(tc.method, tc.path, tc.token, tc.body, tc.headers...)
				if r.status != tc.status {
					t.Fatalf("status %d, want %d: %.300s", r.status, tc.status, r.body)
				}
				p := r.problem(t)
				if p.Type != problemTypePrefix+tc.slug {
					t.Fatalf("type %s, want %s", p.Type, tc.slug)
				}
				for i, f := range tc.fields {
					if i >= len(p.Errors) || p.Errors[i].Field != f {
						t.Fatalf("fields %+v, want %v", p.Errors, tc.fields)
					}
				}
				if after := h.head(); after != before {
					t.Fatalf("the log moved from %d to %d", before, after)
				}
			})
		}
		if version == "" {
			t.Fatal("GET cycle has no ETag")
		}
		h.send("POST", co.cyclePath("/calibration"), h.hr, nil, http.StatusOK, "If-Match", version)
	})
}

func body(scores string) string { return `{"scores":` + scores + `,"summary":"ok"}` }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// TestIdempotentSubmission: one peer evaluation sent 20 times at once with
// one Idempotency-Key appends one event, and every send gets the same answer.
func TestIdempotentSubmission(t *testing.T) {
	eachBackend(t, func(t *testing.T, store eventstore.Store) {
		h := newHarness(t, store, nil)
		co := newCompany(t, h)
		co.inReview(t)
		e1, peer := co.staff[0], co.peers[co.staff[0]][0]
		before := h.head()
		var wg sync.WaitGroup
		answers := make([]response, 20)
		payload := string(mustJSON(scores("peer", "88")))
		for i := range answers {
			wg.Go(func() {
				answers[i] = h.do("POST", co.review(e1, "/evaluations/peer"), co.tokens[peer], payload, headerIdempotencyKey, "submit-peer-e1")
			})
		}
		wg.Wait()
		for i, a := range answers {
			if a.status != http.StatusCreated || string(a.body) != string(answers[0].body) {
				t.Fatalf("send %d: %d %s (first: %s)", i, a.status, a.body, answers[0].body)
			}
		}
		if after := h.head(); after != before+1 {
			t.Fatalf("the log moved by %d events, want 1", after-before)
		}
		r := h.do("POST", co.review(e1, "/evaluations/peer"), co.tokens[peer], string(mustJSON(scores("peer", "70"))), headerIdempotencyKey, "submit-peer-e1")
		if p := r.problem(t); p.Status != 422 || p.Type != problemTypePrefix+"idempotency-key-reused" {
			t.Fatalf("reuse with another body: %+v", p)
		}
	})
}
