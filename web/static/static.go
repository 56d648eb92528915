// Package static holds the stylesheet, icons and vendored scripts, embedded into the binary.
package static

import "embed"

// FS holds the files served under /static/.
//
//go:embed *.css *.js *.svg
var FS embed.FS
