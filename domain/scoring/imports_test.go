package scoring

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsNoInfrastructure keeps the engine pure (STYLE.md 1): non-test
// files import only the standard library, uuid and decimal.
func TestImportsNoInfrastructure(t *testing.T) {
	allowed := map[string]bool{"github.com/google/uuid": true, "github.com/shopspring/decimal": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			// Standard library paths have no dot in their first element.
			if first, _, _ := strings.Cut(path, "/"); strings.Contains(first, ".") && !allowed[path] {
				t.Errorf("%s imports %s; the scoring engine may import only the standard library, uuid and decimal", name, path)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no Go files found")
	}
}
