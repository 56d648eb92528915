// Package dedupe finds the same story under several addresses and in several copies, so that
// monitoring shows it once. Canonical reduces an article's address to the form its copies share
// (no tracking parameters, no AMP or mobile edition). Fingerprint reduces its text to a 64-bit
// SimHash, which stays within NearDistance bits for a syndicated copy with another intro line, a
// portal's footer or a few words changed; Index finds, among many recent fingerprints, the
// earliest one near a new one.
//
// It knows no database and no HTTP, and shows no text to users. Fingerprints are stable across
// processes and versions and may be stored.
//
// How NearDistance was chosen is in its comment; `go test -run TestSyndication -v` logs the
// measurement and `go test -bench . ./internal/monitor/dedupe/` the speed.
package dedupe
