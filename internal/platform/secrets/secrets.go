// Package secrets encrypts credentials at rest (tokens of connected accounts, SMTP passwords) and signs
// links. Keys live in the data folder or come from the environment; rotation keeps old keys so rows
// encrypted before a rotation still decrypt, and NeedsRotation tells callers which rows to re-encrypt.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length of an encryption key: AES-256.
const KeySize = 32

// version is the first field of every ciphertext, so the format can change later without guessing.
const version = "v1"

var (
	// ErrUnknownKey means the ciphertext was made with a key that is no longer in the keyring.
	ErrUnknownKey = errors.New("secrets: ciphertext was encrypted with a key that is not in the keyring")
	// ErrCorrupt means the ciphertext is malformed or was changed after encryption.
	ErrCorrupt = errors.New("secrets: ciphertext is malformed or has been tampered with")
)

// Keyring holds AES-256 keys, newest first. The newest key encrypts; any key decrypts.
type Keyring struct {
	ids   []string
	aeads []cipher.AEAD
}

// NewKeyring builds a keyring from raw 32-byte keys, newest first.
func NewKeyring(keys ...[]byte) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("secrets: no encryption keys given")
	}
	k := &Keyring{}
	for i, key := range keys {
		if len(key) != KeySize {
			return nil, fmt.Errorf("secrets: key %d is %d bytes, want %d (make one with: openssl rand -base64 32)", i+1, len(key), KeySize)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		k.ids = append(k.ids, keyID(key))
		k.aeads = append(k.aeads, aead)
	}
	return k, nil
}

// keyID names a key in ciphertexts without revealing it: a truncated hash with a domain prefix.
func keyID(key []byte) string {
	sum := sha256.Sum256(append([]byte("warta key id\x00"), key...))
	return hex.EncodeToString(sum[:4])
}

// Encrypt seals plaintext with the newest key. The result is "v1:<keyid>:<base64 nonce+ciphertext>".
func (k *Keyring) Encrypt(plaintext []byte) (string, error) {
	aead := k.aeads[0]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	head := version + ":" + k.ids[0]
	// The header is authenticated too, so a ciphertext cannot be relabelled to another key.
	sealed := aead.Seal(nonce, nonce, plaintext, []byte(head))
	return head + ":" + base64.RawStdEncoding.EncodeToString(sealed), nil
}

// Decrypt opens a ciphertext made by Encrypt with any key of the keyring.
func (k *Keyring) Decrypt(ciphertext string) ([]byte, error) {
	id, body, ok := split(ciphertext)
	if !ok {
		return nil, ErrCorrupt
	}
	for i, kid := range k.ids {
		if kid != id {
			continue
		}
		raw, err := base64.RawStdEncoding.DecodeString(body)
		aead := k.aeads[i]
		if err != nil || len(raw) < aead.NonceSize() {
			return nil, ErrCorrupt
		}
		nonce, sealed := raw[:aead.NonceSize()], raw[aead.NonceSize():]
		plain, err := aead.Open(nil, nonce, sealed, []byte(version+":"+id))
		if err != nil {
			return nil, ErrCorrupt
		}
		return plain, nil
	}
	return nil, ErrUnknownKey
}

// EncryptString is Encrypt for text.
func (k *Keyring) EncryptString(plaintext string) (string, error) {
	return k.Encrypt([]byte(plaintext))
}

// DecryptString is Decrypt for text.
func (k *Keyring) DecryptString(ciphertext string) (string, error) {
	b, err := k.Decrypt(ciphertext)
	return string(b), err
}

// NeedsRotation reports whether ciphertext was not made with the newest key (or is not a ciphertext
// at all), so a background job can decrypt and re-encrypt the row.
func (k *Keyring) NeedsRotation(ciphertext string) bool {
	id, _, ok := split(ciphertext)
	return !ok || id != k.ids[0]
}

func split(ciphertext string) (id, body string, ok bool) {
	parts := strings.Split(ciphertext, ":")
	if len(parts) != 3 || parts[0] != version {
		return "", "", false
	}
	return parts[1], parts[2], true
}

// ParseKeys reads comma-separated base64 32-byte keys, newest first (WARTA_ENCRYPTION_KEYS).
func ParseKeys(s string) (*Keyring, error) {
	var keys [][]byte
	for i, field := range strings.Split(s, ",") {
		field = strings.TrimSpace(field)
		if field == "" {
			return nil, fmt.Errorf("secrets: key %d is empty", i+1)
		}
		key, err := decodeKey(field)
		if err != nil {
			return nil, fmt.Errorf("secrets: key %d: %w", i+1, err)
		}
		keys = append(keys, key)
	}
	return NewKeyring(keys...)
}

// decodeKey accepts standard base64 with or without padding, as printed by `openssl rand -base64 32`.
func decodeKey(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		key, err = base64.RawStdEncoding.DecodeString(s)
	}
	if err != nil {
		return nil, errors.New("not valid base64")
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("decodes to %d bytes, want %d (make one with: openssl rand -base64 32)", len(key), KeySize)
	}
	return key, nil
}

func newKey() []byte {
	key := make([]byte, KeySize)
	rand.Read(key) // crypto/rand.Read never fails on supported platforms (Go 1.24+)
	return key
}
