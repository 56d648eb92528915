package secrets

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func b64(key []byte) string { return base64.StdEncoding.EncodeToString(key) }

func TestRoundTrip(t *testing.T) {
	k, err := NewKeyring(newKey())
	if err != nil {
		t.Fatal(err)
	}
	plain := "xoxb-token-rahasia"
	c1, err := k.EncryptString(plain)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(c1, plain) || !strings.HasPrefix(c1, "v1:") {
		t.Fatalf("ciphertext %q leaks the plaintext or lacks the version", c1)
	}
	c2, _ := k.EncryptString(plain)
	if c1 == c2 {
		t.Fatal("two encryptions of the same text are identical: nonce is not random")
	}
	got, err := k.DecryptString(c1)
	if err != nil || got != plain {
		t.Fatalf("DecryptString = %q, %v; want %q", got, err, plain)
	}
	empty, err := k.Encrypt(nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := k.Decrypt(empty); err != nil || len(b) != 0 {
		t.Fatalf("empty plaintext round trip = %q, %v", b, err)
	}
}

func TestRotation(t *testing.T) {
	oldKey, newK := newKey(), newKey()
	before, _ := ParseKeys(b64(oldKey))
	oldCipher, _ := before.EncryptString("lama")

	after, err := ParseKeys(b64(newK) + ", " + b64(oldKey))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := after.DecryptString(oldCipher); err != nil || got != "lama" {
		t.Fatalf("old ciphertext after rotation = %q, %v", got, err)
	}
	if !after.NeedsRotation(oldCipher) {
		t.Fatal("old ciphertext should need rotation")
	}
	newCipher, _ := after.EncryptString("baru")
	if after.NeedsRotation(newCipher) {
		t.Fatal("new ciphertext should not need rotation")
	}
	// The new ciphertext must be made with the new key: the old keyring cannot open it.
	if _, err := before.Decrypt(newCipher); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("old keyring on new ciphertext: err = %v, want ErrUnknownKey", err)
	}
	if !after.NeedsRotation("plain text, never encrypted") {
		t.Fatal("a value that is not a ciphertext should need rotation")
	}
}

func TestTampered(t *testing.T) {
	k, _ := NewKeyring(newKey())
	c, _ := k.EncryptString("rahasia")
	id, body, _ := split(c)
	raw, _ := base64.RawStdEncoding.DecodeString(body)
	raw[len(raw)-1] ^= 1
	cases := map[string]string{
		"flipped bit": "v1:" + id + ":" + base64.RawStdEncoding.EncodeToString(raw),
		"truncated":   c[:len(c)-4],
		"bad base64":  "v1:" + id + ":!!!",
		"no fields":   "garbage",
		"too short":   "v1:" + id + ":AAAA",
	}
	for name, bad := range cases {
		if _, err := k.Decrypt(bad); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", name, err)
		}
	}
	// Relabelling a ciphertext with another key's id must not pass either.
	other := newKey()
	k2, _ := NewKeyring(other, newKey())
	c2, _ := k2.EncryptString("x")
	_, body2, _ := split(c2)
	relabelled := "v1:" + k2.ids[1] + ":" + body2
	if _, err := k2.Decrypt(relabelled); !errors.Is(err, ErrCorrupt) {
		t.Errorf("relabelled ciphertext: err = %v, want ErrCorrupt", err)
	}
}

func TestParseKeysErrors(t *testing.T) {
	short := base64.StdEncoding.EncodeToString(make([]byte, 16))
	cases := map[string]string{
		short:                  "decodes to 16 bytes, want 32",
		b64(newKey()) + ",":    "key 2 is empty",
		"not base64 at all!!!": "not valid base64",
		"":                     "key 1 is empty",
	}
	for in, want := range cases {
		_, err := ParseKeys(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseKeys(%q) err = %v, want it to mention %q", in, err, want)
		}
	}
	// Unpadded base64 is accepted as well.
	if _, err := ParseKeys(base64.RawStdEncoding.EncodeToString(newKey())); err != nil {
		t.Errorf("unpadded key: %v", err)
	}
}

