package inbound

import (
	"bufio"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// sniffSize is how much of a part is read to tell whether its declared
// charset is wrong.
const sniffSize = 16 << 10

var installOnce sync.Once

// InstallCharsetReader makes go-message, process-wide, read a part that
// declares a legacy charset but holds valid UTF-8 as UTF-8, as some mail
// programs send it. go-message keeps its charset reader in a package
// variable, so this changes the whole process: the command that wires the
// process calls it once, before mail is read (tests, in their TestMain).
// Calling it again does nothing.
func InstallCharsetReader() {
	installOnce.Do(installCharsetReader)
}

// charsetAliases are names mail programs give charsets that the registries
// lack: older Chinese clients label GB2312 "eucgb2312_cn".
var charsetAliases = map[string]encoding.Encoding{"eucgb2312_cn": simplifiedchinese.GBK, "euc-cn": simplifiedchinese.GBK}

func installCharsetReader() {
	for name, enc := range charsetAliases {
		charset.RegisterEncoding(name, enc)
	}
	declared := message.CharsetReader
	message.CharsetReader = func(charset string, input io.Reader) (io.Reader, error) {
		// An unknown charset leaves the part as it is, so input must not
		// be read before that is known.
		if _, err := declared(charset, strings.NewReader("")); err != nil {
			return nil, err
		}
		br := bufio.NewReaderSize(input, sniffSize)
		if !strings.HasPrefix(charset, "utf-16") && !strings.HasPrefix(charset, "utf-32") && mislabelledUTF8(br) {
			return br, nil
		}
		return declared(charset, br)
	}
}

// mislabelledUTF8 says a part that declares a legacy charset is really
// UTF-8, as some mail programs send it: its first bytes hold multi-byte
// UTF-8 sequences and nothing that is not UTF-8. Text in a legacy charset
// (Latin-1 accents, Big5, Shift_JIS) almost never reads as valid UTF-8.
func mislabelledUTF8(br *bufio.Reader) bool {
	head, err := br.Peek(sniffSize)
	if err == nil {
		// The peek may end inside a character.
		for k := 0; k < utf8.UTFMax && len(head) > 0 && !utf8.RuneStart(head[len(head)-1]); k++ {
			head = head[:len(head)-1]
		}
		if len(head) > 0 && head[len(head)-1] >= utf8.RuneSelf {
			head = head[:len(head)-1]
		}
	}
	high := false
	for _, b := range head {
		if b >= utf8.RuneSelf {
			high = true
			break
		}
	}
	return high && utf8.Valid(head)
}
