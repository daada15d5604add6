package http

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// metrics are the server's Prometheus series.
type metrics struct {
	requests *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
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
