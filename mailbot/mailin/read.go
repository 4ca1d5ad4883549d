package mailin

import (
	"bytes"
	"io"

	"mailbot/mailbot/inbound"
)

// maxKeptHeader is how much of an oversized mail's header is kept.
const maxKeptHeader = 256 << 10

// readLimited reads a mail of at most max bytes. A larger one is read to its
// end (to know its size and free the sender) but only its header is kept,
// so memory stays bounded by max whatever arrives.
func readLimited(r io.Reader, max int64) (raw []byte, size int64, tooLarge bool, err error) {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, max+1))
	if err != nil {
		return nil, n, false, err
	}
	if n <= max {
		return buf.Bytes(), n, false, nil
	}
	rest, err := io.Copy(io.Discard, r)
	return headerOnly(buf.Bytes()), n + rest, true, err
}

// headerOnly keeps a mail's header block, at most maxKeptHeader bytes.
func headerOnly(raw []byte) []byte {
	return bytes.Clone(raw[:min(inbound.HeaderLen(raw), maxKeptHeader)])
}
