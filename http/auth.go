package http

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/appraisal-hr/appraisal/domain"
)

// TokenRoles are the roles a bearer token can carry. A person's token
// ("employee") acts as employee, manager, unit head or peer depending on the
// route and the relationships the domain checks; HR and auditor are offices
// held by a token, not relationships.
var TokenRoles = []domain.Role{domain.RoleEmployee, domain.RoleHR, domain.RoleAuditor}

// BootstrapActorID is the actor id of the bootstrap HR token, which exists
// before any employee does; events it causes carry this id.
var BootstrapActorID = uuid.MustParse("00000000-0000-4000-8000-00000000b001")

// ErrBadTokenRole is returned when issuing a token with a role no token holds.
var ErrBadTokenRole = errors.New("token role must be employee, hr or auditor")

const tokenPrefix = "apr_"

// principal is the authenticated caller. Role is the credential's role; a
// person (RoleEmployee) acts in the role each route asks for.
type principal struct {
	ID   uuid.UUID
	Role domain.Role
}

const principalKey = "appraisal.principal"

func principalOf(c echo.Context) (principal, bool) {
	p, ok := c.Get(principalKey).(principal)
	return p, ok
}

// authenticator checks bearer tokens against their stored SHA-256 hashes; the
// tokens themselves are never stored. A token of an employee who has left
// the company is refused like a revoked one. Lookups are remembered for
// tokenCacheTTL so that a busy client costs one query per TTL, not one per
// request; the price is that a token revoked, or whose employee left, in
// another process keeps working here for at most that long.
type authenticator struct {
	db  *sql.DB
	now func() time.Time
	// left tells whether an employee of the organisation has left it
	// (false for ids it does not know, such as the bootstrap actor).
	left func(ctx context.Context, id uuid.UUID) (bool, error)

	mu    sync.Mutex
	cache map[tokenSum]cachedToken
}

// tokenSum is a token's SHA-256: the cache's key (the hex of it is what
// the table stores, needed only to query it).
type tokenSum [sha256.Size]byte

// sumToken hashes a token without copying it to the heap first (a []byte
// conversion of a token of more than 32 bytes, as ours are, allocates).
func sumToken(token string) tokenSum {
	var room [128]byte
	return sha256.Sum256(append(room[:0], token...))
}

// tokenCacheTTL bounds how stale a remembered token lookup may be.
const tokenCacheTTL = 10 * time.Second

type cachedToken struct {
	p       principal
	expires sql.NullInt64 // the token's own expiry, unix ms
	fetched time.Time
}

// bearer authenticates the request or refuses it with 401.
func (a *authenticator) bearer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get("Authorization")
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			return newProblem(kindUnauthenticated, "send Authorization: Bearer <token>")
		}
		p, err := a.lookup(c.Request().Context(), strings.TrimSpace(token))
		if err != nil {
			return err
		}
		c.Set(principalKey, p)
		return next(c)
	}
}

func (a *authenticator) lookup(ctx context.Context, token string) (principal, error) {
	sum := sumToken(token)
	now := a.now()
	a.mu.Lock()
	c, ok := a.cache[sum]
	a.mu.Unlock()
	if !ok || now.Sub(c.fetched) > tokenCacheTTL {
		var err error
		if c, err = a.fetch(ctx, hex.EncodeToString(sum[:])); err != nil {
			return principal{}, err
		}
		c.fetched = now
		a.mu.Lock()
		if a.cache == nil || len(a.cache) > 10000 {
			a.cache = map[tokenSum]cachedToken{} // bounded: start over rather than grow
		}
		a.cache[sum] = c
		a.mu.Unlock()
	}
	if c.expires.Valid && now.UnixMilli() >= c.expires.Int64 {
		return principal{}, newProblem(kindUnauthenticated, "the token has expired")
	}
	return c.p, nil
}

