package http

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/appraisal-hr/appraisal/eventstore"
)

// metrics are the server's Prometheus series.
type metrics struct {
	requests *prometheus.HistogramVec
	appended prometheus.Counter
}

// LagReporter is what projections supply so /metrics and /readyz can show
// how far each projection is behind the head of the log.
type LagReporter interface {
	Lags(ctx context.Context) (map[string]int64, error)
}

func newMetrics(reg prometheus.Registerer, lags LagReporter) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "appraisal_http_request_duration_seconds",
			Help:    "HTTP request latency by method, route and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route", "status"}),
		appended: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "appraisal_events_appended_total",
			Help: "Events appended through this process; its rate is the append rate.",
		}),
	}
	collectors := []prometheus.Collector{m.requests, m.appended}
	if lags != nil {
		collectors = append(collectors, lagCollector{lags})
	}
	for _, c := range collectors {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register metrics: %w", err)
		}
	}
	return m, nil
}

var lagDesc = prometheus.NewDesc("appraisal_projection_lag_events",
	"Events between the head of the log and the projection's checkpoint.", []string{"projection"}, nil)

// lagCollector asks projections for their lag at scrape time, so the gauge
// is never older than the scrape.
type lagCollector struct{ lags LagReporter }

func (l lagCollector) Describe(ch chan<- *prometheus.Desc) { ch <- lagDesc }

func (l lagCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	lags, err := l.lags.Lags(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(lagDesc, err)
		return
	}
	for name, lag := range lags {
		ch <- prometheus.MustNewConstMetric(lagDesc, prometheus.GaugeValue, float64(lag), name)
	}
}

// countingStore counts appended events for the append-rate series.
type countingStore struct {
	eventstore.Store
	appended prometheus.Counter
}

// InstrumentStore wraps the store so its appends are counted in this
// server's metrics; cmd hands the wrapped store to the application service.
func (s *Server) InstrumentStore(store eventstore.Store) eventstore.Store {
	return countingStore{Store: store, appended: s.metrics.appended}
}

func (s countingStore) Append(ctx context.Context, stream string, expected int64, events []eventstore.NewEvent) (eventstore.AppendResult, error) {
	res, err := s.Store.Append(ctx, stream, expected, events)
	if err == nil {
		s.appended.Add(float64(len(events)))
	}
	return res, err
}
