package postgres_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/appraisal-hr/appraisal/eventstore/eventstoretest"
	"github.com/appraisal-hr/appraisal/eventstore/postgres"
)

// A search_path naming no existing schema is refused at Open with a message
// that says so, not the driver's NULL scan error.
func TestOpenRefusesMissingSchema(t *testing.T) {
	u, err := url.Parse(eventstoretest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", "appraisal_no_such_schema")
	u.RawQuery = q.Encode()
	s, err := postgres.Open(context.Background(), u.String(), postgres.Options{})
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded on a search_path with no existing schema")
	}
	if !strings.Contains(err.Error(), "no schema of the search_path exists") {
		t.Fatalf("Open error = %v, want it to name the missing schema", err)
	}
}
