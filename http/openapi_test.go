package http

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite openapi.json from the route table")

// TestOpenAPIDocument: the committed document is exactly what the route
// table generates, every registered echo route is documented, and every
// documented route is registered.
func TestOpenAPIDocument(t *testing.T) {
	h := newHarness(t, backends(t)["sqlite"](t), nil)
	got, err := generateOpenAPI(h.srv.table())
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("openapi.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
	} else if !bytes.Equal(got, openapiJSON) {
		t.Fatalf("openapi.json is stale: run go test ./http -run TestOpenAPIDocument -update")
	}

	registered := map[string]bool{}
	for _, r := range h.srv.echo.Routes() {
		registered[r.Method+" "+openapiPath(r.Path)] = true
	}
	documented := documentedOperations(t, got)
	for op := range registered {
		if !documented[op] {
			t.Errorf("route %s is not in the OpenAPI document", op)
		}
	}
	for op := range documented {
		if !registered[op] {
			t.Errorf("documented %s is not a registered route", op)
		}
	}
}

func documentedOperations(t *testing.T, doc []byte) map[string]bool {
	t.Helper()
	var d struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for p, ops := range d.Paths {
		for m := range ops {
			out[strings.ToUpper(m)+" "+p] = true
		}
	}
	return out
}
