package schedule

import "strconv"

// FormatRupees writes an amount in paise as rupees with Indian digit
// grouping: 12345680 → "₹1,23,456.80".
func FormatRupees(paise int64) string {
	sign := ""
	if paise < 0 {
		sign, paise = "-", -paise
	}
	r := strconv.FormatInt(paise/100, 10)
	if len(r) > 3 {
		head, tail := r[:len(r)-3], r[len(r)-3:]
		out := ""
		for len(head) > 2 {
			out = "," + head[len(head)-2:] + out
			head = head[:len(head)-2]
		}
		r = head + out + "," + tail
	}
	p := strconv.FormatInt(paise%100, 10)
	if len(p) == 1 {
		p = "0" + p
	}
	return sign + "₹" + r + "." + p
}
