package demo

import (
	"net/http"

	"mailbot/internal/demomail"
)

// Addresses of the service in the demo's mail world: every person's mail and
// the service's replies stay in it.
const (
	From     = "notifications@mailbot.test"
	Reply    = "reply+{token}@reply.mailbot.test"
	BotInbox = "replies@mailbot.test"
)

// MailOptions say where the mail world listens and which mail it hands to
// the service's inbox.
type MailOptions struct {
	SMTPAddr, IMAPAddr string
	MaxBytes           int64
	IsReplyAddress     func(addr string) bool
}

// Mail is the running mail world with the addresses it took.
type Mail struct {
	*demomail.World
	smtpAddr, imapAddr string
}

func (m *Mail) SMTPAddr() string { return m.smtpAddr }
func (m *Mail) IMAPAddr() string { return m.imapAddr }

// StartMail gives every person of w a mailbox, and the service one. Its
// errors are demomail.Start's, which say which server could not listen.
func StartMail(w World, o MailOptions) (*Mail, error) {
	var users []string
	for _, p := range w.People {
		users = append(users, p.Person.PrimaryEmail())
	}
	mw, err := demomail.Start(demomail.Options{SMTPAddr: o.SMTPAddr, IMAPAddr: o.IMAPAddr, Users: users,
		Password: Password, BotUser: BotInbox, MaxBytes: o.MaxBytes, IsReplyAddress: o.IsReplyAddress})
	if err != nil {
		return nil, err
	}
	return &Mail{World: mw, smtpAddr: o.SMTPAddr, imapAddr: o.IMAPAddr}, nil
}

// Inbox adds the demo inbox pages to a mux.
func (m *Mail) Inbox(w World) func(*http.ServeMux) {
	names := map[string]string{}
	for _, p := range w.People {
		names[p.Person.PrimaryEmail()] = p.Person.Name
	}
	return demomail.NewInbox(m.World, names).Register
}
