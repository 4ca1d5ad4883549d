package web

// ExifJPEG lets the package's outside tests make photos with an EXIF
// orientation.
var ExifJPEG = exifJPEG

// HomeWaiting and HomeTransactions are how many rows of each list the
// company home shows before a link to the rest.
const HomeWaiting, HomeTransactions = homeWaiting, homeTransactions