func TestLoadOrCreateFile(t *testing.T) {
	dir := t.TempDir()
	k1, err := LoadOrCreate(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, KeysFile))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Fatalf("key file mode = %o, want 600", perm)
	}
	c, _ := k1.EncryptString("simpan")
	k2, err := LoadOrCreate(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := k2.DecryptString(c); err != nil || got != "simpan" {
		t.Fatalf("second load did not reuse the key: %q, %v", got, err)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".tmp-*")); len(leftovers) != 0 {
		t.Fatalf("temp files left behind: %v", leftovers)
	}
}

func TestLoadOrCreateFromEnv(t *testing.T) {
	dir := t.TempDir()
	key := newKey()
	k, err := LoadOrCreate(dir, b64(key))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, KeysFile)); !os.IsNotExist(err) {
		t.Fatalf("keys from env must not create a key file (stat err = %v)", err)
	}
	want, _ := NewKeyring(key)
	c, _ := want.EncryptString("env")
	if got, err := k.DecryptString(c); err != nil || got != "env" {
		t.Fatalf("env keyring did not use the env key: %q, %v", got, err)
	}
}

func TestRotateFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := Rotate(dir); err == nil {
		t.Fatal("Rotate without a key file should fail")
	}
	k1, _ := LoadOrCreate(dir, "")
	old, _ := k1.EncryptString("sebelum")
	k2, err := Rotate(dir)
	if err != nil {
		t.Fatal(err)
	}
	k3, _ := LoadOrCreate(dir, "") // what the next start of the process sees
	for _, k := range []*Keyring{k2, k3} {
		if got, err := k.DecryptString(old); err != nil || got != "sebelum" {
			t.Fatalf("old ciphertext after Rotate = %q, %v", got, err)
		}
		if !k.NeedsRotation(old) {
			t.Fatal("old ciphertext should need rotation after Rotate")
		}
	}
	fresh, _ := k3.EncryptString("sesudah")
	if k2.NeedsRotation(fresh) {
		t.Fatal("Rotate's keyring and the reloaded one disagree on the newest key")
	}
	info, _ := os.Stat(filepath.Join(dir, KeysFile))
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Fatalf("key file mode after rotate = %o, want 600", perm)
	}
}

func TestSigningKey(t *testing.T) {
	dir := t.TempDir()
	k1, err := LoadOrCreateSigningKey(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := LoadOrCreateSigningKey(dir, "")
	if len(k1) != 32 || !bytes.Equal(k1, k2) {
		t.Fatalf("signing key not 32 bytes or not reused: %d bytes, equal=%v", len(k1), bytes.Equal(k1, k2))
	}
	info, _ := os.Stat(filepath.Join(dir, SigningFile))
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Fatalf("signing key file mode = %o, want 600", perm)
	}
	envKey := newKey()
	k3, err := LoadOrCreateSigningKey(t.TempDir(), b64(envKey))
	if err != nil || !bytes.Equal(k3, envKey) {
		t.Fatalf("env signing key = %x, %v; want %x", k3, err, envKey)
	}
	if _, err := LoadOrCreateSigningKey(dir, "c2hvcnQ="); err == nil {
		t.Fatal("a short env signing key should be refused")
	}
}

func TestSignVerify(t *testing.T) {
	key := newKey()
	sig := Sign(key, "rsvp", "42", "1767225600")
	if !Verify(key, sig, "rsvp", "42", "1767225600") {
		t.Fatal("valid signature refused")
	}
	if strings.ContainsAny(sig, "+/=") {
		t.Fatalf("signature %q is not unpadded base64url", sig)
	}
	if Verify(key, sig, "rsvp", "43", "1767225600") {
		t.Fatal("signature accepted for other parts")
	}
	if Verify(newKey(), sig, "rsvp", "42", "1767225600") {
		t.Fatal("signature accepted with another key")
	}
	if Sign(key, "ab", "c") == Sign(key, "a", "bc") {
		t.Fatal("part boundaries are not part of the signature")
	}
	if Verify(key, "", "rsvp", "42", "1767225600") {
		t.Fatal("empty signature accepted")
	}
}
