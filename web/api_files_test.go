package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// apiUpload posts a multipart message through the API.
func (f *fixture) apiUpload(t *testing.T, key, path string, fields url.Values, files []upFile, headers ...string) (int, map[string]any) {
	t.Helper()
	ct, body := multipartBody(fields, files...)
	req, _ := http.NewRequest("POST", f.srv.URL+path, body)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", ct)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("POST %s: not JSON: %v", path, err)
	}
	return resp.StatusCode, out
}

// apiGet fetches a raw answer with the API key.
func (f *fixture) apiGet(t *testing.T, key, path string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

type apiFile struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Type    string `json:"type"`
	Size    int64  `json:"size"`
	SHA256  string `json:"sha256"`
	URL     string `json:"url"`
	Refused string `json:"refused"`
	Reason  string `json:"refused_reason"`
}

func attachmentsOf(t *testing.T, message any) []apiFile {
	t.Helper()
	raw, _ := json.Marshal(message.(map[string]any)["attachments"])
	var out []apiFile
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("attachments %s: %v", raw, err)
	}
	return out
}

func TestAPIFiles(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	key, err := f.store.CreateAPIKey(t.Context(), "ledger")
	if err != nil {
		t.Fatal(err)
	}
	messages := "/api/v1/companies/acme/transactions/inv-1/messages"

	// Form fields, as curl -F sends them.
	code, out := f.apiUpload(t, key, messages, url.Values{"author": {"acc"}, "recipient": {"ana"}, "body": {"Receipt attached."}},
		[]upFile{{"receipt.pdf", pdf}, {hostileName, []byte("plain words")}}, "Idempotency-Key", "ledger-7")
	if code != http.StatusCreated {
		t.Fatalf("multipart post: %d %v", code, out)
	}
	posted := attachmentsOf(t, out)
	if len(posted) != 2 || posted[0].ID == 0 || posted[0].Type != "application/pdf" || posted[0].Name != "receipt.pdf" ||
		posted[0].Size != int64(len(pdf)) || len(posted[0].SHA256) != 64 ||
		posted[0].URL != fmt.Sprintf("/api/v1/companies/acme/transactions/inv-1/attachments/%d", posted[0].ID) {
		t.Errorf("the answer's attachments: %+v", posted)
	}
	// The same post again: the stored message with the same files.
	code, out = f.apiUpload(t, key, messages, url.Values{"author": {"acc"}, "recipient": {"ana"}, "body": {"Receipt attached."}},
		[]upFile{{"receipt.pdf", pdf}, {hostileName, []byte("plain words")}}, "Idempotency-Key", "ledger-7")
	if again := attachmentsOf(t, out); code != http.StatusOK || len(again) != 2 || again[0].ID != posted[0].ID {
		t.Errorf("repeated post: %d with %+v; want 200 with the stored files", code, again)
	}

	// One JSON "message" field, a file and no words; a program is refused
	// with its reason.
	code, out = f.apiUpload(t, key, messages, url.Values{"message": {`{"author":"ana","recipient":"acc","body":""}`}},
		[]upFile{{"photo.jpg", bigPhoto(t, 64, 48)}, {"run.exe", []byte("MZ\x90\x00")}})
	if code != http.StatusCreated {
		t.Fatalf("multipart post with a message field: %d %v", code, out)
	}
	if got := attachmentsOf(t, out); len(got) != 2 || got[0].Type != "image/jpeg" ||
		got[1].Refused != "programs and scripts are not accepted" || got[1].Reason != "program" || got[0].Reason != "" || got[1].URL != "" || got[1].SHA256 != "" {
		t.Errorf("attachments with a refused one: %+v", got)
	}

	for _, bad := range []url.Values{
		{"author": {"acc"}, "recipient": {"ana"}, "subject": {"typo"}},
		{"message": {`{"author":"acc","recipient":"ana","bdy":"typo"}`}},
	} {
		if code, out := f.apiUpload(t, key, messages, bad, []upFile{{"a.pdf", pdf}}); code != http.StatusUnprocessableEntity && code != http.StatusBadRequest {
			t.Errorf("post with %v: %d %v, want it refused", bad, code, out)
		}
	}

	// The thread lists each message's attachments.
	code, list := f.api(t, key, "GET", messages, "")
	ms, _ := list["messages"].([]any)
	if code != 200 || len(ms) != 2 {
		t.Fatalf("thread: %d with %d messages", code, len(ms))
	}
	listed := attachmentsOf(t, ms[0])
	if len(listed) != 2 || listed[0] != posted[0] || listed[1].Name != hostileName {
		t.Errorf("listed attachments %+v, posted %+v", listed, posted)
	}
	raw, _ := json.Marshal(list)
	if strings.Contains(string(raw), "<script>") {
		t.Error("the JSON carries a raw <script>")
	}

	// Download with the key, with the pages' headers.
	code, body, h := f.apiGet(t, key, posted[0].URL)
	if code != 200 || body != string(pdf) {
		t.Fatalf("download: %d, %d bytes", code, len(body))
	}
	checkInert(t, "API download", h, "application/pdf", `attachment; filename="receipt.pdf"`)
	code, _, h = f.apiGet(t, key, posted[1].URL)
	checkInert(t, "API download of a hostile name", h, "text/plain", `attachment; filename="_><script>`)
	if code != 200 {
		t.Errorf("download of the hostile name: %d", code)
	}
	if code, _, _ := f.apiGet(t, "", posted[0].URL); code != http.StatusUnauthorized {
		t.Errorf("download without a key: %d, want 401", code)
	}
	for _, path := range []string{
		fmt.Sprintf("/api/v1/companies/bolt/transactions/bill-1/attachments/%d", posted[0].ID),
		fmt.Sprintf("/api/v1/companies/acme/transactions/sr-1/attachments/%d", posted[0].ID),
		"/api/v1/companies/acme/transactions/inv-1/attachments/999999",
		"/api/v1/companies/acme/transactions/inv-1/attachments/x",
	} {
		if code, body, _ := f.apiGet(t, key, path); code != 404 || !strings.Contains(body, `"not_found"`) {
			t.Errorf("%s: %d %s, want 404 not_found", path, code, body)
		}
	}
}
