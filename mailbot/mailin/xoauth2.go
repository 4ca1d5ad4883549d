package mailin

import (
	"context"
	"errors"
	"fmt"

	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
)

// TokenFunc returns a current OAuth 2.0 access token for the mailbox's
// user, refreshing it when needed.
type TokenFunc func(ctx context.Context) (string, error)

// xoauth2 is the SASL XOAUTH2 mechanism that Gmail and Microsoft 365 take
// for IMAP: the user name and a bearer token in one initial response.
type xoauth2 struct {
	username, token string
}

func (x *xoauth2) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.username + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

// Next answers the server's error challenge (a JSON status) with an empty
// response, after which the server ends the exchange with NO.
func (x *xoauth2) Next(challenge []byte) ([]byte, error) {
	return []byte{}, nil
}

var _ sasl.Client = (*xoauth2)(nil)

// logIn authenticates as the options say: XOAUTH2 with a fresh token when
// there is a token source, else LOGIN with the password.
func (p *Poller) logIn(ctx context.Context, c *imapclient.Client) error {
	if p.opts.Token == nil {
		if err := c.Login(p.opts.Username, p.opts.Password).Wait(); err != nil {
			return fmt.Errorf("imap: log in to %s as %s: %w", p.opts.Addr, p.opts.Username, err)
		}
		return nil
	}
	token, err := p.opts.Token(ctx)
	if err != nil {
		return fmt.Errorf("imap: OAuth token for %s: %w", p.opts.Username, err)
	}
	if token == "" {
		return errors.New("imap: the OAuth token endpoint returned an empty access token")
	}
	if err := c.Authenticate(&xoauth2{username: p.opts.Username, token: token}); err != nil {
		return fmt.Errorf("imap: XOAUTH2 log in to %s as %s: %w", p.opts.Addr, p.opts.Username, err)
	}
	return nil
}
