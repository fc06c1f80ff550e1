package web

import (
	"net/url"
	"strings"
)

// localPath returns next as a redirect target on this site, or fallback
// when it is not one. Browsers read a Location leniently: they drop tabs
// and newlines, take a backslash for a slash, and treat "//host" as
// another site. So next must be a path that starts with exactly one "/",
// contains no backslash or control character, and has no scheme, host or
// user; the result is re-encoded from its parsed parts, so what the
// browser follows is what was checked.
func localPath(next, fallback string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return fallback
	}
	for i := 0; i < len(next); i++ {
		if c := next[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return fallback
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return fallback
	}
	p := u.EscapedPath()
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return fallback
	}
	out := p
	if q := u.RawQuery; q != "" {
		if !validQuery(q) {
			q = u.Query().Encode()
		}
		out += "?" + q
	}
	if u.Fragment != "" {
		out += "#" + u.EscapedFragment()
	}
	return out
}

// validQuery reports whether a raw query holds only characters a URL may
// carry unescaped, so it can be passed on byte for byte (keeping the
// order of parameters).
func validQuery(q string) bool {
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("-._~%!$&'()*+,;=:@/?", c) >= 0:
		default:
			return false
		}
	}
	return true
}
