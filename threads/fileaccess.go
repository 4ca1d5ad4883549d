package threads

import "context"

// FileLimits returns the limits the store holds messages' files to, with
// defaults filled in, so a web form can bound a request before it is read.
func (s *Store) FileLimits() FileLimits {
	l := s.fileLimits
	l.fill()
	return l
}

// MessageFiles returns one message's files in the order they were given,
// with their ids: what a post's answer links to.
func (s *Store) MessageFiles(ctx context.Context, messageID int64) ([]File, error) {
	ms := []Message{{ID: messageID}}
	if err := s.fillFiles(ctx, ms); err != nil {
		return nil, err
	}
	return ms[0].Files, nil
}
