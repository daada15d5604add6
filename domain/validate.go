package domain

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Size limits of free text. They bound event payloads (the store refuses
// payloads above 256 KiB) and keep comments readable (SPEC §4: "comments are
// bounded in size").
const (
	MaxNameLen    = 200
	MaxReasonLen  = 2000
	MaxCommentLen = 4000
)

// checkID records a missing id.
func checkID(p *problems, field string, id uuid.UUID) {
	p.check(id != uuid.Nil, field, "is required")
}

// checkText records a blank or overlong text; limits count characters, not
// bytes, so Chinese names get the same allowance as Latin ones.
func checkText(p *problems, field, s string, maxLen int) {
	switch {
	case strings.TrimSpace(s) == "":
		p.add(field, "is required")
	default:
		checkOptionalText(p, field, s, maxLen)
	}
}

// checkOptionalText records an overlong or invalid text that may be empty.
// optionalTextOK is checkOptionalText finding nothing, for callers that
// spell out the field's name only when there is a problem.
func optionalTextOK(s string, maxLen int) bool {
	return utf8.ValidString(s) && utf8.RuneCountInString(s) <= maxLen
}

func checkOptionalText(p *problems, field, s string, maxLen int) {
	switch {
	case !utf8.ValidString(s):
		p.add(field, "is not valid UTF-8")
	case utf8.RuneCountInString(s) > maxLen:
		p.add(field, "is longer than %d characters", maxLen)
	}
}

// checkReason records a missing or overlong written reason.
func checkReason(p *problems, field, s string) { checkText(p, field, s, MaxReasonLen) }

// checkMoney records a negative amount or one with fractions of a cent.
func checkMoney(p *problems, field string, d decimal.Decimal) {
	switch {
	case d.IsNegative():
		p.add(field, "must not be negative")
	case !d.Equal(d.Truncate(2)):
		p.add(field, "must have at most 2 decimal places")
	}
}

// isDate reports whether t is a UTC midnight, the form dates are stored in.
func isDate(t time.Time) bool {
	return !t.IsZero() && t.Equal(t.UTC().Truncate(24*time.Hour)) && t.Location() == time.UTC
}

// checkDate records a missing date or one that is not a UTC midnight.
func checkDate(p *problems, field string, t time.Time) {
	switch {
	case t.IsZero():
		p.add(field, "is required")
	case !isDate(t):
		p.add(field, "must be a date (UTC midnight)")
	}
}
