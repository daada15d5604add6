package domain_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The business must read in domain alone (STYLE 1): its packages import the
// standard library, uuid, decimal and each other, and no standard-library
// package that reaches outside the process either.
func TestDomainImportsNoInfrastructure(t *testing.T) {
	allowed := map[string]bool{
		"github.com/google/uuid":                           true,
		"github.com/shopspring/decimal":                    true,
		"github.com/appraisal-hr/appraisal/domain":         true,
		"github.com/appraisal-hr/appraisal/domain/scoring": true,
	}
	forbiddenStd := []string{"net", "database", "os/exec", "syscall", "plugin", "log"}
	for _, dir := range []string{".", "scoring"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				std := !strings.Contains(strings.SplitN(path, "/", 2)[0], ".")
				if std {
					for _, bad := range forbiddenStd {
						if path == bad || strings.HasPrefix(path, bad+"/") {
							t.Errorf("%s imports %s, which reaches outside the process", name, path)
						}
					}
					continue
				}
				if !allowed[path] {
					t.Errorf("%s imports %s; domain may import only the standard library, uuid and decimal", name, path)
				}
			}
		}
	}
}
