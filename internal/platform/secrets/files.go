package secrets

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// File names inside the data folder.
const (
	KeysFile    = "encryption.keys"
	SigningFile = "secret.key"
)

// LoadOrCreate returns the encryption keyring. Keys from the environment (fromEnv, comma-separated)
// win; otherwise dataDir/encryption.keys is read (one base64 key per line, newest first), and created
// with one new key when missing.
func LoadOrCreate(dataDir, fromEnv string) (*Keyring, error) {
	if strings.TrimSpace(fromEnv) != "" {
		return ParseKeys(fromEnv)
	}
	path := filepath.Join(dataDir, KeysFile)
	data, err := readOrCreate(path, func() []byte { return encodeLines(newKey()) })
	if err != nil {
		return nil, err
	}
	return parseFile(path, data)
}

// Rotate prepends a new key to dataDir/encryption.keys and returns the new keyring. Old keys stay so
// existing ciphertexts still decrypt. Keys given in the environment are rotated by editing the variable.
func Rotate(dataDir string) (*Keyring, error) {
	path := filepath.Join(dataDir, KeysFile)
	data, err := os.ReadFile(path)
	if err != nil {
		// Refuse to invent a key file here: a wrong folder would silently start a new keyring.
		return nil, fmt.Errorf("secrets: rotate: %w", err)
	}
	old, err := fileKeys(path, data)
	if err != nil {
		return nil, err
	}
	keys := append([][]byte{newKey()}, old...)
	if err := writeFileAtomic(path, encodeLines(keys...), true); err != nil {
		return nil, err
	}
	return NewKeyring(keys...)
}

// LoadOrCreateSigningKey returns the 32-byte HMAC key for signed links: from fromEnv (base64) when
// given, else from dataDir/secret.key, created when missing.
func LoadOrCreateSigningKey(dataDir, fromEnv string) ([]byte, error) {
	if s := strings.TrimSpace(fromEnv); s != "" {
		key, err := decodeKey(s)
		if err != nil {
			return nil, fmt.Errorf("secrets: signing key: %w", err)
		}
		return key, nil
	}
	path := filepath.Join(dataDir, SigningFile)
	data, err := readOrCreate(path, func() []byte { return encodeLines(newKey()) })
	if err != nil {
		return nil, err
	}
	key, err := decodeKey(strings.TrimSpace(string(data)))
	if err != nil {
		return nil, fmt.Errorf("secrets: %s: %w", path, err)
	}
	return key, nil
}

// Sign returns an HMAC-SHA256 of parts (base64url, no padding). Each part is length-prefixed so
// ("ab","c") and ("a","bc") sign differently. Put an expiry time among the parts for expiring links.
func Sign(key []byte, parts ...string) string {
	mac := hmac.New(sha256.New, key)
	var n [8]byte
	for _, p := range parts {
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		mac.Write(n[:])
		mac.Write([]byte(p))
	}
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// Verify reports whether sig is Sign(key, parts...), in constant time.
func Verify(key []byte, sig string, parts ...string) bool {
	return subtle.ConstantTimeCompare([]byte(sig), []byte(Sign(key, parts...))) == 1
}

func parseFile(path string, data []byte) (*Keyring, error) {
	keys, err := fileKeys(path, data)
	if err != nil {
		return nil, err
	}
	return NewKeyring(keys...)
}

// fileKeys reads one base64 key per line; blank lines and # comments are skipped.
func fileKeys(path string, data []byte) ([][]byte, error) {
	var keys [][]byte
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, err := decodeKey(line)
		if err != nil {
			return nil, fmt.Errorf("secrets: %s line %d: %w", path, i+1, err)
		}
		keys = append(keys, key)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("secrets: %s holds no keys", path)
	}
	return keys, nil
}

func encodeLines(keys ...[]byte) []byte {
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(base64.StdEncoding.EncodeToString(k))
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// readOrCreate reads path, or creates it with fresh() when missing. Creation never replaces an
// existing file, so two processes starting at once agree on one key instead of each keeping its own.
func readOrCreate(path string, fresh func() []byte) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		return data, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	if err := writeFileAtomic(path, fresh(), false); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	data, err = os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	return data, nil
}

// writeFileAtomic writes a 0600 file via a synced temp file, so a crash never leaves half a key file.
// With replace=false it fails with fs.ErrExist instead of overwriting (a hard link does not replace).
func writeFileAtomic(path string, data []byte, replace bool) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("secrets: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("secrets: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("secrets: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("secrets: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("secrets: %w", err)
	}
	if replace {
		err = os.Rename(tmp.Name(), path)
	} else {
		err = os.Link(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("secrets: %w", err)
	}
	return nil
}
