package threads

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"net/http"
	"path"
	"strings"
	"unicode/utf8"
)

// File is one file that came with a message. A refused file has a reason
// and no body.
type File struct {
	ID          int64  `db:"id"`
	MessageID   int64  `db:"message_id"`
	Name        string `db:"name"`
	ContentType string `db:"content_type"` // sniffed from the content
	Size        int64  `db:"size"`
	SHA256      []byte `db:"sha256"`
	Storage     string `db:"storage"` // "db", "bucket", "" when refused
	Refused     string `db:"refused"` // why it was not accepted, in English; "" when it was
	// RefusedReason and RefusedLimit say why as data, for each reader's
	// language; "" for files refused before reasons were kept.
	RefusedReason Refusal `db:"refused_reason"`
	RefusedLimit  int64   `db:"refused_limit"`
}

// Refusal is why a file was not accepted.
type Refusal string

// Reasons a file is refused; the limit a file passed goes with the first
// four (a count of files for RefusedTooMany, else bytes).
const (
	RefusedTooMany       Refusal = "too_many"
	RefusedFileTooLarge  Refusal = "file_too_large"
	RefusedTotalTooLarge Refusal = "total_too_large"
	RefusedMailPart      Refusal = "mail_part_too_large" // a part over what one email may carry here
	RefusedProgram       Refusal = "program"
)

// Accepted reports whether the file was stored.
func (f File) Accepted() bool { return f.Refused == "" }

// Hash is the file's SHA-256 in hex, the key of its body.
func (f File) Hash() string { return hex.EncodeToString(f.SHA256) }

// IsRasterImage reports whether the file is an image a browser may show
// inline: never SVG or anything else that can carry script.
func (f File) IsRasterImage() bool {
	switch f.ContentType {
	case "image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp":
		return f.Accepted()
	}
	return false
}

// NewFile is a file about to be posted with a message.
type NewFile struct {
	Name string // as the sender gave it; cleaned before it is stored
	Data []byte
	// Size is the file's size when Data was not kept (Refused set already,
	// for a file over a limit); otherwise len(Data).
	Size int64
	// Refused, when set by the caller, records the file without its body,
	// for the reason and limit given.
	Refused      Refusal
	RefusedLimit int64
}

// FileLimits bound what one message may carry; zero values mean defaults.
type FileLimits struct {
	MaxFileBytes  int64 // one file; default 20 MiB
	MaxFiles      int   // files on one message; default 10
	MaxTotalBytes int64 // all of a message's files; default 25 MiB
}

func (l *FileLimits) fill() {
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = 20 << 20
	}
	if l.MaxFiles <= 0 {
		l.MaxFiles = 10
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = 25 << 20
	}
}

// MaxFileNameBytes is the longest file name kept.
const MaxFileNameBytes = 200

// preparedFile is a NewFile checked against the rules, ready to store.
type preparedFile struct {
	File
	data []byte
}

// prepareFiles cleans names, sniffs types and refuses what the rules
// refuse: executables and scripts, and files over the limits.
func prepareFiles(files []NewFile, limits FileLimits) []preparedFile {
	limits.fill()
	out := make([]preparedFile, 0, len(files))
	var total int64
	for i, nf := range files {
		f := preparedFile{File: File{Name: CleanFileName(nf.Name), Size: nf.Size, RefusedReason: nf.Refused, RefusedLimit: nf.RefusedLimit}}
		if nf.Data != nil {
			f.Size = int64(len(nf.Data))
		}
		f.ContentType = SniffType(f.Name, nf.Data)
		switch {
		case f.RefusedReason != "":
		case i >= limits.MaxFiles:
			f.RefusedReason, f.RefusedLimit = RefusedTooMany, int64(limits.MaxFiles)
		case f.Size > limits.MaxFileBytes:
			f.RefusedReason, f.RefusedLimit = RefusedFileTooLarge, limits.MaxFileBytes
		case total+f.Size > limits.MaxTotalBytes:
			f.RefusedReason, f.RefusedLimit = RefusedTotalTooLarge, limits.MaxTotalBytes
		case IsExecutable(f.Name, f.ContentType):
			f.RefusedReason = RefusedProgram
		}
		f.Refused = f.RefusedReason.English(f.RefusedLimit)
		if f.Refused == "" {
			sum := sha256.Sum256(nf.Data)
			f.SHA256, f.data, total = sum[:], nf.Data, total+f.Size
		}
		out = append(out, f)
	}
	return out
}

// English words the refusal for the log and the API; "" for none.
func (r Refusal) English(limit int64) string {
	switch r {
	case "":
		return ""
	case RefusedTooMany:
		return fmt.Sprintf("more than %d files on one message", limit)
	case RefusedFileTooLarge:
		return fmt.Sprintf("larger than the %s limit for one file", FormatSize(limit))
	case RefusedTotalTooLarge:
		return fmt.Sprintf("the message's files would pass the %s limit", FormatSize(limit))
	case RefusedMailPart:
		return "larger than the largest file an email may carry here"
	case RefusedProgram:
		return "programs and scripts are not accepted"
	}
	return string(r)
}

