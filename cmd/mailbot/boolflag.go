package main

import (
	"errors"
	"flag"
	"strconv"

	"mailbot/internal/envbool"
)

// boolFlag is an on/off flag that takes the spellings the environment
// variables take (--fresh, --fresh=yes, --fresh=off).
type boolFlag bool

func (b *boolFlag) IsBoolFlag() bool { return true }
func (b *boolFlag) String() string   { return strconv.FormatBool(bool(*b)) }

func (b *boolFlag) Set(s string) error {
	v, ok := envbool.Parse(s)
	if !ok {
		return errors.New("want " + envbool.Spellings)
	}
	*b = boolFlag(v)
	return nil
}

// boolVar defines an on/off flag, off unless given.
func boolVar(fs *flag.FlagSet, p *bool, name, usage string) { fs.Var((*boolFlag)(p), name, usage) }

// newBool defines an on/off flag, off unless given, and returns its value.
func newBool(fs *flag.FlagSet, name, usage string) *bool {
	p := new(bool)
	boolVar(fs, p, name, usage)
	return p
}
