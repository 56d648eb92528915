package media

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config locates an S3-compatible bucket (AWS S3, MinIO, Garage, R2, ...).
type S3Config struct {
	Endpoint  string // host[:port]; a leading http:// or https:// is accepted and sets UseTLS
	Bucket    string
	Region    string
	AccessKey string
	SecretKey string
	UseTLS    bool
}

// partSize is the multipart part size for uploads of unknown size.
const partSize = 16 << 20

// S3 keeps objects in a bucket; the content type is the object's Content-Type.
type S3 struct {
	client *minio.Client
	bucket string
}

// NewS3 connects to the bucket, creating it when missing.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	endpoint, tls := cfg.Endpoint, cfg.UseTLS
	if strings.Contains(endpoint, "://") {
		u, err := url.Parse(endpoint)
		if err != nil {
			return nil, fmt.Errorf("media: S3 endpoint: %w", err)
		}
		endpoint, tls = u.Host, u.Scheme == "https"
	}
	client, err := minio.New(endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: tls,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("media: S3: %w", err)
	}
	exists, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("media: S3 bucket %q: %w", cfg.Bucket, err)
	}
	if !exists {
		err := client.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region})
		// Another process may have created it meanwhile; that is fine.
		if err != nil && minio.ToErrorResponse(err).Code != "BucketAlreadyOwnedByYou" {
			return nil, fmt.Errorf("media: create S3 bucket %q: %w", cfg.Bucket, err)
		}
	}
	return &S3{client: client, bucket: cfg.Bucket}, nil
}

func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	opts := minio.PutObjectOptions{ContentType: contentTypeOr(contentType)}
	if size < 0 {
		// Most uploads of unknown size are small: read up to one part, and if that is all, send one
		// PUT instead of a three-request multipart upload.
		head, err := io.ReadAll(io.LimitReader(r, partSize))
		if err != nil {
			return fmt.Errorf("media: S3 put %q: %w", key, err)
		}
		if len(head) < partSize {
			r, size = bytes.NewReader(head), int64(len(head))
		} else {
			r = io.MultiReader(bytes.NewReader(head), r)
			// Without this minio-go buffers parts of ~512 MiB; 16 MiB parts still allow 160 GB.
			opts.PartSize = partSize
		}
	}
	if _, err := s.client.PutObject(ctx, s.bucket, key, r, size, opts); err != nil {
		return fmt.Errorf("media: S3 put %q: %w", key, err)
	}
	return nil
}

func (s *S3) Open(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	if err := CheckKey(key); err != nil {
		return nil, Info{}, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, Info{}, s3Err(key, err)
	}
	oi, err := obj.Stat() // GetObject is lazy; this sends the request and reports a missing key
	if err != nil {
		obj.Close()
		return nil, Info{}, s3Err(key, err)
	}
	return obj, toInfo(oi), nil
}

func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	if err := CheckKey(key); err != nil {
		return Info{}, err
	}
	oi, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, s3Err(key, err)
	}
	return toInfo(oi), nil
}

func (s *S3) Delete(ctx context.Context, key string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		return s3Err(key, err)
	}
	return nil
}

func toInfo(oi minio.ObjectInfo) Info {
	return Info{Size: oi.Size, ContentType: oi.ContentType, ModTime: oi.LastModified}
}

func s3Err(key string, err error) error {
	if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
		return fmt.Errorf("%w: %q", ErrNotExist, key)
	}
	return fmt.Errorf("media: S3 %q: %w", key, err)
}
