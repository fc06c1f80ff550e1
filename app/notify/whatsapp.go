package notify

import (
	"net/url"
	"strings"

	"github.com/karyakram/karyakram/schedule"
)

// WhatsAppShareLink returns a wa.me click-to-chat link that opens WhatsApp
// with text ready to send or forward. With a phone number (E.164, "+"
// optional) it opens that chat; with "" the user picks a chat or group,
// which is how group pramukhs pass notices down the state, district,
// mandal and booth groups. The text is percent-encoded with %20 for spaces,
// as wa.me expects.
func WhatsAppShareLink(phone, text string) (string, error) {
	digits := strings.TrimPrefix(strings.TrimSpace(phone), "+")
	if digits != "" && !validE164("+"+digits) {
		return "", schedule.FieldError("mobile", "%q is not an international number like +919876543210", phone)
	}
	return "https://wa.me/" + digits + "?text=" + strings.ReplaceAll(url.QueryEscape(text), "+", "%20"), nil
}