// CleanFileName keeps the last path element of a name, without control
// characters, at most MaxFileNameBytes long; "file" when nothing is left.
func CleanFileName(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	name = name[strings.LastIndexAny(name, `/\`)+1:]
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	for len(name) > MaxFileNameBytes {
		ext := path.Ext(name)
		if len(ext) > 16 {
			ext = ""
		}
		cut := MaxFileNameBytes - len(ext)
		for cut > 0 && !utf8.RuneStart(name[cut]) {
			cut--
		}
		name = name[:cut] + ext
	}
	if name == "" || name == "." || name == ".." {
		return "file"
	}
	return name
}

// executableExtensions are refused whatever the content looks like: the
// systems that run them go by the name.
var executableExtensions = map[string]bool{
	".exe": true, ".com": true, ".scr": true, ".pif": true, ".cpl": true, ".dll": true, ".sys": true,
	".bat": true, ".cmd": true, ".ps1": true, ".psm1": true, ".psd1": true, ".vbs": true, ".vbe": true,
	".js": true, ".jse": true, ".mjs": true, ".wsf": true, ".wsh": true, ".hta": true, ".msi": true,
	".msp": true, ".mst": true, ".jar": true, ".lnk": true, ".reg": true, ".inf": true, ".scf": true,
	".sh": true, ".bash": true, ".zsh": true, ".csh": true, ".command": true, ".app": true, ".apk": true,
	".appx": true, ".msix": true, ".ocx": true, ".gadget": true, ".application": true, ".xbap": true,
	".py": true, ".pyw": true, ".pl": true, ".rb": true, ".php": true, ".elf": true, ".run": true,
	".dmg": true, ".pkg": true, ".deb": true, ".rpm": true, ".iso": true, ".img": true, ".vhd": true,
	".vhdx": true, ".chm": true, ".url": true, ".library-ms": true, ".settingcontent-ms": true,
}

// executableTypes are the sniffed types of programs and scripts.
var executableTypes = map[string]bool{
	"application/x-msdownload": true, "application/x-executable": true, "application/x-mach-binary": true,
	"application/java-vm": true, "text/x-shellscript": true,
}

// IsExecutable reports whether a file is a program or a script, by its name
// (Windows ignores trailing dots and spaces) or its content.
func IsExecutable(name, sniffed string) bool {
	ext := strings.ToLower(path.Ext(strings.TrimRight(name, ". ")))
	return executableExtensions[ext] || executableTypes[sniffed]
}

// SniffType finds a file's type from its content; the name only refines
// a generic answer (a ZIP that is a .docx, text that is CSV). What the
// sender declared is never trusted.
func SniffType(name string, data []byte) string {
	for _, m := range magics {
		if len(data) >= m.offset+len(m.prefix) && bytes.Equal(data[m.offset:m.offset+len(m.prefix)], m.prefix) {
			return m.contentType
		}
	}
	t, _, _ := strings.Cut(http.DetectContentType(data), ";")
	byName, _, _ := strings.Cut(mime.TypeByExtension(strings.ToLower(path.Ext(name))), ";")
	switch {
	case t == "application/zip" && strings.HasPrefix(byName, "application/vnd."):
		return byName // OOXML and OpenDocument files are ZIP archives
	case t == "application/octet-stream" && len(data) >= 8 && bytes.Equal(data[:8], oleMagic) && strings.HasPrefix(byName, "application/"):
		return byName // legacy Office files
	case t == "text/plain" && strings.HasPrefix(byName, "text/") && byName != "text/html" && byName != "text/javascript":
		return byName // CSV, calendar, ...
	}
	return t
}

var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

var magics = []struct {
	offset      int
	prefix      []byte
	contentType string
}{
	{0, []byte("MZ"), "application/x-msdownload"},
	{0, []byte("\x7fELF"), "application/x-executable"},
	{0, []byte{0xFE, 0xED, 0xFA, 0xCE}, "application/x-mach-binary"},
	{0, []byte{0xFE, 0xED, 0xFA, 0xCF}, "application/x-mach-binary"},
	{0, []byte{0xCE, 0xFA, 0xED, 0xFE}, "application/x-mach-binary"},
	{0, []byte{0xCF, 0xFA, 0xED, 0xFE}, "application/x-mach-binary"},
	{0, []byte{0xCA, 0xFE, 0xBA, 0xBE}, "application/java-vm"},
	{0, []byte("#!"), "text/x-shellscript"},
	{4, []byte("ftypheic"), "image/heic"},
	{4, []byte("ftypheix"), "image/heic"},
	{4, []byte("ftypmif1"), "image/heif"},
}

// FormatSize writes a byte count as people read it: 512 B, 1.2 MB.
func FormatSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.0f KB", float64(n)/1000)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1f GB", float64(n)/1e9)
}
