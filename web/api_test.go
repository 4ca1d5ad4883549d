package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// api sends one request; headers are extra name, value pairs.
func (f *fixture) api(t *testing.T, key, method, path, body string, headers ...string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: not JSON: %s", method, path, raw)
	}
	return resp.StatusCode, out
}

func TestAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	key, err := f.store.CreateAPIKey(t.Context(), "ledger")
	if err != nil {
		t.Fatal(err)
	}
	var stored []byte
	f.db.Get(&stored, `SELECT key_hash FROM api_keys`)
	if bytes.Contains(stored, []byte(key)) || len(stored) != 32 {
		t.Error("the API key is not stored as a hash")
	}
	steps := []struct {
		method, path, body string
		want               int
		has                string
	}{
		{"PUT", "/api/v1/companies/c9", `{"name":"Cedar Studio"}`, 200, `"name":"Cedar Studio"`},
		{"PUT", "/api/v1/people/p9", `{"name":"Cleo Cedar","emails":[{"address":"cleo@cedar.test","verified":true}],"locale":"es","time_zone":"Europe/Madrid"}`, 200, `"locale":"es"`},
		{"PUT", "/api/v1/people/acc", `{"name":"Avery Quill","emails":[{"address":"avery@firm.test","verified":true}]}`, 200, `"id":"acc"`},
		{"PUT", "/api/v1/companies/c9/members/p9", `{"role":"client"}`, 200, `"role":"client"`},
		{"PUT", "/api/v1/companies/c9/members/acc", `{"role":"accountant"}`, 200, `"role":"accountant"`},
		{"PUT", "/api/v1/companies/c9/transactions/t1", `{"kind":"bill","number":"B-7","date":"2026-04-01","amount":"99.5","currency":"eur","counterparty":"Paper Co"}`, 200, `"amount":"99.50"`},
		{"PUT", "/api/v1/companies/c9/transactions/t2", `{"kind":"expense","number":"E-1","date":"2026-04-01","amount":"5","currency":"EUR"}`, 200, `conversations are not available on expenses`},
		{"POST", "/api/v1/companies/c9/transactions/t1/messages", `{"author":"acc","recipient":"p9","body":"Receipt?"}`, 201, `"source":"api"`},
		{"POST", "/api/v1/companies/c9/transactions/t2/messages", `{"author":"acc","recipient":"p9","body":"Receipt?"}`, 422, `"code":"kind_not_allowed"`},
		{"POST", "/api/v1/companies/c9/transactions/t1/messages", `{"author":"bruno","recipient":"p9","body":"hi"}`, 422, `does not work on this company`},
		{"POST", "/api/v1/companies/c9/transactions/t1/messages", `{"author":"acc","recipient":"p9","body":"   "}`, 422, `"code":"invalid"`},
		{"POST", "/api/v1/companies/c9/transactions/t1/messages", `{"author":`, 400, `"code":"bad_json"`},
		{"GET", "/api/v1/companies/c9/transactions/t1/messages", ``, 200, `"author":"acc"`},
		{"GET", "/api/v1/companies/c9/transactions/nope/messages", ``, 404, `"code":"not_found"`},
		{"GET", "/api/v1/people/p9/unread", ``, 200, `"unread":1`},
	}
	for _, s := range steps {
		code, out := f.api(t, key, s.method, s.path, s.body)
		raw, _ := json.Marshal(out)
		if code != s.want || !strings.Contains(string(raw), s.has) {
			t.Errorf("%s %s: %d %s; want %d with %s", s.method, s.path, code, raw, s.want, s.has)
		}
	}
	// A retried post with the same Idempotency-Key is stored once.
	keyed := func() (int, float64) {
		code, out := f.api(t, key, "POST", "/api/v1/companies/c9/transactions/t1/messages",
			`{"author":"acc","recipient":"p9","body":"Second reminder"}`, "Idempotency-Key", "ledger-42")
		id, _ := out["id"].(float64)
		return code, id
	}
	code1, id1 := keyed()
	code2, id2 := keyed()
	if code1 != 201 || code2 != 200 || id1 != id2 || id1 == 0 {
		t.Errorf("keyed post twice: %d id %v, then %d id %v; want 201 then 200 with the same id", code1, id1, code2, id2)
	}
	if code, _ := f.api(t, "", "GET", "/api/v1/people/p9/unread", ""); code != 401 {
		t.Errorf("no key: %d", code)
	}
	if code, _ := f.api(t, "mbk_wrong", "GET", "/api/v1/people/p9/unread", ""); code != 401 {
		t.Errorf("wrong key: %d", code)
	}
	f.store.RevokeAPIKey(t.Context(), "ledger")
	if code, _ := f.api(t, key, "GET", "/api/v1/people/p9/unread", ""); code != 401 {
		t.Errorf("revoked key: %d", code)
	}
}
