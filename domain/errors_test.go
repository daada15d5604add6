package domain_test

import (
	"errors"
	"testing"

	"github.com/appraisal-hr/appraisal/domain"
)

// Every typed error says what went wrong in a sentence and unwraps to the
// one sentinel the HTTP layer maps.
func TestTypedErrorsReadAndUnwrap(t *testing.T) {
	for _, c := range []struct {
		err      error
		sentinel error
		message  string
	}{
		{&domain.ValidationError{Fields: []domain.FieldError{{Field: "name", Problem: "is required"}, {Field: "reason", Problem: "is too long"}}},
			domain.ErrValidation, "validation failed: name: is required; reason: is too long"},
		{&domain.StateError{Action: "publish", State: "review", Allowed: []string{"approval"}},
			domain.ErrWrongState, "publish is not allowed in state review (allowed in: approval)"},
		{&domain.StateError{Action: "appeal", State: "expired"}, domain.ErrWrongState, "appeal is not allowed in state expired"},
		{&domain.BlockedError{Action: "close", Reasons: []string{"an appeal is open", "the window runs"}},
			domain.ErrWrongState, "close is blocked: an appeal is open; the window runs"},
		{&domain.ForbiddenError{Action: domain.ActCalibrate, Role: domain.RoleManager}, domain.ErrForbidden, `role "manager" may not calibrate scores`},
		{&domain.NotFoundError{Kind: "goal", ID: "g1"}, domain.ErrNotFound, `goal "g1" not found`},
		{&domain.ConflictError{Reason: "already submitted"}, domain.ErrConflict, "conflict: already submitted"},
		{&domain.VersionError{Stream: "organisation", Expected: 3, Actual: 5}, domain.ErrConflict, "the resource is at version 5, not 3"},
	} {
		if c.err.Error() != c.message {
			t.Errorf("%T says %q, want %q", c.err, c.err.Error(), c.message)
		}
		if !errors.Is(c.err, c.sentinel) {
			t.Errorf("%T does not unwrap to %v", c.err, c.sentinel)
		}
	}
}
