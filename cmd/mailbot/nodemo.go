//go:build nodemo

package main

import (
	"context"
	"errors"
	"io"
)

// The nodemo build is the production binary: without the demo and the
// bench it links none of their in-process mail servers and private Postgres.
var errNoDemo = errors.New("this binary was built with -tags nodemo, without the demo and the bench; build it without the tag, or run: go run ./cmd/mailbot demo")

func runDemo(context.Context, []string, func(string) string, io.Writer) error  { return errNoDemo }
func runBench(context.Context, []string, func(string) string, io.Writer) error { return errNoDemo }
