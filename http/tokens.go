package http

import (
	nethttp "net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/appraisal-hr/appraisal/domain"
)

// TokenBody asks for a token for the employee in the path.
type TokenBody struct {
	Role     domain.Role `json:"role"`
	TTLHours int         `json:"ttl_hours"` // 0: no expiry
}

// IssuedToken is shown once; only its hash is kept.
type IssuedToken struct {
	Token     string      `json:"token"`
	Role      domain.Role `json:"role"`
	ExpiresAt *time.Time  `json:"expires_at,omitempty"`
}

// issueToken lets HR give a current employee a token (SPEC §13: people
// management is HR's).
func (s *Server) issueToken(c echo.Context) error {
	id, err := pathID(c, "employee")
	if err != nil {
		return err
	}
	actor, err := authorize(c, domain.ActManageOrganisation, domain.Target{})
	if err != nil {
		return err
	}
	var b TokenBody
	if err := decodeJSON(c.Request(), &b); err != nil {
		return err
	}
	var bad []FieldProblem
	if !validTokenRole(b.Role) {
		bad = append(bad, FieldProblem{"role", "must be employee, hr or auditor"})
	}
	if b.TTLHours < 0 || b.TTLHours > 24*366 {
		bad = append(bad, FieldProblem{"ttl_hours", "must be between 0 (no expiry) and 8784"})
	}
	if len(bad) > 0 {
		return fieldsProblem(kindValidation, bad)
	}
	ctx := c.Request().Context()
	org, _, err := s.deps.App.Organisation(ctx)
	if err != nil {
		return err
	}
	if e, ok := org.Employee(id); !ok || !e.Active {
		return newProblem(kindNotFound, "no current employee with this id")
	}
	now := s.deps.Now()
	ttl := time.Duration(b.TTLHours) * time.Hour
	token, err := IssueToken(ctx, s.deps.DB, TokenRequest{EmployeeID: id, Role: b.Role, IssuedBy: actor.ID.String(), TTL: ttl}, now)
	if err != nil {
		return err
	}
	out := IssuedToken{Token: token, Role: b.Role}
	if ttl > 0 {
		exp := now.Add(ttl).UTC()
		out.ExpiresAt = &exp
	}
	return c.JSON(nethttp.StatusCreated, out)
}

// Revoked says how many tokens a revocation ended.
type Revoked struct {
	Revoked int64 `json:"revoked"`
}

// revokeTokens lets HR end every token of an employee (a leaver, a lost
// laptop). Other processes may accept a revoked token for up to
// tokenCacheTTL; this one forgets them at once.
func (s *Server) revokeTokens(c echo.Context) error {
	id, err := pathID(c, "employee")
	if err != nil {
		return err
	}
	if _, err := authorize(c, domain.ActManageOrganisation, domain.Target{}); err != nil {
		return err
	}
	n, err := RevokeTokens(c.Request().Context(), s.deps.DB, id, s.deps.Now())
	if err != nil {
		return err
	}
	s.auth.forget()
	return c.JSON(nethttp.StatusOK, Revoked{Revoked: n})
}
