package http

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestCustomerLinks(t *testing.T) {
	store := backends(t)["sqlite"](t)
	db, _ := OpenDB(store)
	ctx := context.Background()
	now := time.Now()
	clock := func() time.Time { return now }
	l, err := newLinkSigner(ctx, db, "", time.Hour, clock)
	if err != nil {
		t.Fatal(err)
	}
	again, err := newLinkSigner(ctx, db, "", time.Hour, clock)
	if err != nil || string(again.secret) != string(l.secret) {
		t.Fatalf("the generated secret must be stored and reused: %v", err)
	}
	tok, _ := l.sign("req-1")
	if id, err := l.open(ctx, tok); err != nil || id != "req-1" {
		t.Fatalf("open: %q %v", id, err)
	}
	refused := func(name, token string) {
		t.Helper()
		if _, err := l.open(ctx, token); !errors.Is(err, errLink) {
			t.Errorf("%s: %v", name, err)
		}
	}
	refused("tampered", tok[:len(tok)-2]+"xx")
	refused("garbage", "abc")
	other, _ := newLinkSigner(ctx, db, "another-secret-0123456789", time.Hour, clock)
	forged, _ := other.sign("req-1")
	refused("signed with another secret", forged)
	if err := l.markUsed(ctx, "req-1"); err != nil {
		t.Fatal(err)
	}
	refused("used", tok)
	late, _ := l.sign("req-2")
	now = now.Add(2 * time.Hour)
	refused("expired", late)
}
