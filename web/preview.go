package web

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/bmp"
	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// previewSide is the longest side of a server-made preview, in pixels: sharp
// at half that size on a high-density screen, and a few tens of kilobytes
// where the photo it shows may be several megabytes.
const previewSide = 480

// maxPreviewPixels bounds the images the server decodes to make a preview:
// a small file can claim a huge canvas, and decoding holds 4 bytes a pixel.
const maxPreviewPixels = 50_000_000

var errNoPreview = errors.New("no preview for this image")

type imageCodec struct {
	decode       func(io.Reader) (image.Image, error)
	decodeConfig func(io.Reader) (image.Config, error)
}

// codecs are chosen by the sniffed type, never by what the sender declared.
var codecs = map[string]imageCodec{
	"image/jpeg": {jpeg.Decode, jpeg.DecodeConfig},
	"image/png":  {png.Decode, png.DecodeConfig},
	"image/gif":  {gif.Decode, gif.DecodeConfig}, // the first frame
	"image/webp": {webp.Decode, webp.DecodeConfig},
	"image/bmp":  {bmp.Decode, bmp.DecodeConfig},
}

// makePreview scales a raster image to fit in side×side, turned upright as
// its EXIF orientation says, flattened on white, as a JPEG. What the
// original carried besides its pixels (GPS position, camera) is left out.
func makePreview(contentType string, data []byte, side int) ([]byte, error) {
	codec, ok := codecs[contentType]
	if !ok {
		return nil, fmt.Errorf("preview of %s: %w", contentType, errNoPreview)
	}
	cfg, err := codec.decodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("preview: read image size: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxPreviewPixels {
		return nil, fmt.Errorf("preview of a %dx%d image: %w", cfg.Width, cfg.Height, errNoPreview)
	}
	src, err := codec.decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("preview: decode image: %w", err)
	}
	small := scale(src, side)
	if contentType == "image/jpeg" {
		small = orient(small, jpegOrientation(data))
	}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, small, &jpeg.Options{Quality: 82}); err != nil {
		return nil, fmt.Errorf("preview: encode: %w", err)
	}
	return out.Bytes(), nil
}

// scale fits src into side×side (never enlarging it) on a white canvas.
func scale(src image.Image, side int) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > side || h > side {
		if w >= h {
			w, h = side, max(1, h*side/w)
		} else {
			w, h = max(1, w*side/h), side
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.BiLinear.Scale(dst, dst.Bounds(), src, b, draw.Over, nil)
	return dst
}

// orient turns an image as EXIF orientation o (1 to 8) says it should be
// shown: for each pixel of the result, the pixel of src it comes from.
func orient(src *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return src
	}
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	dw, dh := w, h
	if o >= 5 { // the orientations that swap width and height
		dw, dh = h, w
	}
	from := map[int]func(x, y int) (int, int){
		2: func(x, y int) (int, int) { return w - 1 - x, y },
		3: func(x, y int) (int, int) { return w - 1 - x, h - 1 - y },
		4: func(x, y int) (int, int) { return x, h - 1 - y },
		5: func(x, y int) (int, int) { return y, x },
		6: func(x, y int) (int, int) { return y, h - 1 - x },
		7: func(x, y int) (int, int) { return w - 1 - y, h - 1 - x },
		8: func(x, y int) (int, int) { return w - 1 - y, x },
	}[o]
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < dh; y++ {
		for x := 0; x < dw; x++ {
			sx, sy := from(x, y)
			dst.SetRGBA(x, y, src.RGBAAt(sx, sy))
		}
	}
	return dst
}
