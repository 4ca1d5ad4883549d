// Package xoauth2 is the client side of SASL XOAUTH2, the mechanism Gmail
// and Microsoft 365 take for IMAP and SMTP with OAuth 2.0 access tokens.
package xoauth2

import (
	"context"

	"github.com/emersion/go-sasl"
)

// Mechanism is the SASL name of XOAUTH2.
const Mechanism = "XOAUTH2"

// TokenFunc returns a current OAuth 2.0 access token for the mailbox's
// user, refreshing it when needed.
type TokenFunc func(ctx context.Context) (string, error)

// client sends the user name and a bearer token in one initial response.
type client struct {
	username, token string
}

// NewClient returns a SASL client that logs username in with token.
func NewClient(username, token string) sasl.Client {
	return &client{username: username, token: token}
}

func (c *client) Start() (string, []byte, error) {
	return Mechanism, []byte("user=" + c.username + "\x01auth=Bearer " + c.token + "\x01\x01"), nil
}

// Next answers the server's error challenge (a JSON status) with an empty
// response, after which the server ends the exchange with a failure.
func (c *client) Next(challenge []byte) ([]byte, error) {
	return []byte{}, nil
}
