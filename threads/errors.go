package threads

import (
	"errors"
	"strings"
)

// Sentinel errors that callers decide on with errors.Is.
var (
	// ErrNotFound covers both a missing record and one the caller may not see,
	// so a non-member cannot learn that a transaction exists.
	ErrNotFound = errors.New("not found")
	// ErrInvalid marks input that breaks a domain rule; the wrapping
	// *ValidationError says which.
	ErrInvalid = errors.New("invalid input")
	// ErrNotAllowedKind marks a transaction kind that does not allow
	// conversations; the wrapping *KindError says which.
	ErrNotAllowedKind = errors.New("conversations not allowed on this kind")

	ErrTokenNotFound = errors.New("reply token not found")
	ErrTokenExpired  = errors.New("reply token expired")
	ErrTokenRevoked  = errors.New("reply token revoked")

	// ErrUnreachable marks a database that does not answer (Store.Ready).
	ErrUnreachable = errors.New("database unreachable")
)

// ValidationError says which field broke which rule, in words a person can read.
type ValidationError struct {
	Field   string
	Problem string // in English, for the log, the command line and the API
	// Rule names the rule for the words of each reader's language (the
	// catalogue's "invalid.<Rule>"); Args fill its placeholders as name,
	// value pairs. Rule is "" where only Problem says it.
	Rule  string
	Args  []string
	empty bool // a message with nothing in it
}

// ErrEmpty marks a message with no words and no files; errors.Is finds it
// in the ValidationError that says so.
var ErrEmpty = errors.New("empty message")

func (e *ValidationError) Error() string { return e.Field + ": " + e.Problem }

// Is makes errors.Is(err, ErrInvalid) true for every validation error.
func (e *ValidationError) Is(target error) bool {
	return target == ErrInvalid || (target == ErrEmpty && e.empty)
}

// Invalid is the ValidationError of field breaking rule; english words it
// with {name} placeholders filled from args, given as name, value pairs.
func Invalid(field, rule, english string, args ...string) *ValidationError {
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+args[i]+"}", args[i+1])
	}
	// One pass: a value holding "{list}" is not filled again.
	problem := strings.NewReplacer(pairs...).Replace(english)
	return &ValidationError{Field: field, Problem: problem, Rule: rule, Args: args}
}

func invalid(field, rule, english string, args ...string) error {
	return Invalid(field, rule, english, args...)
}

// KindError is the refusal of a conversation on a transaction kind.
type KindError struct {
	Kind Kind
}

func (e *KindError) Error() string {
	return "conversations are not available on " + e.Kind.Plural()
}

// Is makes errors.Is(err, ErrNotAllowedKind) true for every kind refusal.
func (e *KindError) Is(target error) bool { return target == ErrNotAllowedKind }
