package web

import (
	"context"
	"encoding/json"

	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"mailbot/threads"
)

// APIStore is what the JSON API needs of the domain.
type APIStore interface {
	APIKeyValid(ctx context.Context, key string) (bool, error)
	PatchCompany(ctx context.Context, externalID string, name *string) (threads.Company, error)
	PatchPerson(ctx context.Context, in threads.PersonPatch) (threads.Person, error)
	PatchMembership(ctx context.Context, companyID, personID int64, role *threads.Role) (threads.Role, error)
	PatchTransaction(ctx context.Context, companyID int64, in threads.TransactionPatch) (threads.Transaction, error)
	CompanyByExternalID(ctx context.Context, externalID string) (threads.Company, error)
	PersonByExternalID(ctx context.Context, externalID string) (threads.Person, error)
	TransactionByExternalID(ctx context.Context, companyID int64, externalID string) (threads.Transaction, error)
	PostMessage(ctx context.Context, n threads.NewMessage) (threads.Message, error)
	Messages(ctx context.Context, txnID int64) ([]threads.Message, error)
	UnreadCounts(ctx context.Context, personID int64) ([]threads.CompanyUnread, error)

	FileLimits() threads.FileLimits
	MessageFiles(ctx context.Context, messageID int64) ([]threads.File, error)
	File(ctx context.Context, txnID, fileID int64) (threads.File, error)
	OpenFile(ctx context.Context, f threads.File) (io.ReadCloser, error)
}

var _ APIStore = (*threads.Store)(nil)

// API serves /api/v1 for the ledger, authenticated by API keys.
type API struct {
	store APIStore
	opts  APIOptions
	log   *slog.Logger
}

// NewAPI returns the JSON API.
func NewAPI(store APIStore, opts *APIOptions) *API {
	a := &API{store: store, log: slog.New(slog.DiscardHandler)}
	if opts != nil {
		a.opts = *opts
		if opts.Logger != nil {
			a.log = opts.Logger
		}
	}
	return a
}

// APIOptions configure the API; nil means defaults.
type APIOptions struct {
	Logger  *slog.Logger // failures on the service's side; default discard
	Metrics *Metrics     // counts them; nil counts nothing
}

// Register adds the API's routes to mux. The PUT routes change only the
// fields their body has: a field left out (or null) keeps its stored value,
// or takes its default on create, so their inputs are pointers.
func (a *API) Register(mux *http.ServeMux) {
	route := func(pattern string, h func(r *http.Request) (int, any, error)) {
		mux.Handle(pattern, a.auth(h))
	}
	route("PUT /api/v1/companies/{company}", a.putCompany)
	route("PUT /api/v1/people/{person}", a.putPerson)
	route("PUT /api/v1/companies/{company}/members/{person}", a.putMember)
	route("PUT /api/v1/companies/{company}/transactions/{txn}", a.putTransaction)
	mux.Handle("POST /api/v1/companies/{company}/transactions/{txn}/messages", a.keyed(func(w http.ResponseWriter, r *http.Request) {
		code, body, err := a.postMessage(w, r)
		a.answer(w, r, code, body, err)
	}))
	route("GET /api/v1/companies/{company}/transactions/{txn}/messages", a.getMessages)
	route("GET /api/v1/people/{person}/unread", a.getUnread)
	mux.Handle("GET /api/v1/companies/{company}/transactions/{txn}/attachments/{file}", a.keyed(a.getAttachment))
}

type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// auth runs h for a request with a valid API key and writes its answer as
// JSON.
func (a *API) auth(h func(r *http.Request) (int, any, error)) http.Handler {
	return a.keyed(func(w http.ResponseWriter, r *http.Request) {
		code, body, err := h(r)
		a.answer(w, r, code, body, err)
	})
}

// answer writes a handler's result, or its error, as JSON; a failure on
// the service's side is logged and counted.
func (a *API) answer(w http.ResponseWriter, r *http.Request, code int, body any, err error) {
	if err != nil {
		f := failureOf(err)
		if f.Status == http.StatusInternalServerError {
			a.opts.Metrics.internal(a.log, "api", r, err)
		}
		writeJSON(w, f.Status, map[string]any{"error": apiError{f.Code, f.Message}})
		return
	}
	writeJSON(w, code, body)
}

// keyed runs h only for a request with a valid API key.
func (a *API) keyed(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		valid := false
		if ok && key != "" {
			var err error
			if valid, err = a.store.APIKeyValid(r.Context(), key); err != nil {
				a.answer(w, r, 0, nil, err)
				return
			}
		}
		if !valid {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mailbot"`)
			writeJSON(w, http.StatusUnauthorized, map[string]any{"error": apiError{"unauthorized", "send Authorization: Bearer <API key>"}})
			return
		}
		h(w, r)
	})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func decode(r *http.Request, v any) error { return decodeJSON(r.Body, v) }

