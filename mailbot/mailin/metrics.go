package mailin

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics count what the pipeline records. A nil *Metrics records nothing.
type Metrics struct {
	mails    *prometheus.CounterVec
	duration prometheus.Histogram
}

// NewMetrics registers the inbound metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		mails: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mailbot_inbound_total", Help: "Mails recorded by the inbound pipeline, by verdict (duplicate deliveries as \"duplicate\")."},
			[]string{"verdict"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "mailbot_inbound_seconds", Help: "Time from a mail read to its result committed.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}}),
	}
	reg.MustRegister(m.mails, m.duration)
	return m
}

func (m *Metrics) record(verdict string, since time.Time) {
	if m == nil {
		return
	}
	m.mails.WithLabelValues(verdict).Inc()
	m.duration.Observe(time.Since(since).Seconds())
}
