package http

import (
	nethttp "net/http"
	"net/http/httptest"
	"net/textproto"
	"reflect"
	"strconv"
	"testing"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

// The header keys set directly in the map are the forms net/http would
// have made of the names (and writes on the wire).
func TestHeaderKeysAreCanonical(t *testing.T) {
	for name, key := range map[string]string{headerCorrelation: correlationKeyCanonical, "ETag": headerETag, "X-Position": headerPosition} {
		if got := textproto.CanonicalMIMEHeaderKey(name); got != key {
			t.Errorf("%s is keyed %q, net/http keys it %q", name, key, got)
		}
	}
}

// setVersion answers as Header.Set of etag and the position did.
func TestSetVersion(t *testing.T) {
	e := echo.New()
	for _, tc := range []struct{ version, position int64 }{{0, 0}, {1, 0}, {7, 123456789}, {1 << 62, 1 << 62}} {
		c := e.NewContext(httptest.NewRequest("GET", "/", nil), httptest.NewRecorder())
		setVersion(c, tc.version, tc.position)
		want := nethttp.Header{}
		want.Set("ETag", etag(tc.version))
		if tc.position > 0 {
			want.Set("X-Position", strconv.FormatInt(tc.position, 10))
		}
		if got := c.Response().Header(); !reflect.DeepEqual(got, want) {
			t.Errorf("%+v: headers %v, want %v", tc, got, want)
		}
		c.Response().Header().Add("ETag", "x")
		if got := c.Response().Header().Get("X-Position"); tc.position > 0 && got != strconv.FormatInt(tc.position, 10) {
			t.Errorf("%+v: adding an ETag changed X-Position to %q", tc, got)
		}
	}
}

// answerWritten answers exactly as c.JSON: status, headers and body.
func TestAnswerWrittenIsCJSON(t *testing.T) {
	e := echo.New()
	if _, std := e.JSONSerializer.(*echo.DefaultJSONSerializer); !std {
		t.Fatalf("echo's serializer is %T: answerWritten would always take c.JSON", e.JSONSerializer)
	}
	id := uuid.New()
	for _, w := range []Written{
		{Stream: "review-a-b", Version: 3, Position: 42},
		{ID: id, Stream: "cycle-" + id.String(), Version: 1, Position: 1 << 40},
		{Stream: "", Version: 0, Position: 0},
		{Stream: "odd <&> \"name\" \\ é \x01", Version: -1, Position: -2},
	} {
		for _, target := range []string{"/x", "/x?pretty", "/x?a=1"} {
			answer := func(write func(echo.Context) error) *httptest.ResponseRecorder {
				rec := httptest.NewRecorder()
				c := e.NewContext(httptest.NewRequest("PUT", target, nil), rec)
				c.Response().Header().Set("ETag", `"3"`)
				if err := write(c); err != nil {
					t.Fatal(err)
				}
				return rec
			}
			got := answer(func(c echo.Context) error { return answerWritten(c, nethttp.StatusCreated, w) })
			want := answer(func(c echo.Context) error { return c.JSON(nethttp.StatusCreated, w) })
			if got.Code != want.Code || !reflect.DeepEqual(got.Header(), want.Header()) || got.Body.String() != want.Body.String() {
				t.Errorf("%+v %s: answered %d %v %q, c.JSON %d %v %q", w, target,
					got.Code, got.Header(), got.Body, want.Code, want.Header(), want.Body)
			}
		}
	}
}

// metrics.request is the histogram WithLabelValues gives for the same
// labels; requests no route matched are not remembered.
func TestRequestObserverIsTheSeries(t *testing.T) {
	m, err := newMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if got, want := m.request("PUT", "/a/:b", 409), m.requests.WithLabelValues("PUT", "/a/:b", "409"); got != want {
			t.Fatalf("request gives %v, WithLabelValues %v", got, want)
		}
	}
	if got, want := m.request("BREW", unmatchedRoute, 404), m.requests.WithLabelValues("BREW", unmatchedRoute, "404"); got != want {
		t.Fatalf("unmatched: request gives %v, WithLabelValues %v", got, want)
	}
	if len(m.observers) != 1 {
		t.Errorf("%d label sets remembered, want 1 (the matched route)", len(m.observers))
	}
}
