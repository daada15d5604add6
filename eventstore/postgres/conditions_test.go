package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/eventstore/eventstoretest"
)

// Appends queued behind a slow one go in one group commit. Most of them name
// the same stream at the same version (each condition is checked once for
// the group), one names it at a version it is not at: the group is refused
// as a whole, then each member is committed on its own, so only that one
// fails, with the conflict it would have met alone.
func TestGroupSharingAConditionRefusesOnlyTheStaleMember(t *testing.T) {
	ctx := context.Background()
	s := eventstoretest.NewPostgres(t)
	if _, err := s.Append(ctx, "org", eventstore.NoStream, event()); err != nil {
		t.Fatal(err)
	}
	eventstoretest.PostgresBackend().DelayAppends(t, s, 400*time.Millisecond)
	slow := make(chan error, 1)
	go func() {
		_, err := s.Append(ctx, "slow-1", eventstore.NoStream, event())
		slow <- err
	}()
	time.Sleep(100 * time.Millisecond) // the slow append holds the writer; the rest queue
	const members = 9
	stale := 4 // expects org at version 2; org is at 1
	var wg sync.WaitGroup
	errs := make([]error, members)
	for i := range members {
		version := int64(1)
		if i == stale {
			version = 2
		}
		wg.Go(func() {
			_, errs[i] = s.AppendIf(ctx, fmt.Sprintf("review-%d", i), eventstore.NoStream, event(),
				[]eventstore.Condition{{Stream: "org", Version: version}, {Stream: "cycle", Version: 0}})
		})
	}
	wg.Wait()
	if err := <-slow; err != nil {
		t.Fatal(err)
	}
	for i, err := range errs {
		var ce *eventstore.ConflictError
		if i == stale {
			if !errors.As(err, &ce) || ce.Stream != "org" || ce.Actual != 1 || ce.Expected != 2 {
				t.Errorf("the stale member: %v, want a conflict on org at 1, not 2", err)
			}
		} else if err != nil {
			t.Errorf("member %d, whose conditions hold: %v", i, err)
		}
	}
	head, err := s.Head(ctx)
	if err != nil || head != 1+1+members-1 {
		t.Fatalf("head %d (%v), want %d: org, the slow append and every member but one", head, err, 1+1+members-1)
	}
}
