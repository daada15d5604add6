package http

import (
	"encoding/json"
	"io"
)

// jsonEncode writes v as JSON without escaping <, > and & (the API is not
// HTML; clients see text as sent).
func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
