package domain

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Sentinel errors callers test with errors.Is. The HTTP layer maps each to one
// problem type and status; the typed errors below unwrap to them so that the
// mapping never needs to know the details.
var (
	// ErrValidation: the command's input is malformed or out of range.
	ErrValidation = errors.New("validation failed")
	// ErrWrongState: the aggregate is not in a state that allows the command.
	ErrWrongState = errors.New("not allowed in the current state")
	// ErrForbidden: the actor's role or relationship does not allow the command.
	ErrForbidden = errors.New("forbidden")
	// ErrNotFound: the aggregate or an entity it references does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the stream moved on since it was read (a stale If-Match or a
	// concurrent writer), or the command would duplicate an existing entity.
	ErrConflict = errors.New("conflict")
	// ErrMovedOn: a stream a command decided on (Meta.Requires) changed
	// before its events were appended; nothing was written. It is a
	// conflict: deciding again on the state as it is now may succeed.
	ErrMovedOn = fmt.Errorf("%w: what the command read has changed", ErrConflict)
)

// FieldError is one bad input field. Field is a JSON-style path
// ("scores[2].score"), Problem a short sentence a user can act on.
type FieldError struct {
	Field   string `json:"field"`
	Problem string `json:"problem"`
}

// ValidationError lists every bad field of one command at once, so a form can
// show them all instead of failing one by one.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Problem
	}
	return "validation failed: " + strings.Join(parts, "; ")
}

// Unwrap makes errors.Is(err, ErrValidation) true.
func (e *ValidationError) Unwrap() error { return ErrValidation }

// problems collects field errors while a command checks its input.
type problems struct{ fields []FieldError }

// add records a bad field; the message is formatted like fmt.Sprintf.
func (p *problems) add(field, format string, args ...any) {
	p.fields = append(p.fields, FieldError{Field: field, Problem: fmt.Sprintf(format, args...)})
}

// check records a bad field when ok is false.
func (p *problems) check(ok bool, field, format string, args ...any) {
	if !ok {
		p.add(field, format, args...)
	}
}

// err returns a *ValidationError with the fields sorted by name (stable
// output for clients and tests), or nil when nothing was wrong.
func (p *problems) err() error {
	if len(p.fields) == 0 {
		return nil
	}
	fields := append([]FieldError(nil), p.fields...)
	sort.SliceStable(fields, func(i, j int) bool { return fields[i].Field < fields[j].Field })
	return &ValidationError{Fields: fields}
}

// StateError says which state refused a command and which states would have
// allowed it.
type StateError struct {
	Action  string
	State   string
	Allowed []string
}

func (e *StateError) Error() string {
	if len(e.Allowed) == 0 {
		return fmt.Sprintf("%s is not allowed in state %s", e.Action, e.State)
	}
	return fmt.Sprintf("%s is not allowed in state %s (allowed in: %s)", e.Action, e.State, strings.Join(e.Allowed, ", "))
}

// Unwrap makes errors.Is(err, ErrWrongState) true.
func (e *StateError) Unwrap() error { return ErrWrongState }

// ForbiddenError names the action and role that were refused. It never says
// whether the target exists, so a denial leaks nothing (SPEC §13).
type ForbiddenError struct {
	Action Action
	Role   Role
}

func (e *ForbiddenError) Error() string {
	return fmt.Sprintf("role %q may not %s", e.Role, e.Action)
}

// Unwrap makes errors.Is(err, ErrForbidden) true.
func (e *ForbiddenError) Unwrap() error { return ErrForbidden }

// NotFoundError names the kind and id of what was not found.
type NotFoundError struct {
	Kind string
	ID   string
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("%s %q not found", e.Kind, e.ID) }

// Unwrap makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// ConflictError explains a conflict that is not a version race, e.g. a
// duplicate id or an evaluation already submitted.
type ConflictError struct {
	Reason string
}

func (e *ConflictError) Error() string { return "conflict: " + e.Reason }

// Unwrap makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// BlockedError says why a step (approval, publication, close) cannot happen
// yet: the cycle is in the right state but a business condition is unmet.
// It unwraps to ErrWrongState because the remedy is the same: act first on
// the reasons listed, then retry.
type BlockedError struct {
	Action  string
	Reasons []string
}

func (e *BlockedError) Error() string {
	return fmt.Sprintf("%s is blocked: %s", e.Action, strings.Join(e.Reasons, "; "))
}

// Unwrap makes errors.Is(err, ErrWrongState) true.
func (e *BlockedError) Unwrap() error { return ErrWrongState }
