package domain

import (
	"strconv"

	"github.com/shopspring/decimal"
)

// Saving a draft is the command clients send most (an editor saves as the
// rater types), and json.Marshal spent about a microsecond and eleven
// allocations on each draft's payload, by reflection. appendDraftJSON writes
// the same bytes directly; TestDraftJSONIsMarshal holds it to json.Marshal.

// appendDraftJSON appends e as json.Marshal encodes it. ok is false, and
// the caller must use json.Marshal, when a string in e is one json.Marshal
// would escape (see plainJSON) or a score fails to encode.
func appendDraftJSON(b []byte, e EvaluationDraftSaved) (_ []byte, ok bool) {
	if !plainJSON(string(e.Kind)) || !plainJSON(e.Summary) {
		return b, false
	}
	b = append(b, `{"cycle_id":"`...)
	b = appendUUID(b, e.CycleID)
	b = append(b, `","employee_id":"`...)
	b = appendUUID(b, e.EmployeeID)
	b = append(b, `","kind":"`...)
	b = append(b, e.Kind...)
	b = append(b, `","rater_id":"`...)
	b = appendUUID(b, e.RaterID)
	b = append(b, `","scores":`...)
	if e.Scores == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, s := range e.Scores {
			if !plainJSON(s.Criterion) || !plainJSON(s.Comment) {
				return b, false
			}
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"criterion":"`...)
			b = append(b, s.Criterion...)
			b = append(b, `","score":`...)
			if b, ok = appendScore(b, s.Score); !ok {
				return b, false
			}
			if s.Comment != "" { // omitempty
				b = append(b, `,"comment":"`...)
				b = append(b, s.Comment...)
				b = append(b, '"')
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"summary":"`...)
	b = append(b, e.Summary...)
	b = append(b, `"}`...)
	return b, true
}

// appendScore appends d as json.Marshal writes it: its MarshalJSON, which
// is its String, quoted unless decimal.MarshalJSONWithoutQuotes is set (the
// output is digits, sign, point and quotes, which json.Marshal's compacting
// and HTML escaping leave as they are). A whole score of up to 18 digits
// (exponent 0), as scores mostly are, is written directly: its String is
// then the decimal digits of its coefficient, and formatting those through
// big.Int was most of the encoding.
func appendScore(b []byte, d decimal.Decimal) ([]byte, bool) {
	if d.Exponent() != 0 || d.NumDigits() > 18 {
		score, err := d.MarshalJSON()
		return append(b, score...), err == nil
	}
	quoted := !decimal.MarshalJSONWithoutQuotes
	if quoted {
		b = append(b, '"')
	}
	b = strconv.AppendInt(b, d.CoefficientInt64(), 10)
	if quoted {
		b = append(b, '"')
	}
	return b, true
}

// plainJSON: json.Marshal writes s as it is between quotes (printable
// ASCII other than the quote, the backslash and the HTML characters it
// escapes).
func plainJSON(s string) bool {
	for i := range len(s) {
		switch c := s[i]; {
		case c < ' ', c > '~', c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}
