package web

// ExifJPEG lets the package's outside tests make photos with an EXIF
// orientation.
var ExifJPEG = exifJPEG
