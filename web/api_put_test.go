package web_test

import (
	"encoding/json"
	"strings"
	"testing"

	"mailbot/threads"
)

// apiKey makes a key for the fixture's API.
func (f *fixture) apiKey(t *testing.T) string {
	t.Helper()
	key, err := f.store.CreateAPIKey(t.Context(), "ledger")
	if err != nil {
		t.Fatal(err)
	}
	return key
}

type apiStep struct {
	method, path, body string
	want               int
	has                []string
}

func (f *fixture) apiSteps(t *testing.T, key string, steps []apiStep) {
	t.Helper()
	for _, s := range steps {
		code, out := f.api(t, key, s.method, s.path, s.body)
		raw, _ := json.Marshal(out)
		if code != s.want {
			t.Errorf("%s %s %s: %d %s; want %d", s.method, s.path, s.body, code, raw, s.want)
			continue
		}
		for _, h := range s.has {
			if !strings.Contains(string(raw), h) {
				t.Errorf("%s %s %s: %s; want %s in it", s.method, s.path, s.body, raw, h)
			}
		}
	}
}

// A routine sync that leaves fields out must not demote an admin, drop their
// addresses or reset their locale and time zone.
func TestAPIPutPersonKeepsWhatIsLeftOut(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	key := f.apiKey(t)
	_, err := f.store.UpsertPerson(ctx, threads.PersonInput{ExternalID: "acc", Name: "Avery Quill", Staff: true,
		Locale: "es", TimeZone: "America/New_York", Emails: []threads.EmailAddress{{Address: "avery@firm.test", Verified: true}}})
	if err != nil {
		t.Fatal(err)
	}
	f.apiSteps(t, key, []apiStep{
		{"PUT", "/api/v1/people/acc", `{"name":"Avery Q."}`, 200,
			[]string{`"name":"Avery Q."`, `"locale":"es"`, `"time_zone":"America/New_York"`, `{"address":"avery@firm.test","verified":true}`}},
		{"PUT", "/api/v1/people/acc", `{"name":null,"locale":null}`, 200, []string{`"name":"Avery Q."`, `"locale":"es"`}},
		{"PUT", "/api/v1/people/acc", `{}`, 200, []string{`"name":"Avery Q."`, `"avery@firm.test"`}},
		{"PUT", "/api/v1/people/acc", `{"staff":false}`, 422, []string{`"code":"invalid"`, `staff`}},
		{"PUT", "/api/v1/people/acc", `{"name":"Avery Quill","staff":true}`, 422, []string{`"code":"invalid"`}},
		{"PUT", "/api/v1/people/acc", `{"name":""}`, 422, []string{`"code":"invalid"`}},
	})
	p, err := f.store.PersonByExternalID(ctx, "acc")
	if err != nil {
		t.Fatal(err)
	}
	if !p.Staff || p.Name != "Avery Q." || p.Locale != "es" || p.TimeZone != "America/New_York" || !p.HasVerifiedEmail("avery@firm.test") {
		t.Errorf("after partial PUTs: %+v", p)
	}
	// A new person needs a name and gets the defaults; a staff field never
	// creates an admin.
	f.apiSteps(t, key, []apiStep{
		{"PUT", "/api/v1/people/p9", `{"locale":"es"}`, 422, []string{`"code":"invalid"`, `name`}},
		{"PUT", "/api/v1/people/p9", `{"name":"Cleo Cedar","staff":true}`, 422, []string{`"code":"invalid"`}},
		{"PUT", "/api/v1/people/p9", `{"name":"Cleo Cedar"}`, 200, []string{`"locale":"en"`, `"time_zone":"UTC"`, `"emails":[]`}},
		{"PUT", "/api/v1/people/p9", `{"locale":"es","time_zone":"Europe/Madrid"}`, 200,
			[]string{`"name":"Cleo Cedar"`, `"locale":"es"`, `"time_zone":"Europe/Madrid"`}},
		{"PUT", "/api/v1/people/p9", `{"locale":""}`, 200, []string{`"locale":"en"`, `"time_zone":"Europe/Madrid"`}},
	})
	if p, _ := f.store.PersonByExternalID(ctx, "p9"); p.Staff {
		t.Error("a PUT made p9 staff")
	}
}

// Given emails replace the set; an address that stays keeps its verified
// flag unless the body says otherwise, and a new one starts unverified.
func TestAPIPutPersonEmails(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	key := f.apiKey(t)
	f.apiSteps(t, key, []apiStep{
		{"PUT", "/api/v1/people/ana", `{"name":"Ana Client","emails":[{"address":"Ana@Acme.test"},{"address":"ana@home.test"}]}`, 200,
			[]string{`"emails":[{"address":"ana@acme.test","verified":true},{"address":"ana@home.test","verified":false}]`}},
		{"PUT", "/api/v1/people/ana", `{"emails":[{"address":"ana@home.test","verified":true}]}`, 200,
			[]string{`"emails":[{"address":"ana@home.test","verified":true}]`}},
		{"PUT", "/api/v1/people/ana", `{"emails":[{"address":"ana@home.test","verified":false},{"address":"ana@acme.test"}]}`, 200,
			[]string{`"emails":[{"address":"ana@acme.test","verified":false},{"address":"ana@home.test","verified":false}]`}},
		{"PUT", "/api/v1/people/ana", `{"emails":null}`, 200, []string{`"ana@acme.test"`, `"ana@home.test"`}},
		{"PUT", "/api/v1/people/bruno", `{"emails":[{"address":"ana@home.test"}]}`, 422, []string{`belongs to another person`}},
		{"PUT", "/api/v1/people/ana", `{"emails":[]}`, 200, []string{`"emails":[]`}},
	})
}

