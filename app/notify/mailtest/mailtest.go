// Package mailtest reads a raw email the way two independent mail readers
// do: Go's net/mail and mime/multipart, and Python's standard email
// package (policy.default). Tests compare what both understood with what a
// person must see.
package mailtest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os/exec"
	"strings"
	"testing"

	"github.com/karyakram/karyakram/internal/testtool"
)

// Mail is what a reader understood of a message.
type Mail struct {
	FromName, FromAddr string
	ToName, ToAddr     string
	Subject            string
	// Header holds the decoded values of the other headers tests check.
	Header map[string]string
	// Structure is the MIME tree, e.g.
	// "multipart/mixed(multipart/alternative(text/plain,text/html,text/calendar),application/ics)".
	Structure string
	Text      string // the text/plain part, decoded, CRLF as LF
	HTML      string // the text/html part, decoded
	// Calendar is the inline text/calendar part and CalendarMethod its
	// method parameter; Attachment the first attachment (AttachmentName).
	Calendar       string
	CalendarMethod string
	Attachment     []byte
	AttachmentName string
	Defects        []string // what the Python parser complained about
}

// CheckedHeaders are the headers whose decoded values Mail.Header holds.
var CheckedHeaders = []string{"Message-ID", "Date", "Content-Language", "Auto-Submitted", "List-Unsubscribe", "List-Unsubscribe-Post", "X-Auto-Response-Suppress"}

// Go parses raw with net/mail and mime/multipart.
func Go(t testing.TB, raw []byte) Mail {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail cannot read the message: %v\n%s", err, raw)
	}
	m := Mail{Header: map[string]string{}}
	dec := new(mime.WordDecoder)
	if m.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("decode Subject: %v", err)
	}
	for _, h := range []struct {
		name       string
		name2, adr *string
	}{{"From", &m.FromName, &m.FromAddr}, {"To", &m.ToName, &m.ToAddr}} {
		a, err := msg.Header.AddressList(h.name)
		if err != nil || len(a) != 1 {
			t.Fatalf("%s %q: %v", h.name, msg.Header.Get(h.name), err)
		}
		*h.name2, *h.adr = a[0].Name, a[0].Address
	}
	for _, k := range CheckedHeaders {
		if v := msg.Header.Get(k); v != "" {
			m.Header[k] = v
		}
	}
	m.Structure = walkGo(t, &m, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), "", msg.Body)
	return m
}

func walkGo(t testing.TB, m *Mail, ctype, cte, disp string, body io.Reader) string {
	t.Helper()
	media, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		t.Fatalf("Content-Type %q: %v", ctype, err)
	}
	if strings.HasPrefix(media, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		var kids []string
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: next part: %v", media, err)
			}
			kids = append(kids, walkGo(t, m, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"),
				p.Header.Get("Content-Disposition"), p))
		}
		return media + "(" + strings.Join(kids, ",") + ")"
	}
	var data []byte
	switch strings.ToLower(cte) {
	case "quoted-printable":
		data, err = io.ReadAll(quotedprintable.NewReader(body))
	case "base64":
		var b []byte
		if b, err = io.ReadAll(body); err == nil {
			data, err = base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(b)))
		}
	default:
		data, err = io.ReadAll(body)
	}
	if err != nil {
		t.Fatalf("%s body (%s): %v", media, cte, err)
	}
	dmedia, dparams, _ := mime.ParseMediaType(disp)
	switch {
	case dmedia == "attachment":
		if m.Attachment == nil {
			m.Attachment, m.AttachmentName = data, dparams["filename"]
		}
	case media == "text/plain":
		m.Text = strings.ReplaceAll(string(data), "\r\n", "\n")
	case media == "text/html":
		m.HTML = strings.ReplaceAll(string(data), "\r\n", "\n")
	case media == "text/calendar":
		m.Calendar, m.CalendarMethod = string(data), params["method"]
	}
	return media
}

// pythonReader prints, as JSON, what Python's email package (the policy
// that decodes RFC 2047 and parses addresses) reads from stdin.
const pythonReader = `
import sys, json, email
from email import policy
msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
out = {"Header": {}, "Defects": [str(d) for d in msg.defects]}
out["Subject"] = str(msg["subject"])
for name, key in (("from", "From"), ("to", "To")):
    a = msg[name].addresses
    out[key + "Name"], out[key + "Addr"] = a[0].display_name, a[0].addr_spec
for k in json.loads(sys.argv[1]):
    if msg[k] is not None:
        out["Header"][k] = str(msg[k])
def walk(p):
    out["Defects"] += [str(d) for d in p.defects]
    if p.is_multipart():
        return p.get_content_type() + "(" + ",".join(walk(x) for x in p.iter_parts()) + ")"
    ct = p.get_content_type()
    if p.get_content_disposition() == "attachment":
        if "Attachment" not in out:
            data = p.get_payload(decode=True)
            out["Attachment"] = __import__("base64").b64encode(data).decode()
            out["AttachmentName"] = p.get_filename()
    elif ct == "text/plain":
        out["Text"] = p.get_content().replace("\r\n", "\n")
    elif ct == "text/html":
        out["HTML"] = p.get_content().replace("\r\n", "\n")
    elif ct == "text/calendar":
        out["Calendar"] = p.get_content()
        out["CalendarMethod"] = p.get_param("method")
    return ct
out["Structure"] = walk(msg)
print(json.dumps(out))
`

// Python parses raw with python3's email package, skipping the test when
// python3 is missing.
func Python(t testing.TB, raw []byte) Mail {
	t.Helper()
	py := testtool.Program(t, "python3")
	hs, _ := json.Marshal(CheckedHeaders)
	cmd := exec.Command(py, "-c", pythonReader, string(hs))
	cmd.Stdin = bytes.NewReader(raw)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python email could not read the message: %v\n%s", err, stderr.String())
	}
	var m struct {
		Mail
		Attachment string
	}
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("python output: %v\n%s", err, out)
	}
	if m.Attachment != "" {
		if m.Mail.Attachment, err = base64.StdEncoding.DecodeString(m.Attachment); err != nil {
			t.Fatal(err)
		}
	}
	return m.Mail
}

// Lines checks the raw message as transport sees it: CRLF lines, 7-bit,
// header lines (folded) at most 76 characters, body lines at most 998.
func Lines(t testing.TB, raw []byte) {
	t.Helper()
	head, _, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		t.Fatal("no blank line after the headers")
	}
	for _, l := range strings.Split(string(head), "\r\n") {
		if len(l) > 76 {
			t.Errorf("header line of %d characters: %q", len(l), l)
		}
	}
	for _, l := range strings.Split(string(raw), "\r\n") {
		if len(l) > 998 || strings.ContainsRune(l, '\n') {
			t.Errorf("bad line %q", l)
		}
		for i := 0; i < len(l); i++ {
			if l[i] >= 0x80 {
				t.Fatalf("8-bit byte in line %q", l)
			}
		}
	}
}
