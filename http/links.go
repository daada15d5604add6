package http

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// linkSigner makes and checks the single-use links customers answer through.
// A link is "<claim>.<expiry unix seconds>.<HMAC-SHA256>" in base64url, the
// claim being the cycle, employee and feedback-request ids: nothing is stored
// when it is issued, and it opens only that one request, so it reveals
// nothing else. Use is recorded in http_used_links.
type linkSigner struct {
	db     *sql.DB
	secret []byte
	now    func() time.Time
}

// errLink is every reason a link does not work; the client learns no more
// than "invalid, expired or used", on purpose.
var errLink = newProblem(kindLinkInvalid, "ask the sender for a new link")

func newLinkSigner(ctx context.Context, db *sql.DB, secret string, now func() time.Time) (*linkSigner, error) {
	if secret == "" {
		var err error
		if secret, err = storedSecret(ctx, db, "link", now()); err != nil {
			return nil, err
		}
	}
	return &linkSigner{db: db, secret: []byte(secret), now: now}, nil
}

// storedSecret returns the named secret, generating and storing it the first
// time; concurrent first starts agree on one value.
func storedSecret(ctx context.Context, db *sql.DB, name string, now time.Time) (string, error) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	if _, err := db.ExecContext(ctx,
		`INSERT INTO http_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`,
		name, hex.EncodeToString(b), now.UnixMilli()); err != nil {
		return "", fmt.Errorf("store %s secret: %w", name, err)
	}
	var v string
	if err := db.QueryRowContext(ctx, `SELECT value FROM http_secrets WHERE name = $1`, name).Scan(&v); err != nil {
		return "", fmt.Errorf("read %s secret: %w", name, err)
	}
	return v, nil
}

// linkClaim is what a link opens: one feedback request on one review.
type linkClaim struct {
	Cycle, Employee, Request uuid.UUID
}

// sign returns the link token for a customer feedback request.
func (l *linkSigner) sign(claim linkClaim, expires time.Time) string {
	raw := make([]byte, 0, 48)
	raw = append(append(append(raw, claim.Cycle[:]...), claim.Employee[:]...), claim.Request[:]...)
	body := base64.RawURLEncoding.EncodeToString(raw) + "." + strconv.FormatInt(expires.Unix(), 10)
	return body + "." + l.mac(body)
}

func (l *linkSigner) mac(body string) string {
	m := hmac.New(sha256.New, l.secret)
	m.Write([]byte(body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// open checks a link's signature, expiry and that it was not used, and
// returns the feedback request it names.
func (l *linkSigner) open(ctx context.Context, token string) (linkClaim, error) {
	enc, rest, ok1 := strings.Cut(token, ".")
	exp, sig, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || !hmac.Equal([]byte(sig), []byte(l.mac(enc+"."+exp))) {
		return linkClaim{}, errLink
	}
	unix, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || l.now().Unix() >= unix {
		return linkClaim{}, errLink
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || len(raw) != 48 {
		return linkClaim{}, errLink
	}
	var claim linkClaim
	copy(claim.Cycle[:], raw[:16])
	copy(claim.Employee[:], raw[16:32])
	copy(claim.Request[:], raw[32:])
	var used int
	err = l.db.QueryRowContext(ctx, `SELECT 1 FROM http_used_links WHERE request_id = $1`, claim.Request.String()).Scan(&used)
	switch {
	case err == nil:
		return linkClaim{}, errLink
	case !errors.Is(err, sql.ErrNoRows):
		return linkClaim{}, fmt.Errorf("check link use: %w", err)
	}
	return claim, nil
}

// markUsed records that the request's link answered; later uses fail.
func (l *linkSigner) markUsed(ctx context.Context, requestID uuid.UUID) error {
	_, err := l.db.ExecContext(ctx,
		`INSERT INTO http_used_links (request_id, used_at) VALUES ($1, $2) ON CONFLICT (request_id) DO NOTHING`,
		requestID.String(), l.now().UnixMilli())
	if err != nil {
		return fmt.Errorf("mark link used: %w", err)
	}
	return nil
}
