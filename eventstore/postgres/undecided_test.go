package postgres_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/appraisal-hr/appraisal/eventstore"
	"github.com/appraisal-hr/appraisal/eventstore/eventstoretest"
	"github.com/appraisal-hr/appraisal/eventstore/postgres"
)

// failFirst returns a fault that fails its first n calls with err.
func failFirst(n int32, err error) func() error {
	var calls atomic.Int32
	return func() error {
		if calls.Add(1) <= n {
			return err
		}
		return nil
	}
}

// streamsInLog reads the whole log and returns its streams in order.
func streamsInLog(t *testing.T, s eventstore.Store) []string {
	t.Helper()
	events, err := s.ReadAll(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range events {
		out = append(out, e.StreamID)
	}
	return out
}

// A commit that happened but whose answer was lost with the connection is
// an accepted append: it is reported with its position, not as a failure
// (its caller's retry would be refused as stale), on the path a writer
// takes at start (head read under the lock) and on its one-round-trip path.
func TestCommitWhoseAnswerIsLostSucceeds(t *testing.T) {
	ctx := context.Background()
	s := eventstoretest.NewPostgres(t)
	lost := errors.New("test: connection lost after the commit")
	postgres.SetCommitFault(s, nil, failFirst(2, lost))
	for i, stream := range []string{"a-1", "a-2", "a-3"} {
		res, err := s.Append(ctx, stream, eventstore.NoStream, event())
		if err != nil {
			t.Fatalf("append %d: %v, want the commit found and reported", i+1, err)
		}
		if res.FirstPosition != int64(i+1) {
			t.Fatalf("append %d at position %d, want %d", i+1, res.FirstPosition, i+1)
		}
	}
	if got := strings.Join(streamsInLog(t, s), ","); got != "a-1,a-2,a-3" {
		t.Fatalf("log holds %s, want a-1,a-2,a-3 once each", got)
	}
	if rep, err := s.Verify(ctx); err != nil || !rep.OK {
		t.Fatalf("verify: %+v, %v", rep, err)
	}
}

// A commit lost before it reached the server wrote nothing: the append
// fails with the cause, and the next one takes position 1.
func TestCommitLostBeforeSendingFails(t *testing.T) {
	ctx := context.Background()
	s := eventstoretest.NewPostgres(t)
	lost := errors.New("test: connection lost before the commit")
	postgres.SetCommitFault(s, failFirst(1, lost), nil)
	if _, err := s.Append(ctx, "b-1", eventstore.NoStream, event()); !errors.Is(err, lost) {
		t.Fatalf("append error = %v, want the lost connection", err)
	}
	if got := streamsInLog(t, s); len(got) != 0 {
		t.Fatalf("log holds %v after a failed append, want nothing", got)
	}
	res, err := s.Append(ctx, "b-1", eventstore.NoStream, event())
	if err != nil || res.FirstPosition != 1 {
		t.Fatalf("retry: %+v, %v; want position 1", res, err)
	}
}

// The server process ending in the middle of a group (a FATAL, not an
// ERROR: the client cannot tell how far it got) is settled against the log:
// nothing was written, so the append fails and the store goes on.
func TestServerProcessEndedMidCommitFails(t *testing.T) {
	ctx := context.Background()
	s := eventstoretest.NewPostgres(t)
	for _, q := range []string{
		`CREATE FUNCTION end_own_process() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				IF NEW.stream_id LIKE 'doomed-%' THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;
				RETURN NEW;
			END $$`,
		`CREATE TRIGGER end_own_process BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION end_own_process()`,
	} {
		if _, err := s.Pool().Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Append(ctx, "doomed-1", eventstore.NoStream, event()); err == nil {
		t.Fatal("an append whose server process ended succeeded")
	}
	if got := streamsInLog(t, s); len(got) != 0 {
		t.Fatalf("log holds %v, want nothing", got)
	}
	for i, stream := range []string{"c-1", "c-2"} {
		res, err := s.Append(ctx, stream, eventstore.NoStream, event())
		if err != nil || res.FirstPosition != int64(i+1) {
			t.Fatalf("append %s: %+v, %v; want position %d", stream, res, err, i+1)
		}
	}
	if rep, err := s.Verify(ctx); err != nil || !rep.OK {
		t.Fatalf("verify: %+v, %v", rep, err)
	}
}
