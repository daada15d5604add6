package http

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	nethttp "net/http"
	"time"

	"github.com/labstack/echo/v4"
)

const headerIdempotencyKey = "Idempotency-Key"

// replayedHeaders are the response headers a replayed response carries.
var replayedHeaders = []string{echo.HeaderContentType, "ETag", echo.HeaderLocation, "X-Position"}

// idempotency makes a mutating request with an Idempotency-Key happen once.
// The first request with a (caller, key) pair claims a row; its response is
// stored there. A retry gets the stored response and appends nothing; a
// duplicate sent while the first is running waits for it; the same key with a
// different request is refused. The row lives in the database, so this holds
// across processes too.
type idempotency struct {
	db    *sql.DB
	now   func() time.Time
	stale time.Duration // a claim older than this was abandoned by a crash
}

type storedResponse struct {
	Status int                 `json:"status"`
	Header map[string][]string `json:"header"`
	Body   []byte              `json:"body"`
}

func (m *idempotency) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get(headerIdempotencyKey)
		if key == "" {
			return next(c)
		}
		if len(key) > 200 {
			return fieldsProblem(kindValidation, []FieldProblem{{"Idempotency-Key", "at most 200 characters"}})
		}
		body, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return err
		}
		c.Request().Body = io.NopCloser(bytes.NewReader(body))
		caller := callerOf(c)
		hash := requestHash(c.Request(), body)
		ctx := c.Request().Context()
		first, err := m.claim(ctx, caller, key, hash)
		if err != nil {
			return err
		}
		if first == nil {
			return m.runAndStore(c, next, caller, key)
		}
		return replay(c, *first)
	}
}

func callerOf(c echo.Context) string {
	if p, ok := principalOf(c); ok {
		return string(p.Role) + ":" + p.ID.String()
	}
	return "anonymous:" + c.Param("token")
}

func requestHash(r *nethttp.Request, body []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", r.Method, r.URL.RequestURI())
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// claim returns nil when this request is the first with the key (and now
// owns it), or the first request's stored response once it is ready.
func (m *idempotency) claim(ctx context.Context, caller, key, hash string) (*storedResponse, error) {
	wait := 2 * time.Millisecond
	for {
		now := m.now().UnixMilli()
		res, err := m.db.ExecContext(ctx,
			`INSERT INTO http_idempotency (caller, idem_key, request_hash, state, created_at) VALUES ($1, $2, $3, 'pending', $4)
			 ON CONFLICT (caller, idem_key) DO NOTHING`, caller, key, hash, now)
		if err != nil {
			return nil, fmt.Errorf("claim idempotency key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil, nil
		}
		var gotHash, state string
		var response sql.NullString
		var created int64
		err = m.db.QueryRowContext(ctx,
			`SELECT request_hash, state, response, created_at FROM http_idempotency WHERE caller = $1 AND idem_key = $2`,
			caller, key).Scan(&gotHash, &state, &response, &created)
		if errors.Is(err, sql.ErrNoRows) {
			continue // the first request failed and released the key: try again
		}
		if err != nil {
			return nil, fmt.Errorf("read idempotency key: %w", err)
		}
		if gotHash != hash {
			return nil, newProblem(kindIdempotencyReused, "send a new key for a new request")
		}
		if state == "done" {
			var sr storedResponse
			if err := json.Unmarshal([]byte(response.String), &sr); err != nil {
				return nil, fmt.Errorf("decode stored response: %w", err)
			}
			return &sr, nil
		}
		if now-created > m.stale.Milliseconds() {
			// The owner died mid-request; release its claim and compete again.
			if _, err := m.db.ExecContext(ctx, `DELETE FROM http_idempotency WHERE caller = $1 AND idem_key = $2 AND state = 'pending' AND created_at = $3`, caller, key, created); err != nil {
				return nil, fmt.Errorf("release stale idempotency key: %w", err)
			}
			continue
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(wait*2, 50*time.Millisecond)
	}
}

// runAndStore runs the request and keeps its response for retries. A 5xx or
// a failure to answer releases the key, since nothing was decided.
func (m *idempotency) runAndStore(c echo.Context, next echo.HandlerFunc, caller, key string) error {
	rec := &recorder{ResponseWriter: c.Response().Writer}
	c.Response().Writer = rec
	// The request's own context may be spent; the bookkeeping must still happen.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request().Context()), 5*time.Second)
	defer cancel()
	release := func() error {
		_, err := m.db.ExecContext(ctx, `DELETE FROM http_idempotency WHERE caller = $1 AND idem_key = $2`, caller, key)
		return wrapErr("release idempotency key", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = release() // a retry must not wait for a claim nobody will finish
			panic(p)
		}
	}()
	if err := next(c); err != nil {
		c.Error(err)
	}
	status := c.Response().Status
	if status >= 500 || !c.Response().Committed {
		return release()
	}
	sr := storedResponse{Status: status, Header: map[string][]string{}, Body: rec.body.Bytes()}
	for _, h := range replayedHeaders {
		if v := c.Response().Header().Values(h); len(v) > 0 {
			sr.Header[h] = v
		}
	}
	b, err := json.Marshal(sr)
	if err != nil {
		return fmt.Errorf("encode stored response: %w", err)
	}
	_, err = m.db.ExecContext(ctx, `UPDATE http_idempotency SET state = 'done', response = $1 WHERE caller = $2 AND idem_key = $3`, string(b), caller, key)
	return wrapErr("store idempotent response", err)
}

func wrapErr(what string, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

func replay(c echo.Context, sr storedResponse) error {
	for h, vs := range sr.Header {
		for _, v := range vs {
			c.Response().Header().Add(h, v)
		}
	}
	c.Response().Header().Set("Idempotent-Replayed", "true")
	c.Response().WriteHeader(sr.Status)
	_, err := c.Response().Write(sr.Body)
	return err
}

// recorder tees what the handler writes so it can be stored.
type recorder struct {
	nethttp.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(nethttp.Flusher); ok {
		f.Flush()
	}
}
