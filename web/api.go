package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
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
}

var _ APIStore = (*threads.Store)(nil)

// API serves /api/v1 for the ledger, authenticated by API keys.
type API struct {
	store APIStore
}

// NewAPI returns the JSON API.
func NewAPI(store APIStore) *API { return &API{store: store} }

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
	route("POST /api/v1/companies/{company}/transactions/{txn}/messages", a.postMessage)
	route("GET /api/v1/companies/{company}/transactions/{txn}/messages", a.getMessages)
	route("GET /api/v1/people/{person}/unread", a.getUnread)
}

type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// apiFailure maps an error to a status and a stable code.
func apiFailure(err error) (int, apiError) {
	var verr *threads.ValidationError
	var kerr *threads.KindError
	var syntax *json.SyntaxError
	switch {
	case errors.Is(err, threads.ErrNotFound):
		return http.StatusNotFound, apiError{"not_found", "no such company, person or transaction"}
	case errors.As(err, &kerr):
		return http.StatusUnprocessableEntity, apiError{"kind_not_allowed", kerr.Error()}
	case errors.As(err, &verr):
		return http.StatusUnprocessableEntity, apiError{"invalid", verr.Error()}
	case errors.As(err, &syntax), errors.Is(err, errBadJSON):
		return http.StatusBadRequest, apiError{"bad_json", "the request body is not the JSON object this call takes"}
	}
	return http.StatusInternalServerError, apiError{"internal", "something went wrong on our side; try again"}
}

var errBadJSON = errors.New("bad json")

func (a *API) auth(h func(r *http.Request) (int, any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		valid := false
		if ok && key != "" {
			var err error
			if valid, err = a.store.APIKeyValid(r.Context(), key); err != nil {
				writeJSON(w, http.StatusInternalServerError, map[string]any{"error": apiError{"internal", "try again"}})
				return
			}
		}
		if !valid {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mailbot"`)
			writeJSON(w, http.StatusUnauthorized, map[string]any{"error": apiError{"unauthorized", "send Authorization: Bearer <API key>"}})
			return
		}
		code, body, err := h(r)
		if err != nil {
			status, e := apiFailure(err)
			writeJSON(w, status, map[string]any{"error": e})
			return
		}
		writeJSON(w, code, body)
	})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
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
var errStaffField = &threads.ValidationError{Field: "staff", Problem: "is not set through the API; an admin grants it in /admin"}

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
			return 0, nil, &threads.ValidationError{Field: "date", Problem: "must be YYYY-MM-DD"}
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

type apiMessage struct {
	ID        int64  `json:"id"`
	Author    string `json:"author"`
	Recipient string `json:"recipient"`
	Body      string `json:"body"`
	Elided    string `json:"elided"`
	Source    string `json:"source"`
	// SenderAuth, for a message made from an email: dmarc, dkim or spf
	// (what verified its sender), none (not verified) or fail.
	SenderAuth string    `json:"sender_auth,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

func toAPIMessage(m threads.Message) apiMessage {
	return apiMessage{ID: m.ID, Author: m.AuthorExternalID, Recipient: m.RecipientExternalID, Body: m.Body,
		Elided: m.Elided, Source: string(m.Source), SenderAuth: m.SenderAuth, CreatedAt: m.CreatedAt}
}

func (a *API) postMessage(r *http.Request) (int, any, error) {
	var in struct {
		Author    string `json:"author"`
		Recipient string `json:"recipient"`
		Body      string `json:"body"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	t, err := a.transaction(r)
	if err != nil {
		return 0, nil, err
	}
	author, err := a.store.PersonByExternalID(r.Context(), in.Author)
	if errors.Is(err, threads.ErrNotFound) {
		return 0, nil, &threads.ValidationError{Field: "author", Problem: "no such person"}
	} else if err != nil {
		return 0, nil, err // the store could not answer: a 500 the client may retry
	}
	recipient, err := a.store.PersonByExternalID(r.Context(), in.Recipient)
	if errors.Is(err, threads.ErrNotFound) {
		return 0, nil, &threads.ValidationError{Field: "recipient", Problem: "no such person"}
	} else if err != nil {
		return 0, nil, err
	}
	// An Idempotency-Key makes a retried request safe: the same key from
	// the same author returns the stored message instead of a second one.
	m, err := a.store.PostMessage(r.Context(), threads.NewMessage{TransactionID: t.ID, AuthorID: author.ID,
		RecipientID: recipient.ID, Body: in.Body, Source: threads.SourceWeb, Key: r.Header.Get("Idempotency-Key")})
	if errors.Is(err, threads.ErrNotFound) {
		err = &threads.ValidationError{Field: "author", Problem: "does not work on this company"}
	}
	if err != nil {
		return 0, nil, err
	}
	m.AuthorExternalID, m.RecipientExternalID = author.ExternalID, recipient.ExternalID
	if m.Repeated {
		return http.StatusOK, toAPIMessage(m), nil
	}
	return http.StatusCreated, toAPIMessage(m), nil
}

func (a *API) getMessages(r *http.Request) (int, any, error) {
	t, err := a.transaction(r)
	if err != nil {
		return 0, nil, err
	}
	ms, err := a.store.Messages(r.Context(), t.ID)
	out := []apiMessage{}
	for _, m := range ms {
		out = append(out, toAPIMessage(m))
	}
	return http.StatusOK, map[string]any{"messages": out}, err
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