// decodeJSON reads one JSON object into v, refusing fields v does not have.
func decodeJSON(body io.Reader, v any) error {
	dec := json.NewDecoder(io.LimitReader(body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errBadJSON
	}
	return nil
}

func (a *API) putCompany(r *http.Request) (int, any, error) {
	var in struct {
		Name *string `json:"name"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	c, err := a.store.PatchCompany(r.Context(), r.PathValue("company"), in.Name)
	return http.StatusOK, map[string]any{"id": c.ExternalID, "name": c.Name}, err
}

type apiEmail struct {
	Address  string `json:"address"`
	Verified bool   `json:"verified"`
}

// errStaffField refuses a staff flag: staff rights are granted in the admin
// view only, so no ledger sync can make or unmake an admin.
var errStaffField = threads.Invalid("staff", "staff_not_api", "is not set through the API; an admin grants it in /admin/people")

// apiEmailUpdate is an address in a PUT: without "verified", an address the
// person has keeps its flag.
type apiEmailUpdate struct {
	Address  string `json:"address"`
	Verified *bool  `json:"verified"`
}

func (a *API) putPerson(r *http.Request) (int, any, error) {
	var in struct {
		Name     *string           `json:"name"`
		Emails   *[]apiEmailUpdate `json:"emails"`
		Locale   *string           `json:"locale"`
		TimeZone *string           `json:"time_zone"`
		Staff    json.RawMessage   `json:"staff"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.Staff != nil {
		return 0, nil, errStaffField
	}
	patch := threads.PersonPatch{ExternalID: r.PathValue("person"), Name: in.Name, Locale: in.Locale, TimeZone: in.TimeZone}
	if in.Emails != nil {
		emails := make([]threads.EmailUpdate, len(*in.Emails))
		for i, e := range *in.Emails {
			emails[i] = threads.EmailUpdate{Address: e.Address, Verified: e.Verified}
		}
		patch.Emails = &emails
	}
	p, err := a.store.PatchPerson(r.Context(), patch)
	if err != nil {
		return 0, nil, err
	}
	emails := []apiEmail{}
	for _, e := range p.Emails {
		emails = append(emails, apiEmail{e.Address, e.Verified})
	}
	return http.StatusOK, map[string]any{"id": p.ExternalID, "name": p.Name, "emails": emails,
		"locale": p.Locale, "time_zone": p.TimeZone}, nil
}

func (a *API) putMember(r *http.Request) (int, any, error) {
	var in struct {
		Role *threads.Role `json:"role"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	c, p, err := a.companyPerson(r.Context(), r.PathValue("company"), r.PathValue("person"))
	var role threads.Role
	if err == nil {
		role, err = a.store.PatchMembership(r.Context(), c.ID, p.ID, in.Role)
	}
	return http.StatusOK, map[string]any{"company": c.ExternalID, "person": p.ExternalID, "role": role}, err
}

func (a *API) companyPerson(ctx context.Context, company, person string) (threads.Company, threads.Person, error) {
	c, err := a.store.CompanyByExternalID(ctx, company)
	if err != nil {
		return c, threads.Person{}, err
	}
	p, err := a.store.PersonByExternalID(ctx, person)
	return c, p, err
}

type apiTransaction struct {
	Kind         *threads.Kind `json:"kind"`
	Number       *string       `json:"number"`
	Date         *string       `json:"date"`
	Amount       *string       `json:"amount"`
	Currency     *string       `json:"currency"`
	Counterparty *string       `json:"counterparty"`
	Posted       *bool         `json:"posted"`
}

func (a *API) putTransaction(r *http.Request) (int, any, error) {
	var in apiTransaction
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	c, err := a.store.CompanyByExternalID(r.Context(), r.PathValue("company"))
	if err != nil {
		return 0, nil, err
	}
	patch := threads.TransactionPatch{ExternalID: r.PathValue("txn"), Kind: in.Kind, Number: in.Number,
		Amount: in.Amount, Currency: in.Currency, Counterparty: in.Counterparty, Posted: in.Posted}
	if in.Date != nil {
		date, err := time.Parse(time.DateOnly, *in.Date)
		if err != nil {
			return 0, nil, threads.Invalid("date", "date_format", "must be YYYY-MM-DD")
		}
		patch.Date = &date
	}
	t, err := a.store.PatchTransaction(r.Context(), c.ID, patch)
	if err != nil {
		return 0, nil, err
	}
	out := map[string]any{"id": t.ExternalID, "company": c.ExternalID, "kind": t.Kind, "number": t.Number,
		"date": t.Date.Format(time.DateOnly), "amount": threads.FormatAmount(t.AmountMinor, t.Currency),
		"currency": t.Currency, "counterparty": t.Counterparty, "posted": t.Posted,
		"conversations_allowed": t.Kind.AllowsConversation() == nil}
	if err := t.Kind.AllowsConversation(); err != nil {
		out["conversations_refused_because"] = err.Error()
	}
	return http.StatusOK, out, nil
}

func (a *API) transaction(r *http.Request) (threads.Transaction, error) {
	c, err := a.store.CompanyByExternalID(r.Context(), r.PathValue("company"))
	if err != nil {
		return threads.Transaction{}, err
	}
	return a.store.TransactionByExternalID(r.Context(), c.ID, r.PathValue("txn"))
}

func (a *API) getUnread(r *http.Request) (int, any, error) {
	p, err := a.store.PersonByExternalID(r.Context(), r.PathValue("person"))
	if err != nil {
		return 0, nil, err
	}
	counts, err := a.store.UnreadCounts(r.Context(), p.ID)
	out := []map[string]any{}
	for _, c := range counts {
		out = append(out, map[string]any{"company": c.ExternalID, "name": c.Name, "unread": c.Unread})
	}
	return http.StatusOK, map[string]any{"person": p.ExternalID, "companies": out}, err
}
