package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"mailbot/threads"
)

type apiMessage struct {
	ID        int64  `json:"id"`
	Author    string `json:"author"`
	Recipient string `json:"recipient"`
	Body      string `json:"body"`
	Elided    string `json:"elided"`
	Source    string `json:"source"`
	// SenderAuth, for a message made from an email: dmarc, dkim or spf
	// (what verified its sender), none (not verified) or fail.
	SenderAuth  string          `json:"sender_auth,omitempty"`
	CreatedAt   time.Time       `json:"created_at"`
	Attachments []apiAttachment `json:"attachments"`
}

// apiAttachment is a file of a message. A refused one says why, and has no
// body to download.
type apiAttachment struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Type    string `json:"type"`
	Size    int64  `json:"size"`
	SHA256  string `json:"sha256,omitempty"`
	URL     string `json:"url,omitempty"`
	Refused string `json:"refused"`
	// RefusedReason is the reason as a code (too_many, file_too_large,
	// total_too_large, mail_part_too_large, program), for a client to word.
	RefusedReason string `json:"refused_reason,omitempty"`
}

// toAPIMessage shows m; attachmentsPath is where its transaction's files
// are downloaded, each under its id.
func toAPIMessage(m threads.Message, attachmentsPath string) apiMessage {
	out := apiMessage{ID: m.ID, Author: m.AuthorExternalID, Recipient: m.RecipientExternalID, Body: m.Body,
		Elided: m.Elided, Source: string(m.Source), SenderAuth: m.SenderAuth, CreatedAt: m.CreatedAt,
		Attachments: make([]apiAttachment, len(m.Files))}
	for i, f := range m.Files {
		a := apiAttachment{ID: f.ID, Name: f.Name, Type: f.ContentType, Size: f.Size, Refused: f.Refused, RefusedReason: string(f.RefusedReason)}
		if f.Accepted() {
			a.SHA256, a.URL = f.Hash(), attachmentsPath+strconv.FormatInt(f.ID, 10)
		}
		out.Attachments[i] = a
	}
	return out
}

// attachmentsPath is the API path of the files of the transaction in r's path.
func attachmentsPath(r *http.Request) string {
	return "/api/v1/companies/" + url.PathEscape(r.PathValue("company")) +
		"/transactions/" + url.PathEscape(r.PathValue("txn")) + "/attachments/"
}

// apiPost is a message as the API takes it.
type apiPost struct {
	Author    string `json:"author"`
	Recipient string `json:"recipient"`
	Body      string `json:"body"`
}

// readPost reads a message from a JSON body, or from multipart/form-data:
// the same fields as form fields (or as one JSON "message" field) and files
// in "files".
func (a *API) readPost(w http.ResponseWriter, r *http.Request) (apiPost, []threads.NewFile, error) {
	var in apiPost
	if !isMultipart(r) {
		return in, nil, decode(r, &in)
	}
	u, err := readUpload(w, r, a.store.FileLimits())
	if err != nil {
		return in, nil, err
	}
	for name := range u.fields {
		switch name {
		case "author", "recipient", "body", "message":
		default:
			return in, nil, threads.Invalid(name, "not_a_field", "is not a field of a message")
		}
	}
	if msg, ok := u.fields["message"]; ok {
		err = decodeJSON(strings.NewReader(msg[0]), &in)
	} else {
		in = apiPost{Author: u.fields.Get("author"), Recipient: u.fields.Get("recipient"), Body: u.fields.Get("body")}
	}
	return in, u.files, err
}

func (a *API) postMessage(w http.ResponseWriter, r *http.Request) (int, any, error) {
	in, files, err := a.readPost(w, r)
	if err != nil {
		return 0, nil, err
	}
	t, err := a.transaction(r)
	if err != nil {
		return 0, nil, err
	}
	author, err := a.store.PersonByExternalID(r.Context(), in.Author)
	if errors.Is(err, threads.ErrNotFound) {
		return 0, nil, threads.Invalid("author", "no_such_person", "no such person")
	} else if err != nil {
		return 0, nil, err // the store could not answer: a 500 the client may retry
	}
	recipient, err := a.store.PersonByExternalID(r.Context(), in.Recipient)
	if errors.Is(err, threads.ErrNotFound) {
		return 0, nil, threads.Invalid("recipient", "no_such_person", "no such person")
	} else if err != nil {
		return 0, nil, err
	}
	// An Idempotency-Key makes a retried request safe: the same key from
	// the same author returns the stored message instead of a second one.
	m, err := a.store.PostMessage(r.Context(), threads.NewMessage{TransactionID: t.ID, AuthorID: author.ID,
		RecipientID: recipient.ID, Body: in.Body, Source: threads.SourceAPI, Key: r.Header.Get("Idempotency-Key"),
		Files: files})
	if errors.Is(err, threads.ErrNotFound) {
		err = threads.Invalid("author", "not_member", "does not work on this company")
	}
	if err != nil {
		return 0, nil, err
	}
	// The answer links each file by its id, which a post does not return,
	// and a repeated post returns the message without its files.
	if len(files) > 0 || m.Repeated {
		if m.Files, err = a.store.MessageFiles(r.Context(), m.ID); err != nil {
			return 0, nil, err
		}
	}
	m.AuthorExternalID, m.RecipientExternalID = author.ExternalID, recipient.ExternalID
	if m.Repeated {
		return http.StatusOK, toAPIMessage(m, attachmentsPath(r)), nil
	}
	return http.StatusCreated, toAPIMessage(m, attachmentsPath(r)), nil
}

func (a *API) getMessages(r *http.Request) (int, any, error) {
	t, err := a.transaction(r)
	if err != nil {
		return 0, nil, err
	}
	ms, err := a.store.Messages(r.Context(), t.ID)
	out := []apiMessage{}
	path := attachmentsPath(r)
	for _, m := range ms {
		out = append(out, toAPIMessage(m, path))
	}
	return http.StatusOK, map[string]any{"messages": out}, err
}

// getAttachment downloads one file of a transaction's messages, with the
// same headers as the pages give it.
func (a *API) getAttachment(w http.ResponseWriter, r *http.Request) {
	t, err := a.transaction(r)
	var f threads.File
	if err == nil {
		f, err = a.fileInPath(r, t.ID)
	}
	if err == nil {
		err = serveFile(w, r, a.store, f)
	}
	if err != nil {
		a.answer(w, r, 0, nil, err)
	}
}

func (a *API) fileInPath(r *http.Request, txnID int64) (threads.File, error) {
	id, err := pathID(r, "file")
	if err != nil {
		return threads.File{}, err
	}
	return a.store.File(r.Context(), txnID, id)
}
