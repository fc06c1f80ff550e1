package templates

import "embed"

// Fonts holds the bundled TrueType fonts used for PDF output: Noto Sans and
// Noto Sans Devanagari, regular and bold, under "fonts/", together with their
// SIL Open Font License (fonts/OFL.txt). Nothing at run time reads system
// fonts; callers load from this file system.
//
//go:embed fonts/*
var Fonts embed.FS
