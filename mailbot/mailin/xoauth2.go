package mailin

import (
	"context"
	"errors"
	"fmt"

	"github.com/emersion/go-imap/v2/imapclient"

	"mailbot/internal/xoauth2"
)

// TokenFunc returns a current OAuth 2.0 access token for the mailbox's
// user, refreshing it when needed.
type TokenFunc = xoauth2.TokenFunc

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
	if err := c.Authenticate(xoauth2.NewClient(p.opts.Username, token)); err != nil {
		return fmt.Errorf("imap: XOAUTH2 log in to %s as %s: %w", p.opts.Addr, p.opts.Username, err)
	}
	return nil
}
