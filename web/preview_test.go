package web

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// exifJPEG is a w×h JPEG whose left half is red and right half blue, with an
// EXIF Orientation tag in the given byte order (no tag for orientation 0).
func exifJPEG(t testing.TB, w, h, orientation int, order binary.ByteOrder) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{200, 0, 0, 255}
			if x >= w/2 {
				c = color.RGBA{0, 0, 200, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, img, nil); err != nil {
		t.Fatal(err)
	}
	if orientation == 0 {
		return out.Bytes()
	}
	return withOrientation(out.Bytes(), orientation, order)
}

// withOrientation puts an APP1 EXIF segment with one Orientation entry
// right after a JPEG's start-of-image marker.
func withOrientation(j []byte, orientation int, order binary.ByteOrder) []byte {
	var tiff bytes.Buffer
	if order == binary.LittleEndian {
		tiff.WriteString("II*\x00")
	} else {
		tiff.WriteString("MM\x00*")
	}
	put := func(v any) { binary.Write(&tiff, order, v) }
	put(uint32(8))               // first IFD right after the header
	put(uint16(2))               // two entries: one before the orientation
	put([]uint16{0x010F, 2})     // Make, ASCII
	put([]uint32{4, 0x41424300}) // count 4, "ABC\0" in place
	put([]uint16{0x0112, 3})     // Orientation, SHORT
	put(uint32(1))               // one value
	put([]uint16{uint16(orientation), 0})
	put(uint32(0)) // no next IFD
	seg := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	app1 := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	return append(append(append([]byte{}, j[:2]...), append(app1, seg...)...), j[2:]...)
}

func TestJPEGOrientation(t *testing.T) {
	t.Parallel()
	plain := exifJPEG(t, 8, 4, 0, nil)
	cases := []struct {
		name string
		data []byte
		want int
	}{
		{"no EXIF", plain, 1},
		{"little-endian 6", withOrientation(plain, 6, binary.LittleEndian), 6},
		{"big-endian 8", withOrientation(plain, 8, binary.BigEndian), 8},
		{"out of range", withOrientation(plain, 9, binary.BigEndian), 1},
		{"cut short", withOrientation(plain, 6, binary.BigEndian)[:30], 1},
		{"not a JPEG", []byte("%PDF-1.4"), 1},
		{"empty", nil, 1},
	}
	for _, c := range cases {
		if got := jpegOrientation(c.data); got != c.want {
			t.Errorf("%s: orientation %d, want %d", c.name, got, c.want)
		}
	}
}

// TestPreviewOrientation turns a wide photo whose left half is red by each
// orientation and checks which colour ends up on top and left.
func TestPreviewOrientation(t *testing.T) {
	t.Parallel()
	red, blue := "red", "blue"
	cases := []struct {
		orientation   int
		w, h          int
		left, topLeft string // colour at the middle of the left edge; at the top-left corner
		top           string // colour at the middle of the top edge
	}{
		{1, 480, 240, red, red, ""},
		{3, 480, 240, blue, blue, ""},
		{6, 240, 480, "", red, red},   // turned clockwise: the left half ends on top
		{8, 240, 480, "", blue, blue}, // turned counter-clockwise: the right half ends on top
	}
	for _, c := range cases {
		p, err := makePreview("image/jpeg", exifJPEG(t, 960, 480, c.orientation, binary.BigEndian), previewSide)
		if err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(bytes.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		if b.Dx() != c.w || b.Dy() != c.h {
			t.Errorf("orientation %d: preview is %dx%d, want %dx%d", c.orientation, b.Dx(), b.Dy(), c.w, c.h)
			continue
		}
		check := func(where string, x, y int, want string) {
			if want != "" && colourName(img.At(x, y)) != want {
				t.Errorf("orientation %d: %s is %s, want %s", c.orientation, where, colourName(img.At(x, y)), want)
			}
		}
		check("top-left", 4, 4, c.topLeft)
		check("left edge", 4, b.Dy()/2, c.left)
		check("top edge", b.Dx()/2, 4, c.top)
	}
}

func colourName(c color.Color) string {
	r, _, b, _ := c.RGBA()
	if r > b {
		return "red"
	}
	return "blue"
}

func TestPreviewRefusesHugeCanvas(t *testing.T) {
	t.Parallel()
	// A PNG header that claims 100000×100000 pixels: a few bytes that would
	// take 40 GB to decode.
	var png bytes.Buffer
	png.WriteString("\x89PNG\r\n\x1a\n")
	binary.Write(&png, binary.BigEndian, uint32(13))
	png.WriteString("IHDR")
	binary.Write(&png, binary.BigEndian, []uint32{100000, 100000})
	png.Write([]byte{8, 6, 0, 0, 0})
	binary.Write(&png, binary.BigEndian, uint32(0)) // CRC, not checked by DecodeConfig
	if _, err := makePreview("image/png", png.Bytes(), previewSide); err == nil {
		t.Error("a preview was made of a 10-gigapixel image")
	}
}

func TestContentDisposition(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, want string }{
		{"receipt.pdf", `attachment; filename="receipt.pdf"`},
		{"recibo año.pdf", `attachment; filename="recibo a_o.pdf"; filename*=UTF-8''recibo%20a%C3%B1o.pdf`},
		{`a"b\c%.txt`, `attachment; filename="a_b_c_.txt"; filename*=UTF-8''a%22b%5Cc%25.txt`},
		{"<script>x.pdf", `attachment; filename="<script>x.pdf"`},
	}
	for _, c := range cases {
		if got := contentDisposition("attachment", c.name); got != c.want {
			t.Errorf("%q: %s, want %s", c.name, got, c.want)
		}
	}
}
