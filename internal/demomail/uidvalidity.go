package demomail

import (
	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
)

// The in-memory server starts every mailbox at UIDVALIDITY 1 and forgets its
// mail when the demo stops, so a restarted demo would number new mail from
// UID 1 again under the same UIDVALIDITY, and a client that remembers UIDs
// (the service's own poller among them) would take it for mail it has read.
// The server cannot be given a UIDVALIDITY, so the demo's sessions add the
// start time to every one they report, as servers that derive it from the
// clock do.

// epochSession is a user's session that reports every UIDVALIDITY shifted.
// It offers only what the demo announces (IMAP4rev1, UIDPLUS): MOVE and the
// STATUS of LIST would report the unshifted value, so they are left out.
type epochSession struct {
	imapserver.Session
	shift uint32
}

// newEpochSession wraps s so that a mailbox the server gives UIDVALIDITY 1
// reports epoch.
func newEpochSession(s imapserver.Session, epoch uint32) *epochSession {
	return &epochSession{Session: s, shift: epoch - 1}
}

func (s *epochSession) Select(mailbox string, options *imap.SelectOptions) (*imap.SelectData, error) {
	data, err := s.Session.Select(mailbox, options)
	if data != nil {
		data.UIDValidity += s.shift
	}
	return data, err
}

func (s *epochSession) Status(mailbox string, options *imap.StatusOptions) (*imap.StatusData, error) {
	data, err := s.Session.Status(mailbox, options)
	if data != nil && data.UIDValidity != 0 {
		data.UIDValidity += s.shift
	}
	return data, err
}

func (s *epochSession) Append(mailbox string, r imap.LiteralReader, options *imap.AppendOptions) (*imap.AppendData, error) {
	data, err := s.Session.Append(mailbox, r, options)
	if data != nil {
		data.UIDValidity += s.shift
	}
	return data, err
}

func (s *epochSession) Copy(numSet imap.NumSet, dest string) (*imap.CopyData, error) {
	data, err := s.Session.Copy(numSet, dest)
	if data != nil {
		data.UIDValidity += s.shift
	}
	return data, err
}

// List answers without the STATUS a client may ask for in LIST, which
// would carry the unshifted UIDVALIDITY; the client asks with STATUS then.
func (s *epochSession) List(w *imapserver.ListWriter, ref string, patterns []string, options *imap.ListOptions) error {
	if options != nil && options.ReturnStatus != nil {
		o := *options
		o.ReturnStatus = nil
		options = &o
	}
	return s.Session.List(w, ref, patterns, options)
}
