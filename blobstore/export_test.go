package blobstore

import "context"

// Hashes lists the bodies in the bucket.
func (b *Bucket) Hashes(ctx context.Context) []string {
	var out []string
	for obj, err := range b.bodies(ctx) {
		if err != nil {
			panic(err)
		}
		out = append(out, obj.hash)
	}
	return out
}
