package http

import (
	"context"
	"fmt"
	nethttp "net/http"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/appraisal-hr/appraisal/domain"
	"github.com/appraisal-hr/appraisal/eventstore"
)

func TestProblemMapping(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("cycle-1234 handling: %w", err) }
	cases := []struct {
		err    error
		status int
		slug   string
		detail string
	}{
		{wrap(&domain.ValidationError{Fields: []domain.FieldError{{Field: "name", Problem: "is required"}}}), 422, "validation", "1 invalid field(s)"},
		{wrap(&domain.StateError{Action: "publish", State: "draft"}), 409, "wrong-state", "publish is not allowed in state draft"},
		{wrap(&domain.BlockedError{Action: "approval", Reasons: []string{"unit over budget"}}), 409, "blocked", "approval is blocked: unit over budget"},
		{wrap(&domain.ForbiddenError{Action: domain.ActPublish, Role: domain.RoleEmployee}), 403, "forbidden", `role "employee" may not publish or close a cycle`},
		{wrap(&domain.NotFoundError{Kind: "cycle", ID: "x"}), 404, "not-found", ""},
		{wrap(&domain.ConflictError{Reason: "already submitted"}), 409, "conflict", "conflict: already submitted"},
		{wrap(&eventstore.ConflictError{Stream: "s", Expected: 2, Actual: 3}), 409, "conflict", "the resource is at version 3, not 2; read it again"},
		{wrap(&domain.VersionError{Stream: "s", Expected: 2, Actual: 3}), 412, "precondition-failed", "the resource is at version 3, not 2"},
		{wrap(context.DeadlineExceeded), 503, "timeout", ""},
		{&nethttp.MaxBytesError{Limit: 10}, 413, "payload-too-large", "at most 10 bytes"},
		{echo.ErrMethodNotAllowed, 405, "method-not-allowed", ""},
		{fmt.Errorf("disk on fire"), 500, "internal", ""},
	}
	for _, tc := range cases {
		p := problemFor(tc.err)
		if p.Status != tc.status || p.Type != problemTypePrefix+tc.slug || p.Detail != tc.detail {
			t.Errorf("%v → %d %s %q, want %d %s %q", tc.err, p.Status, p.Type, p.Detail, tc.status, tc.slug, tc.detail)
		}
	}
	if p := problemFor(&domain.ValidationError{Fields: []domain.FieldError{{Field: "a", Problem: "x"}, {Field: "b", Problem: "y"}}}); len(p.Errors) != 2 {
		t.Errorf("every bad field is listed: %+v", p.Errors)
	}
}
