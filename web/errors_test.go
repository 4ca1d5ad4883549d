package web_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"mailbot/internal/pgtest"
	"mailbot/threads"
	"mailbot/web"
)

// A failure on the service's side answers 500 with no detail, and is
// logged and counted, on pages and in the API alike.
func TestInternalErrorsAreLoggedAndCounted(t *testing.T) {
	t.Parallel()
	db := pgtest.DB(t)
	store, err := threads.NewStore(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	reg := prometheus.NewRegistry()
	metrics := web.NewMetrics(reg)
	server, err := web.New(store, web.Options{Logger: log, Metrics: metrics})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	web.NewAPI(store, &web.APIOptions{Logger: log, Metrics: metrics}).Register(mux)
	srv := httptest.NewServer(server.Register(mux))
	defer srv.Close()
	db.Close() // the database goes away

	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/people/p1/unread", nil)
	req.Header.Set("Authorization", "Bearer mbk_x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || !strings.Contains(body.String(), `"internal"`) || strings.Contains(body.String(), "sql") {
		t.Errorf("API: %d %s", resp.StatusCode, body.String())
	}
	form := strings.NewReader("email=a%40b.test&password=x")
	resp, err = http.Post(srv.URL+"/login", "application/x-www-form-urlencoded", form)
	if err == nil {
		resp.Body.Close()
	}
	for _, surface := range []string{"api", "page"} {
		if !strings.Contains(logs.String(), "surface="+surface) {
			t.Errorf("no %s failure logged: %s", surface, logs.String())
		}
	}
	want := "# HELP mailbot_http_internal_errors_total Requests answered 500, by surface (page or api).\n" +
		"# TYPE mailbot_http_internal_errors_total counter\n" +
		"mailbot_http_internal_errors_total{surface=\"api\"} 1\nmailbot_http_internal_errors_total{surface=\"page\"} 1\n"
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "mailbot_http_internal_errors_total"); err != nil {
		t.Error(err)
	}
}
