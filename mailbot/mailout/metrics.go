package mailout

import "github.com/prometheus/client_golang/prometheus"

// Metrics count what the outbox workers do. A nil *Metrics records nothing.
type Metrics struct {
	sent, failed, retried prometheus.Counter
	lag                   prometheus.Gauge
}

// NewMetrics registers the outbox metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		sent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "mailbot_outbox_sent_total", Help: "Notification emails accepted by the SMTP relay."}),
		failed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "mailbot_outbox_failed_total", Help: "Notification emails given up on (permanent error or retry deadline)."}),
		retried: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "mailbot_outbox_retried_total", Help: "Transient delivery failures scheduled for another attempt."}),
		lag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "mailbot_outbox_lag_seconds", Help: "Age of the oldest notification waiting to be sent."}),
	}
	reg.MustRegister(m.sent, m.failed, m.retried, m.lag)
	return m
}

func (m *Metrics) countSent() {
	if m != nil {
		m.sent.Inc()
	}
}

func (m *Metrics) countFailed() {
	if m != nil {
		m.failed.Inc()
	}
}

func (m *Metrics) countRetried() {
	if m != nil {
		m.retried.Inc()
	}
}

func (m *Metrics) setLag(seconds float64) {
	if m != nil {
		m.lag.Set(seconds)
	}
}
