package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"

	"mailbot/threads"
)

// upload is a multipart/form-data post read within the store's file limits:
// its text fields, and its files in the order they came.
type upload struct {
	fields url.Values
	files  []threads.NewFile
}

const (
	// maxFieldBytes bounds one text field: a message body with room for
	// JSON escapes when the API sends it as one "message" field.
	maxFieldBytes = 8 * threads.MaxBodyBytes
	maxFields     = 20
	// uploadHeadroom is what a post may carry besides its files: the text
	// fields and the multipart framing.
	uploadHeadroom = maxFields*1024 + 2*maxFieldBytes
)

// tooLargeError says a post carried more than a message may: it was not read
// to its end, and nothing of it was stored.
type tooLargeError struct{ Limit int64 }

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("the files are larger than the %s one message may carry", threads.FormatSize(e.Limit))
}

func isMultipart(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "multipart/form-data"
}

// readUpload reads a multipart post as it streams in. A file over the
// one-file limit, or past the number of files a message may have, is kept as
// its name and size only, so the message says it was not accepted; a body
// larger than all files together may be, plus the text, is refused whole.
func readUpload(w http.ResponseWriter, r *http.Request, limits threads.FileLimits) (upload, error) {
	r.Body = http.MaxBytesReader(w, r.Body, limits.MaxTotalBytes+uploadHeadroom)
	u := upload{fields: url.Values{}}
	mr, err := r.MultipartReader()
	if err != nil {
		return u, errBadForm
	}
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			return u, nil
		}
		if err == nil {
			err = u.add(part, n, limits)
		}
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			return u, &tooLargeError{Limit: limits.MaxTotalBytes}
		case err != nil:
			return u, err
		}
	}
}

var errBadForm = threads.Invalid("form", "bad_form", "is not multipart/form-data that this service can read")

// add reads one part: a text field, or a file of the field "files".
func (u *upload) add(part *multipart.Part, n int, limits threads.FileLimits) error {
	defer part.Close()
	if part.FileName() == "" {
		if part.FormName() == "files" { // a file input left empty
			_, err := io.Copy(io.Discard, part)
			return err
		}
		if n >= maxFields+2*limits.MaxFiles {
			return threads.Invalid("form", "too_many_fields", "has too many fields")
		}
		v, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
		if err == nil && len(v) > maxFieldBytes {
			err = threads.Invalid(part.FormName(), "too_long", "is too long")
		}
		u.fields.Add(part.FormName(), string(v))
		return err
	}
	if part.FormName() != "files" {
		return threads.Invalid(part.FormName(), "file_field", `is a file; files come in the field "files"`)
	}
	if len(u.files) >= 2*limits.MaxFiles {
		return threads.Invalid("files", "too_many_files", "are more than {limit}", "limit", strconv.Itoa(limits.MaxFiles))
	}
	return u.addFile(part, limits)
}

// addFile keeps a file's body, or only its size when the rules will refuse
// it anyway.
func (u *upload) addFile(part *multipart.Part, limits threads.FileLimits) error {
	keep := int64(len(u.files)) < int64(limits.MaxFiles)
	var data []byte
	var err error
	if keep {
		data, err = io.ReadAll(io.LimitReader(part, limits.MaxFileBytes+1))
		if err != nil {
			return err
		}
	}
	if !keep || int64(len(data)) > limits.MaxFileBytes {
		rest, err := io.Copy(io.Discard, part)
		if err != nil {
			return err
		}
		u.files = append(u.files, threads.NewFile{Name: part.FileName(), Size: int64(len(data)) + rest})
		return nil
	}
	u.files = append(u.files, threads.NewFile{Name: part.FileName(), Data: data})
	return nil
}

// readForm reads a post's fields, and its files when it is multipart.
func readForm(w http.ResponseWriter, r *http.Request, limits threads.FileLimits) (upload, error) {
	if isMultipart(r) {
		return readUpload(w, r, limits)
	}
	r.Body = http.MaxBytesReader(w, r.Body, uploadHeadroom)
	if err := r.ParseForm(); err != nil {
		return upload{fields: url.Values{}}, errBadForm
	}
	return upload{fields: r.PostForm}, nil
}
