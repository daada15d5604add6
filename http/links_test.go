package http

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestCustomerLinks(t *testing.T) {
	store := backends(t)["sqlite"](t)
	db, _ := OpenDB(t.Context(), store)
	ctx := context.Background()
	now := time.Now()
	clock := func() time.Time { return now }
	l, err := newLinkSigner(ctx, db, "", clock)
	if err != nil {
		t.Fatal(err)
	}
	again, err := newLinkSigner(ctx, db, "", clock)
	if err != nil || string(again.secret) != string(l.secret) {
		t.Fatalf("the generated secret must be stored and reused: %v", err)
	}
	claim := linkClaim{Cycle: uuid.New(), Employee: uuid.New(), Request: uuid.New()}
	tok := l.sign(claim, now.Add(time.Hour))
	if got, err := l.open(ctx, tok); err != nil || got != claim {
		t.Fatalf("open: %+v %v", got, err)
	}
	refused := func(name, token string) {
		t.Helper()
		if _, err := l.open(ctx, token); !errors.Is(err, errLink) {
			t.Errorf("%s: %v", name, err)
		}
	}
	refused("tampered", tok[:len(tok)-2]+"xx")
	refused("garbage", "abc")
	other, _ := newLinkSigner(ctx, db, "another-secret-0123456789", clock)
	forged := other.sign(claim, now.Add(time.Hour))
	refused("signed with another secret", forged)
	if err := l.markUsed(ctx, claim.Request); err != nil {
		t.Fatal(err)
	}
	refused("used", tok)
	late := l.sign(linkClaim{Cycle: claim.Cycle, Employee: claim.Employee, Request: uuid.New()}, now.Add(time.Hour))
	now = now.Add(2 * time.Hour)
	refused("expired", late)
}