func TestAPIPutCompanyAndMemberKeepWhatIsLeftOut(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	key := f.apiKey(t)
	f.apiSteps(t, key, []apiStep{
		{"PUT", "/api/v1/companies/acme", `{}`, 200, []string{`"name":"Acme Tools"`}},
		{"PUT", "/api/v1/companies/c9", `{}`, 422, []string{`"code":"invalid"`, `name`}},
		{"PUT", "/api/v1/companies/acme", `{"name":""}`, 422, []string{`"code":"invalid"`}},
		{"PUT", "/api/v1/companies/acme/members/ana", `{}`, 200, []string{`"role":"client"`}},
		{"PUT", "/api/v1/companies/bolt/members/ana", `{}`, 422, []string{`"code":"invalid"`, `role`}},
		{"PUT", "/api/v1/companies/acme/members/ana", `{"role":"accountant"}`, 200, []string{`"role":"accountant"`}},
		{"PUT", "/api/v1/companies/acme/members/ana", `{"role":null}`, 200, []string{`"role":"accountant"`}},
		{"PUT", "/api/v1/companies/acme/members/ana", `{"role":"boss"}`, 422, []string{`"code":"invalid"`}},
		{"PUT", "/api/v1/companies/acme/members/nobody", `{}`, 404, []string{`"code":"not_found"`}},
	})
	if _, err := f.store.MemberRole(t.Context(), f.bolt.ID, f.ana.ID); err == nil {
		t.Error("a PUT without a role made ana a member of bolt")
	}
}

func TestAPIPutTransactionKeepsWhatIsLeftOut(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	key := f.apiKey(t)
	inv := "/api/v1/companies/acme/transactions/inv-1"
	f.apiSteps(t, key, []apiStep{
		{"PUT", inv, `{"posted":false}`, 200, []string{`"kind":"invoice"`, `"number":"INV-1"`, `"date":"2026-03-14"`,
			`"amount":"1250.00"`, `"currency":"USD"`, `"counterparty":"Coastal Steel Supply"`, `"posted":false`}},
		{"PUT", inv, `{"amount":"99.5"}`, 200, []string{`"amount":"99.50"`, `"currency":"USD"`, `"posted":false`, `"number":"INV-1"`}},
		{"PUT", inv, `{"counterparty":"","number":" I-9 "}`, 200, []string{`"counterparty":""`, `"number":"I-9"`, `"amount":"99.50"`}},
		{"PUT", inv, `{"currency":"JPY"}`, 422, []string{`"code":"invalid"`, `amount`}},
		{"PUT", inv, `{"currency":"jpy","amount":"1200"}`, 200, []string{`"currency":"JPY"`, `"amount":"1200"`}},
		{"PUT", inv, `{"amount":"1.5"}`, 422, []string{`"code":"invalid"`}},
		{"PUT", inv, `{"date":""}`, 422, []string{`"code":"invalid"`, `date`}},
		{"PUT", inv, `{"kind":"bill","date":"2026-04-01"}`, 200, []string{`"kind":"bill"`, `"date":"2026-04-01"`, `"amount":"1200"`, `"posted":false`}},
		{"PUT", inv, `{"posted":null}`, 200, []string{`"posted":false`}},
		// A new transaction needs kind, date, amount and currency; the rest
		// take their defaults.
		{"PUT", "/api/v1/companies/acme/transactions/t9", `{"kind":"bill","date":"2026-04-01","currency":"EUR"}`, 422,
			[]string{`"code":"invalid"`, `amount`}},
		{"PUT", "/api/v1/companies/acme/transactions/t9", `{"kind":"bill","amount":"5","currency":"EUR"}`, 422,
			[]string{`"code":"invalid"`, `date`}},
		{"PUT", "/api/v1/companies/acme/transactions/t9", `{"date":"2026-04-01","amount":"5","currency":"EUR"}`, 422,
			[]string{`"code":"invalid"`, `kind`}},
		{"PUT", "/api/v1/companies/acme/transactions/t9", `{"kind":"bill","date":"2026-04-01","amount":"5"}`, 422,
			[]string{`"code":"invalid"`, `currency`}},
		{"PUT", "/api/v1/companies/acme/transactions/t9", `{"kind":"bill","date":"2026-04-01","amount":"5","currency":"EUR"}`, 200,
			[]string{`"number":""`, `"counterparty":""`, `"posted":true`, `"amount":"5.00"`}},
		{"PUT", "/api/v1/companies/nope/transactions/t9", `{"number":"x"}`, 404, []string{`"code":"not_found"`}},
	})
}