func (a *authenticator) fetch(ctx context.Context, hash string) (cachedToken, error) {
	var id, role string
	var c cachedToken
	err := a.db.QueryRowContext(ctx,
		`SELECT employee_id, role, expires_at FROM http_tokens WHERE token_hash = $1 AND revoked_at IS NULL`,
		hash).Scan(&id, &role, &c.expires)
	if errors.Is(err, sql.ErrNoRows) {
		return c, newProblem(kindUnauthenticated, "unknown or revoked token")
	}
	if err != nil {
		return c, fmt.Errorf("look up token: %w", err)
	}
	uid, err := uuid.Parse(id)
	if err != nil {
		return c, fmt.Errorf("stored token has a malformed employee id: %w", err)
	}
	if a.left != nil {
		gone, err := a.left(ctx, uid)
		if err != nil {
			return c, fmt.Errorf("look up token: %w", err)
		}
		if gone {
			return c, newProblem(kindUnauthenticated, "the token's holder has left the company")
		}
	}
	c.p = principal{ID: uid, Role: domain.Role(role)}
	return c, nil
}

func hashToken(token string) string {
	sum := sumToken(token)
	return hex.EncodeToString(sum[:])
}

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// TokenRequest describes a token to issue.
type TokenRequest struct {
	EmployeeID uuid.UUID
	Role       domain.Role
	IssuedBy   string
	TTL        time.Duration // 0: no expiry
}

// IssueToken creates a bearer token and stores only its hash. The token is
// returned once; it cannot be read back later.
func IssueToken(ctx context.Context, db *sql.DB, req TokenRequest, now time.Time) (string, error) {
	if !validTokenRole(req.Role) {
		return "", fmt.Errorf("issue token for %s: %w", req.EmployeeID, ErrBadTokenRole)
	}
	token := newToken()
	var expires sql.NullInt64
	if req.TTL > 0 {
		expires = sql.NullInt64{Int64: now.Add(req.TTL).UnixMilli(), Valid: true}
	}
	_, err := db.ExecContext(ctx,
		`INSERT INTO http_tokens (token_hash, employee_id, role, issued_by, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		hashToken(token), req.EmployeeID.String(), string(req.Role), req.IssuedBy, now.UnixMilli(), expires)
	if err != nil {
		return "", fmt.Errorf("store token for %s: %w", req.EmployeeID, err)
	}
	return token, nil
}

func validTokenRole(r domain.Role) bool {
	for _, ok := range TokenRoles {
		if r == ok {
			return true
		}
	}
	return false
}

// EnsureBootstrapToken gives a new installation its first HR token. On a
// database that has never held a token it stores given (or a generated token
// when given is empty) and returns it with created true; afterwards it does
// nothing, so a generated token is shown exactly once.
func EnsureBootstrapToken(ctx context.Context, db *sql.DB, given string, now time.Time) (token string, created bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return "", false, fmt.Errorf("bootstrap token: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	// The marker row makes "first start" a fact of the database, not of the
	// token table, so revoking every token never re-creates the bootstrap.
	res, err := tx.ExecContext(ctx,
		`INSERT INTO http_secrets (name, value, created_at) VALUES ('bootstrap', 'issued', $1) ON CONFLICT (name) DO NOTHING`, now.UnixMilli())
	if err != nil {
		return "", false, fmt.Errorf("bootstrap token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", false, nil
	}
	token = given
	if token == "" {
		token = newToken()
	}
	_, err = tx.ExecContext(ctx,
		`INSERT INTO http_tokens (token_hash, employee_id, role, issued_by, issued_at) VALUES ($1, $2, $3, $4, $5)`,
		hashToken(token), BootstrapActorID.String(), string(domain.RoleHR), "bootstrap", now.UnixMilli())
	if err != nil {
		return "", false, fmt.Errorf("bootstrap token: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return "", false, fmt.Errorf("bootstrap token: %w", err)
	}
	return token, true, nil
}

// RevokeTokens ends every live token of an employee and says how many.
func RevokeTokens(ctx context.Context, db *sql.DB, employee uuid.UUID, now time.Time) (int64, error) {
	res, err := db.ExecContext(ctx, `UPDATE http_tokens SET revoked_at = $1 WHERE employee_id = $2 AND revoked_at IS NULL`,
		now.UnixMilli(), employee.String())
	if err != nil {
		return 0, fmt.Errorf("revoke tokens of %s: %w", employee, err)
	}
	return res.RowsAffected()
}

// forget drops every remembered lookup, so a revocation in this process
// takes effect on the next request.
func (a *authenticator) forget() {
	a.mu.Lock()
	a.cache = nil
	a.mu.Unlock()
}
