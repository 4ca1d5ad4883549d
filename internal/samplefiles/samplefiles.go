// Package samplefiles makes documents in code for the demo's seed and the
// benchmarks: a receipt as a PNG picture and as a PDF, so no binary file
// has to live in the repository.
package samplefiles

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// ReceiptPNG draws a shop receipt with the given lines, as a phone photo of
// one would show it.
func ReceiptPNG(lines []string) []byte {
	const w, lineHeight = 480, 22
	h := 120 + lineHeight*len(lines)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{236, 232, 222, 255}}, image.Point{}, draw.Src)
	paper := image.Rect(40, 20, w-40, h-20)
	draw.Draw(img, paper, &image.Uniform{color.White}, image.Point{}, draw.Src)
	d := font.Drawer{Dst: img, Src: &image.Uniform{color.RGBA{40, 40, 40, 255}}, Face: basicfont.Face7x13}
	for i, line := range append([]string{"RECEIPT", strings.Repeat("-", 40)}, lines...) {
		d.Dot = fixed.P(paper.Min.X+24, paper.Min.Y+36+i*lineHeight)
		d.DrawString(line)
	}
	var b bytes.Buffer
	png.Encode(&b, img) // writing to memory does not fail
	return b.Bytes()
}

// ReceiptPDF writes a one-page PDF with the given lines of text.
func ReceiptPDF(lines []string) []byte {
	var text strings.Builder
	text.WriteString("BT /F1 14 Tf 72 760 Td 18 TL (RECEIPT) Tj T*")
	for _, l := range lines {
		fmt.Fprintf(&text, " (%s) Tj T*", pdfEscape(l))
	}
	text.WriteString(" ET")
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", text.Len(), text.String()),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

func pdfEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(s)
}
