package http

import (
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite openapi.json from the route table")

// TestOpenAPIDocument: every registered echo route is in the committed
// document and every documented route is registered; the committed
// document's operations (paths, methods, parameters, bodies, responses) and
// schema names are what the route table generates. A field added to a type
// in another package changes only a schema's properties: that does not fail
// the build, and -update brings the file up to date.
func TestOpenAPIDocument(t *testing.T) {
	h := newHarness(t, backends(t)["sqlite"](t), nil)
	got, err := generateOpenAPI(h.srv.table())
	if err != nil {
		t.Fatal(err)
	}
	committed := openapiJSON
	if *update {
		if err := os.WriteFile("openapi.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
		committed = got
	}
	stale := "openapi.json is stale: run go test ./http -run TestOpenAPIDocument -update"
	var want, have openapiDoc
	if json.Unmarshal(got, &want) != nil || json.Unmarshal(committed, &have) != nil {
		t.Fatal("openapi.json is not JSON")
	}
	if !reflect.DeepEqual(want.Paths, have.Paths) {
		t.Fatal(stale + " (operations differ)")
	}
	if !reflect.DeepEqual(schemaNames(want), schemaNames(have)) {
		t.Fatal(stale + " (schema names differ)")
	}

	registered := map[string]bool{}
	for _, r := range h.srv.echo.Routes() {
		registered[r.Method+" "+openapiPath(r.Path)] = true
	}
	documented := documentedOperations(t, committed)
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

type openapiDoc struct {
	Paths      map[string]any `json:"paths"`
	Components struct {
		Schemas map[string]any `json:"schemas"`
	} `json:"components"`
}

func schemaNames(d openapiDoc) []string {
	names := make([]string, 0, len(d.Components.Schemas))
	for n := range d.Components.Schemas {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
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
