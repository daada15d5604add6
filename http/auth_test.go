package http

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/eventstore"
)

func TestBootstrapTokenIsIssuedOnce(t *testing.T) {
	store := backends(t)["sqlite"](t)
	db, err := OpenDB(t.Context(), store)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tok, created, err := EnsureBootstrapToken(ctx, db, "", time.Now())
	if err != nil || !created || !strings.HasPrefix(tok, tokenPrefix) {
		t.Fatalf("first start: %q %v %v", tok, created, err)
	}
	again, created, err := EnsureBootstrapToken(ctx, db, "", time.Now())
	if err != nil || created || again != "" {
		t.Fatalf("second start must issue nothing: %q %v %v", again, created, err)
	}
	var stored string
	if err := db.QueryRow(`SELECT token_hash FROM http_tokens`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored, tok) || stored != hashToken(tok) {
		t.Fatalf("the token must be stored hashed only")
	}
}

func TestBearerAuthentication(t *testing.T) {
	h := newHarness(t, backends(t)["sqlite"](t), nil)
	db, _ := OpenDB(t.Context(), h.store)
	ctx := context.Background()
	expired, err := IssueToken(ctx, db, TokenRequest{EmployeeID: uuid.New(), Role: domain.RoleEmployee, IssuedBy: "test", TTL: time.Millisecond}, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := IssueToken(ctx, db, TokenRequest{EmployeeID: uuid.New(), Role: domain.RoleManager}, time.Now()); !errors.Is(err, ErrBadTokenRole) {
		t.Fatalf("role manager is a relationship, not a token role: %v", err)
	}
	for name, token := range map[string]string{"no token": "", "unknown token": "apr_nope", "expired token": expired} {
		t.Run(name, func(t *testing.T) {
			r := h.do("GET", "/api/v1/me", token, "")
			p := r.problem(t)
			if p.Status != 401 || p.Type != problemTypePrefix+"unauthenticated" || r.header.Get("WWW-Authenticate") == "" {
				t.Fatalf("problem %+v", p)
			}
		})
	}
	r := h.do("GET", "/api/v1/me", h.hr, "")
	if r.status != 200 || !strings.Contains(string(r.body), `"role":"hr"`) {
		t.Fatalf("whoami: %d %s", r.status, r.body)
	}
}

// TestRevokedTokensStopWorking: HR revokes an employee's tokens; the next
// request with one is refused, and nothing else is affected.
func TestRevokedTokensStopWorking(t *testing.T) {
	h := newHarness(t, backends(t)["sqlite"](t), nil)
	db, _ := OpenDB(t.Context(), h.store)
	id := uuid.New()
	tok, err := IssueToken(context.Background(), db, TokenRequest{EmployeeID: id, Role: domain.RoleEmployee, IssuedBy: "test"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	h.send("GET", "/api/v1/me", tok, nil, 200) // remembered by the cache now
	r := h.send("POST", "/api/v1/employees/"+id.String()+"/tokens/revoke", h.hr, nil, 200)
	if !strings.Contains(string(r.body), `"revoked":1`) {
		t.Fatalf("revoke: %s", r.body)
	}
	if p := h.do("GET", "/api/v1/me", tok, "").problem(t); p.Status != 401 {
		t.Fatalf("revoked token: %+v", p)
	}
	h.send("GET", "/api/v1/me", h.hr, nil, 200)
}

// TestLeaversTokensStopWorking: once HR records that an employee left, the
// employee's token is refused (401) and writes nothing, while everyone
// else's works on.
func TestLeaversTokensStopWorking(t *testing.T) {
	eachBackend(t, func(t *testing.T, store eventstore.Store) {
		h := newHarness(t, store, nil)
		co := newCompany(t, h)
		leaver := co.staff[len(co.staff)-1]
		tok := co.tokens[leaver]
		h.send("GET", "/api/v1/me", tok, nil, 200) // remembered by the cache now
		h.send("POST", "/api/v1/employees/"+leaver.String()+"/leave", h.hr, map[string]any{"reason": "moved to another company"}, 200)
		before := h.head()
		if p := h.do("GET", "/api/v1/me", tok, "").problem(t); p.Status != 401 {
			t.Fatalf("a leaver's token: %+v", p)
		}
		if p := h.do("POST", co.review(leaver, "/goals"), tok, `{"title":"still here?"}`).problem(t); p.Status != 401 {
			t.Fatalf("a leaver's write: %+v", p)
		}
		if after := h.head(); after != before {
			t.Fatalf("a refused leaver's request wrote: head %d -> %d", before, after)
		}
		h.send("GET", "/api/v1/me", co.tokens[co.staff[0]], nil, 200)
		h.send("GET", "/api/v1/me", h.hr, nil, 200)
	})
}
