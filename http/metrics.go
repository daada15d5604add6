package http

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// metrics are the server's Prometheus series.
type metrics struct {
	requests *prometheus.HistogramVec

	// observers remembers requests' histogram of each (method, matched
	// route, status): looking it up by label values hashed and compared
	// three strings (one of them the status formatted anew) on every
	// request. The series are the same; none is ever deleted.
	mu        sync.RWMutex
	observers map[requestLabels]prometheus.Observer
}

type requestLabels struct {
	method, route string
	status        int
}

// request is the histogram of requests with these labels. Unmatched
// requests are not remembered, since their methods are whatever clients
// send.
func (m *metrics) request(method, route string, status int) prometheus.Observer {
	k := requestLabels{method, route, status}
	m.mu.RLock()
	o, ok := m.observers[k]
	m.mu.RUnlock()
	if ok {
		return o
	}
	o = m.requests.WithLabelValues(method, route, strconv.Itoa(status))
	if route != unmatchedRoute {
		m.mu.Lock()
		m.observers[k] = o
		m.mu.Unlock()
	}
	return o
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		observers: map[requestLabels]prometheus.Observer{},
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "appraisal_http_request_duration_seconds",
			Help:    "HTTP request latency by method, route and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route", "status"}),
	}
	if err := reg.Register(m.requests); err != nil {
		return nil, fmt.Errorf("register metrics: %w", err)
	}
	return m, nil
}

// countingStore counts appended events for the append-rate series.
type countingStore struct {
	eventstore.Store
	appended prometheus.Counter
}

// InstrumentStore wraps the store so that its appends are counted
// (appraisal_events_appended_total, whose rate is the append rate); cmd hands
// the wrapped store to the application service.
func InstrumentStore(store eventstore.Store, reg prometheus.Registerer) (eventstore.Store, error) {
	appended := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "appraisal_events_appended_total",
		Help: "Events appended through this process; its rate is the append rate.",
	})
	if err := reg.Register(appended); err != nil {
		return nil, fmt.Errorf("register append counter: %w", err)
	}
	return countingStore{Store: store, appended: appended}, nil
}

func (s countingStore) Append(ctx context.Context, stream string, expected int64, events []eventstore.NewEvent) (eventstore.AppendResult, error) {
	res, err := s.Store.Append(ctx, stream, expected, events)
	if err == nil {
		s.appended.Add(float64(len(events)))
	}
	return res, err
}

func (s countingStore) AppendIf(ctx context.Context, stream string, expected int64, events []eventstore.NewEvent, conds []eventstore.Condition) (eventstore.AppendResult, error) {
	res, err := s.Store.AppendIf(ctx, stream, expected, events, conds)
	if err == nil {
		s.appended.Add(float64(len(events)))
	}
	return res, err
}
