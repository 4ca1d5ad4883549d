package main

import (
	"encoding/hex"
	"fmt"
	"strings"

	"mailbot/threads"
)

// config is the service's configuration, read once from the environment and
// validated before anything starts.
type config struct {
	DatabaseURL string
	HTTPAddr    string
	TokenKey    []byte
}

// configVars documents every variable; the README's table follows it.
var configVars = []struct{ name, def, meaning string }{
	{"DATABASE_URL", "(required)", "Postgres connection string, e.g. postgres://mailbot:secret@db:5432/mailbot?sslmode=require"},
	{"MAILBOT_HTTP_ADDR", ":8080", "address the web server listens on"},
	{"MAILBOT_TOKEN_KEY", "(required)", "secret of at least 32 bytes, in hex, that reply tokens derive from; generate with `openssl rand -hex 32`; changing it invalidates every reply address sent so far"},
}

func loadConfig(env func(string) string) (config, error) {
	c := config{HTTPAddr: env("MAILBOT_HTTP_ADDR")}
	var err error
	if c.DatabaseURL, err = databaseURL(env); err != nil {
		return c, err
	}
	if c.HTTPAddr == "" {
		c.HTTPAddr = ":8080"
	}
	key, err := parseTokenKey(env("MAILBOT_TOKEN_KEY"))
	if err != nil {
		return c, err
	}
	c.TokenKey = key
	return c, nil
}

func databaseURL(env func(string) string) (string, error) {
	if url := env("DATABASE_URL"); url != "" {
		return url, nil
	}
	return "", fmt.Errorf("DATABASE_URL is not set: set it to the Postgres connection string (postgres://user:password@host:5432/db)")
}

func parseTokenKey(s string) ([]byte, error) {
	if s == "" {
		return nil, fmt.Errorf("MAILBOT_TOKEN_KEY is not set: generate one with `openssl rand -hex 32` and keep it")
	}
	key, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(key) < threads.MinTokenKeyLen {
		return nil, fmt.Errorf("MAILBOT_TOKEN_KEY must be at least %d bytes written in hex (%d hex digits): generate one with `openssl rand -hex 32`",
			threads.MinTokenKeyLen, 2*threads.MinTokenKeyLen)
	}
	return key, nil
}
