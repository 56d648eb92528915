package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/textproto"
	"path"
	"strconv"
	"strings"
	"time"

	"warta.dev/warta/internal/channel"
)

// single is the method and file field that send one file of a kind.
var single = map[string]struct{ method, field string }{
	channel.KindImage:    {"sendPhoto", "photo"},
	channel.KindVideo:    {"sendVideo", "video"},
	channel.KindGIF:      {"sendAnimation", "animation"},
	channel.KindDocument: {"sendDocument", "document"},
}

// albumType is the InputMedia type of a kind in sendMediaGroup. An animation cannot be in an
// album (Bot API: "Documents and audio files can be only grouped in an album with messages of
// the same type"; InputMediaAnimation is not accepted by sendMediaGroup).
var albumType = map[string]string{
	channel.KindImage:    "photo",
	channel.KindVideo:    "video",
	channel.KindDocument: "document",
}

// Publish sends the post as plain text (no parse_mode, so what the user wrote is never read as
// Markdown or HTML): a message, one file with a caption, or an album with the caption on its
// first item. Telegram has no alt text for photos or videos, so a file's Alt is not sent.
func (c *connector) Publish(ctx context.Context, a *channel.Account, p channel.Post) (channel.Published, error) {
	token, chatID := a.Secret.Password, a.RemoteID
	msgs, movedTo, err := c.send(ctx, token, chatID, p)
	if movedTo != 0 {
		// The group became a supergroup with a new ID: send there once. The account keeps its
		// old ID until it is reconnected; the published ID says where the post went.
		chatID = strconv.FormatInt(movedTo, 10)
		msgs, _, err = c.send(ctx, token, chatID, p)
	}
	if err != nil {
		return channel.Published{}, err
	}
	if len(msgs) == 0 || msgs[0].MessageID == 0 {
		return channel.Published{}, &channel.Error{Kind: channel.Unknown, Key: channel.KeyUnexpected,
			Reason: "no message_id in the answer"}
	}
	first := msgs[0]
	at := c.env.Clock()
	if first.Date > 0 {
		at = time.Unix(first.Date, 0)
	}
	return channel.Published{
		RemoteID: chatID + ":" + strconv.FormatInt(first.MessageID, 10),
		URL:      messageURL(a.URL, chatID, first.MessageID),
		At:       at,
	}, nil
}

// send makes one attempt; it returns the messages made, or the chat's new ID when Telegram
// answers that the group moved.
func (c *connector) send(ctx context.Context, token, chatID string, p channel.Post) ([]message, int64, error) {
	switch len(p.Media) {
	case 0:
		var m message
		moved, err := c.call(ctx, token, "sendMessage", jsonBody(map[string]any{"chat_id": chatID, "text": p.Text}), &m)
		return []message{m}, moved, err
	case 1:
		f := p.Media[0]
		s, ok := single[f.Kind]
		if !ok {
			return nil, 0, &channel.Error{Kind: channel.Rejected, Reason: "Telegram does not take a file of kind " + f.Kind}
		}
		fields := [][2]string{{"chat_id", chatID}}
		if p.Text != "" {
			fields = append(fields, [2]string{"caption", p.Text})
		}
		b, err := formBody(ctx, fields, []upload{{field: s.field, file: f, index: 0}})
		if err != nil {
			return nil, 0, err
		}
		var m message
		moved, err := c.call(ctx, token, s.method, b, &m)
		return []message{m}, moved, err
	}
	media := make([]map[string]string, len(p.Media))
	uploads := make([]upload, len(p.Media))
	for i, f := range p.Media {
		t, ok := albumType[f.Kind]
		if !ok {
			return nil, 0, &channel.Error{Kind: channel.Rejected, Reason: "Telegram cannot put a " + f.Kind + " in an album"}
		}
		name := "file" + strconv.Itoa(i)
		media[i] = map[string]string{"type": t, "media": "attach://" + name}
		uploads[i] = upload{field: name, file: f, index: i}
	}
	if p.Text != "" {
		media[0]["caption"] = p.Text // the album's caption is the first item's
	}
	list, _ := json.Marshal(media)
	b, err := formBody(ctx, [][2]string{{"chat_id", chatID}, {"media", string(list)}}, uploads)
	if err != nil {
		return nil, 0, err
	}
	var msgs []message
	moved, err := c.call(ctx, token, "sendMediaGroup", b, &msgs)
	return msgs, moved, err
}

// upload is one file part of a multipart request.
type upload struct {
	field string
	file  channel.MediaFile
	index int
}

// formBody builds a multipart/form-data body. The files are read into memory: Telegram takes
// at most 50 MB a file from a bot, and a body of known length is what every proxy accepts.
func formBody(ctx context.Context, fields [][2]string, uploads []upload) (body, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := w.WriteField(f[0], f[1]); err != nil {
			return body{}, err
		}
	}
	for _, u := range uploads {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, u.field, fileName(u.file, u.index)))
		h.Set("Content-Type", u.file.MIME)
		part, err := w.CreatePart(h)
		if err != nil {
			return body{}, err
		}
		if err := copyFile(ctx, part, u.file); err != nil {
			// Nothing was sent: the file store failed, and a retry may find it.
			return body{}, &channel.Error{Kind: channel.Temporary, Reason: "media file " + u.file.Name, Err: err}
		}
	}
	if err := w.Close(); err != nil {
		return body{}, err
	}
	return body{data: buf.Bytes(), contentType: w.FormDataContentType()}, nil
}

func copyFile(ctx context.Context, dst io.Writer, f channel.MediaFile) error {
	if f.Open == nil {
		return fmt.Errorf("media file %q cannot be opened", f.Name)
	}
	r, err := f.Open(ctx)
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = io.Copy(dst, r)
	return err
}

// fileName keeps a file name to plain ASCII, which every multipart parser reads the same way.
func fileName(f channel.MediaFile, i int) string {
	name := strings.Map(func(r rune) rune {
		if r < 128 && (r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return r
		}
		return '_'
	}, path.Base(f.Name))
	if strings.Trim(name, "._") == "" {
		name = "file" + strconv.Itoa(i)
	}
	return name
}

// messageURL is the post's link: t.me/<username>/<id> in a public chat, t.me/c/<id>/<id> in a
// private channel or supergroup (whose IDs are -100 followed by the internal ID); a basic
// group's messages have no link.
func messageURL(chatURL, chatID string, msgID int64) string {
	id := strconv.FormatInt(msgID, 10)
	if name, ok := strings.CutPrefix(chatURL, "https://t.me/"); ok && name != "" {
		return chatURL + "/" + id
	}
	if internal, ok := strings.CutPrefix(chatID, "-100"); ok {
		return "https://t.me/c/" + internal + "/" + id
	}
	return ""
}
