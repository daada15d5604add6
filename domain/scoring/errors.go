package scoring

import (
	"errors"
	"strings"
)

// Sentinel errors; a *ValidationError unwraps to one of them.
var (
	// ErrInvalidTemplate: a template breaks a rule of SPEC §3.
	ErrInvalidTemplate = errors.New("invalid template")
	// ErrInvalidPolicy: a policy is inconsistent (bands, weights, rules).
	ErrInvalidPolicy = errors.New("invalid policy")
	// ErrInvalidInput: the facts given to Compute contradict each other or the
	// template; the domain's command validation should have refused them.
	ErrInvalidInput = errors.New("invalid scoring input")
)

// Problem is one thing wrong with a value, named by a field path such as
// "dimensions[0].criteria[2].weight".
type Problem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError lists every problem found at once, so that a caller can
// fix them all in one go. errors.Is(err, ErrInvalidTemplate) and the like work.
type ValidationError struct {
	Kind     error     `json:"-"`
	Problems []Problem `json:"problems"`
}

// Error joins the problems into one line.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.Error())
	for i, p := range e.Problems {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(p.Field)
		b.WriteString(": ")
		b.WriteString(p.Message)
	}
	return b.String()
}

// Unwrap returns the sentinel kind.
func (e *ValidationError) Unwrap() error { return e.Kind }

// problems collects Problems for one ValidationError.
type problems struct {
	kind error
	list []Problem
}

func (p *problems) add(field, message string) {
	p.list = append(p.list, Problem{Field: field, Message: message})
}

// err is nil when nothing was added.
func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	return &ValidationError{Kind: p.kind, Problems: p.list}
}
